"""The append-only audit log: each event carries the hash of the one before it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from . import clock, queries
from .access import Actor
from .db import Tx

GENESIS = "0" * 64
NAMED_ACTORS = ("user", "system")
HASHED_FIELDS = ("id", "at", "actor_type", "actor_id", "actor_name", "action", "conference_id")


def event_hash(event: dict[str, Any], prev_hash: str) -> str:
    """Return the hash of ``event`` chained to ``prev_hash``."""
    material = {name: event[name] for name in HASHED_FIELDS}
    material["detail"] = (
        json.loads(event["detail"]) if isinstance(event["detail"], str) else event["detail"]
    )
    material["prev_hash"] = prev_hash
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    tx: Tx,
    actor: Actor,
    action: str,
    conference_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an audit event inside the caller's transaction."""
    last = queries.last_audit_event(tx.db)
    prev_hash = last["hash"] if last else GENESIS
    event = {
        "id": (last["id"] + 1) if last else 1,
        "at": clock.stamp(),
        "actor_type": actor.kind,
        "actor_id": actor.id,
        # Staff by name; attendees and report writers by id only, so that purging a conference
        # leaves no name of theirs in this log (which can never be edited or shortened).
        "actor_name": actor.name if actor.kind in NAMED_ACTORS else "",
        "action": action,
        "conference_id": conference_id,
        "detail": json.dumps(detail or {}, sort_keys=True, ensure_ascii=False),
    }
    event["prev_hash"] = prev_hash
    event["hash"] = event_hash(event, prev_hash)
    queries.insert_audit_event(tx.db, event)


@dataclass(frozen=True)
class Verdict:
    """The result of checking the chain: ``bad_id`` names the first broken entry."""

    ok: bool
    checked: int
    bad_id: int | None = None
    problem: str = ""


def verify(db: Database) -> Verdict:
    """Walk the chain from the start and report the first altered, missing or moved entry."""
    prev_hash = GENESIS
    expected_id = 1
    events = queries.audit_events(db)
    for event in events:
        if event["id"] != expected_id:
            return Verdict(False, expected_id - 1, event["id"], f"entry {expected_id} is missing")
        if event["prev_hash"] != prev_hash:
            return Verdict(
                False, expected_id - 1, event["id"], "it does not follow the entry before"
            )
        if event_hash(event, prev_hash) != event["hash"]:
            return Verdict(False, expected_id - 1, event["id"], "its content was changed")
        prev_hash = event["hash"]
        expected_id += 1
    return Verdict(True, len(events))
