"""The server's async mode, kept in one place: eventlet by default, gevent or threading by setting.

Under eventlet or gevent every green thread shares one OS thread, so blocking work (an Argon2
hash, a DOCX export) must run in a real thread, and any wait must be a green wait.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import TypeVar

MODES = ("eventlet", "gevent", "threading")
T = TypeVar("T")

_active = "threading"


def patch(mode: str) -> None:
    """Monkey-patch the standard library for ``mode``; call before the app is imported."""
    global _active
    if mode == "eventlet":
        with warnings.catch_warnings():
            # eventlet warns on import that it is in maintenance mode; gevent is one setting away.
            warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
            import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif mode != "threading":
        raise ValueError(f"unknown async mode {mode!r}")
    _active = mode


def active_mode() -> str:
    """Return the mode the process was patched for ("threading" when not patched)."""
    return _active


def run_blocking(fn: Callable[..., T], *args: object) -> T:
    """Run CPU-heavy or blocking ``fn`` in an OS thread so live meetings keep moving."""
    if _active == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args)
    if _active == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(fn, args)
    return fn(*args)


def new_lock() -> threading.Lock:
    """Return a lock that waits the right way for the active mode (green after patching)."""
    return threading.Lock()
