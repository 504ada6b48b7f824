"""Socket events must not leave reference cycles behind: Python's cycle collector stops the
whole server while it runs (every meeting on it waits), and its passes grow with the garbage.
Each event used to leave a NotFound and the request context its traceback held (~60 objects),
because Flask matched Socket.IO's path against the app's routes and found nothing."""

from __future__ import annotations

import gc

EVENTS = 30


def cyclic_garbage_after(action) -> int:
    """Return how many unreachable objects in cycles ``action`` left for the collector."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        action()
        return gc.collect()
    finally:
        if was_enabled:
            gc.enable()


def test_socket_events_leave_no_cycles_for_the_collector(room):
    cid = room.conference["id"]

    def events() -> None:
        for _ in range(EVENTS):
            assert room.pro.socket.emit("statement.read", {"key": "nope"})  # refused: no such
            assert room.console.emit("conference.join", {"conference_id": cid})["ok"]

    left = cyclic_garbage_after(events)
    # Werkzeug's route matching itself leaves a recursive closure (8 objects) per match;
    # before the fix each event left about 86.
    assert left <= 10 * 2 * EVENTS, f"{left} objects in cycles after {2 * EVENTS} events"


def test_socket_io_path_is_not_a_page(client):
    # The routes that give Flask's match something to find never answer as pages.
    assert client.get("/socket.io").status_code in (400, 404)
    assert client.get("/socket.io/").status_code in (400, 404)
