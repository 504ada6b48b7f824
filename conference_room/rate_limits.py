"""Rate limits: guessing codes, passwords and links, and flooding with a right code or link.

Counts live in this process's memory: they are a defence against guessing and flooding, not
meeting state, and a restart only gives a guesser a fresh window. Per address only failures
count, so a room of phones behind one council Wi-Fi address can all join. Every limit is a row
of ``RULES``; the README's "Security" section explains the numbers.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .concurrency import new_lock
from .errors import DomainError, TooManyRequests, Unauthorized

EVERYONE = "*"  # the key of a service-wide count: every address together


def wrong_code(error: DomainError) -> bool:
    """Return whether a join failed because the code was wrong."""
    return error.field == "code"


def wrong_password(error: DomainError) -> bool:
    """Return whether a sign-in failed on the credentials."""
    return isinstance(error, Unauthorized)


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` counted requests per key in ``window`` seconds, then ``message``."""

    limit: int
    window: int
    message: str  # what the person reads; {wait} becomes the seconds to wait


RULES = {
    # Failures per address (an IPv6 address counts by its /64 network, see ``address``).
    "join": Rule(
        10, 600, "Too many wrong join codes from this connection. Try again in {wait} seconds."
    ),
    "login": Rule(
        20,
        600,
        "Too many wrong sign-in attempts from this connection. Try again in {wait} seconds.",
    ),
    "link": Rule(
        20, 600, "Too many wrong report links from this connection. Try again in {wait} seconds."
    ),
    # Failures from every address together: guessing spread over many addresses. Checked before
    # the code or link is looked up, so a guess over the ceiling learns nothing.
    "join_everyone": Rule(
        1000,
        600,
        "Too many wrong join codes have been tried in the last few minutes, so joining is "
        "paused. Try again in {wait} seconds, or ask the chair.",
    ),
    "link_everyone": Rule(
        1000,
        600,
        "Too many wrong report links have been tried in the last few minutes, so report links "
        "are paused. Try again in {wait} seconds. Nothing you saved before is lost.",
    ),
    # Uses of one right code or link (all of them count, not only failures).
    "join_conference": Rule(
        60,
        600,
        "Too many people have asked to join this meeting in the last few minutes. Try again in "
        "{wait} seconds, or ask the chair.",
    ),
    "link_writes": Rule(
        600,
        600,
        "This report has been saved very many times in the last few minutes. Wait {wait} "
        "seconds, then save again. What you saved before is kept.",
    ),
    "link_previews": Rule(
        1200,
        600,
        "The preview has been asked for very many times in the last few minutes. Try again in "
        "{wait} seconds. Your text is still kept.",
    ),
}

# The service-wide ceiling that goes with each per-address rule.
EVERYONE_RULE = {"join": "join_everyone", "link": "link_everyone"}


class Limiter:
    """Counted requests per (rule, key) in a sliding window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._counts: dict[tuple[str, str], deque[float]] = {}
        self._lock = new_lock()
        self._sweep_at = 1024

    def __len__(self) -> int:
        """Return how many (rule, key) counts are held."""
        return len(self._counts)

    def _recent(self, rule: str, key: str, now: float) -> deque[float]:
        times = self._counts.get((rule, key))
        if times is None:
            return deque()
        window = RULES[rule].window
        while times and now - times[0] >= window:
            times.popleft()
        if not times:
            del self._counts[(rule, key)]
        return times

    def _sweep(self, now: float) -> None:
        # Keys that are never asked about again would otherwise stay for ever (many addresses).
        if len(self._counts) < self._sweep_at:
            return
        for rule, key in list(self._counts):
            self._recent(rule, key, now)
        self._sweep_at = max(1024, 2 * len(self._counts))

    def _refuse_if_full(self, rule: str, times: deque[float], now: float) -> None:
        limit, window = RULES[rule].limit, RULES[rule].window
        if len(times) >= limit:
            # The oldest count that must expire before there is room for one more.
            frees_at = times[len(times) - limit] + window
            wait = max(1, int(frees_at - now) + 1)
            raise TooManyRequests(RULES[rule].message.format(wait=wait), retry_after=wait)

    def check(self, rule: str, key: str) -> None:
        """Refuse with "try again in N seconds" when ``key`` has used up ``rule``."""
        with self._lock:
            now = self._clock()
            self._refuse_if_full(rule, self._recent(rule, key, now), now)

    def count(self, rule: str, key: str) -> None:
        """Count one request (a failure, for the failure rules) against ``key``."""
        with self._lock:
            now = self._clock()
            self._recent(rule, key, now)
            self._counts.setdefault((rule, key), deque()).append(now)
            self._sweep(now)

    def take(self, rule: str, key: str) -> None:
        """Refuse when ``key`` has used up ``rule``, else count this request (all at once)."""
        with self._lock:
            now = self._clock()
            self._refuse_if_full(rule, self._recent(rule, key, now), now)
            self._counts.setdefault((rule, key), deque()).append(now)
            self._sweep(now)


def limiter() -> Limiter:
    """Return this app's limiter."""
    from flask import current_app

    return current_app.extensions.setdefault("cr_limiter", Limiter())


def address() -> str:
    """Return the key this client's failures count against (behind a proxy, see PROXY_HOPS)."""
    from flask import request

    # An IPv6 client counts by its /64 network: one household or phone is given a whole /64,
    # so counting single addresses would give one guesser billions of fresh counts.
    raw = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return raw


def _failure_keys(rule: str) -> list[tuple[str, str]]:
    keys = [(rule, address())]
    if rule in EVERYONE_RULE:
        keys.append((EVERYONE_RULE[rule], EVERYONE))
    return keys


def check_failures(rule: str) -> None:
    """Refuse this address if it, or every address together, has failed ``rule`` too often."""
    limits = limiter()
    for name, key in _failure_keys(rule):
        limits.check(name, key)


def count_failure(rule: str) -> None:
    """Count one failure of ``rule`` against this address (and against everyone together)."""
    limits = limiter()
    for name, key in _failure_keys(rule):
        limits.count(name, key)


@contextmanager
def guard(rule: str, counts: Callable[[DomainError], bool]) -> Iterator[None]:
    """Refuse an address that failed too often; count a failure that ``counts`` says is one."""
    check_failures(rule)
    try:
        yield
    except DomainError as error:
        if counts(error):
            count_failure(rule)
        raise


def one_more_join(conference: dict) -> None:
    """Count a join request for ``conference``; refuse it when that meeting has had too many."""
    limiter().take("join_conference", str(conference["id"]))


def one_more_use(rule: str, token: str) -> None:
    """Count a use of a report link (never kept as such: by its hash); refuse too many."""
    limiter().take(rule, hashlib.sha256(token.encode()).hexdigest())
