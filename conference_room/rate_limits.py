"""Rate limits on guessing: wrong join codes, wrong passwords, wrong report links, per address.

Counts live in this process's memory: they are a defence against guessing, not meeting state,
and a restart only gives a guesser a fresh window. Only failures count, so a room of phones
behind one council Wi-Fi address can all join.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .concurrency import new_lock
from .errors import DomainError, TooManyRequests, Unauthorized


def wrong_code(error: DomainError) -> bool:
    """Return whether a join failed because the code was wrong."""
    return error.field == "code"


def wrong_password(error: DomainError) -> bool:
    """Return whether a sign-in failed on the credentials."""
    return isinstance(error, Unauthorized)


@dataclass(frozen=True)
class Rule:
    """At most ``failures`` failed attempts per address in ``window`` seconds."""

    failures: int
    window: int
    what: str


RULES = {
    "join": Rule(10, 600, "join codes"),
    "login": Rule(20, 600, "sign-in attempts"),
    "link": Rule(20, 600, "report links"),
}


class Limiter:
    """Failed attempts per (rule, address) in a sliding window."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = new_lock()

    def _recent(self, rule: str, address: str) -> deque[float]:
        now = self._clock()
        window = RULES[rule].window
        times = self._failures.setdefault((rule, address), deque())
        while times and now - times[0] >= window:
            times.popleft()
        return times

    def check(self, rule: str, address: str) -> None:
        """Refuse with "try again in N seconds" when ``address`` has failed too often."""
        with self._lock:
            times = self._recent(rule, address)
            if len(times) >= RULES[rule].failures:
                wait = max(1, int(RULES[rule].window - (self._clock() - times[0])) + 1)
                raise TooManyRequests(
                    f"Too many wrong {RULES[rule].what} from this connection. "
                    f"Try again in {wait} seconds.",
                    retry_after=wait,
                )

    def failed(self, rule: str, address: str) -> None:
        """Count one failed attempt."""
        with self._lock:
            self._recent(rule, address).append(self._clock())


def limiter():
    """Return this app's limiter."""
    from flask import current_app

    return current_app.extensions.setdefault("cr_limiter", Limiter())


def address() -> str:
    """Return the client's address (behind a proxy, as set by PROXY_HOPS)."""
    from flask import request

    return request.remote_addr or "unknown"


@contextmanager
def guard(rule: str, counts: Callable[[DomainError], bool]) -> Iterator[None]:
    """Refuse an address that failed too often; count a failure that ``counts`` says is one."""
    limits, where = limiter(), address()
    limits.check(rule, where)
    try:
        yield
    except DomainError as error:
        if counts(error):
            limits.failed(rule, where)
        raise
