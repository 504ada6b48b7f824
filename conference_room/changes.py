"""What a committed transaction changed, and so what must be pushed to whom."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConferenceChanged:
    """Conference ``conference_id`` reached ``version``: each viewer gets a fresh filtered view."""

    conference_id: int
    version: int
    what: str


@dataclass(frozen=True)
class ParticipantStatusChanged:
    """A participant was admitted, turned away or removed: tell their phone, cut removed off."""

    conference_id: int
    participant_id: int
    status: str


@dataclass(frozen=True)
class ConferenceLocked:
    """The conference closed: every attendee credential stopped working."""

    conference_id: int


def conference_changed(tx, conference_id: int, what: str) -> int:
    """Bump the conference's version inside ``tx`` and queue the broadcast; return the version."""
    from . import queries

    version = queries.bump_version(tx.db, conference_id)
    tx.changed(ConferenceChanged(conference_id, version, what))
    return version
