"""The server process's garbage collector: fewer young collections while meetings run.

Python starts a young collection after every 700 new container objects. On a busy server most
of what such a pass looks at is alive, not garbage: the timers and waits of every connected
socket (eventlet makes new ones at each wait), so each pass took about 2 ms wherever it landed,
and every tenth one (generation 1) 7-12 ms, at K = 40 conferences answering at once (README,
"Measured"). With 10,000 (and each socket's route match reused, realtime.EventContext) none
of the K = 40 rounds we logged held a collection; the garbage left waiting is at most that many
objects more. ``serve`` also freezes what start-up built (modules,
the app, its templates), so full collections no longer walk it: it lives as long as the process.
"""

from __future__ import annotations

import gc

LOWEST, HIGHEST = 100, 1_000_000  # the range CONFERENCE_ROOM_GC_YOUNG_THRESHOLD may take


def tune(young_threshold: int) -> int:
    """Collect and freeze what exists now, then start young collections every
    ``young_threshold`` new objects (the older generations keep Python's ratios).

    Call once, when start-up is done, just before serving. Return how many objects were frozen.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(young_threshold, older, oldest)
    return gc.get_freeze_count()
