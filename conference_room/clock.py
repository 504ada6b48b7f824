"""The time, in one place, so stored timestamps share one format (ISO 8601, UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def stamp(moment: datetime | None = None) -> str:
    """Return ``moment`` (default now) as the stored ISO 8601 string with microseconds."""
    return (moment or now()).astimezone(UTC).isoformat(timespec="microseconds")


def parse(value: str) -> datetime:
    """Return the aware datetime of a stored ISO 8601 string."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
