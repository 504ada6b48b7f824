"""The minute-taker's notes, closing the conference, and the chair's corrections afterwards.

Closing needs a decision for every child. It locks the conference for good: every later write is
refused, attendee tokens are revoked (phones are disconnected), join codes and report links stop
working. The only thing added afterwards is a correction: a new note by the chair, audited and
kept beside the original, never an edit.
"""

from __future__ import annotations

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, queries
from ..access import Actor
from ..changes import ConferenceLocked, conference_changed
from ..db import transaction
from ..errors import Conflict, Invalid, NotFound
from ..rules.stages import STAGE_KEYS
from ..schemas import Payload, parse
from . import conferences
from .live import chair_conference, open_conference, require_chair, require_recorder


class NoteIn(Payload):
    stage: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=20000)
    child_id: int | None = None
    restricted: bool = False


class CorrectionIn(Payload):
    text: str = Field(min_length=1, max_length=20000)
    corrects_note_id: int | None = None
    restricted: bool = False


def _check_child(db: Database, conference_id: int, child_id: int | None) -> None:
    if child_id is not None and child_id not in {
        c["id"] for c in queries.children(db, conference_id)
    }:
        raise Invalid("child_id: there is no such child in this conference.", field="child_id")


def note_out(note: dict, authors: dict[int, str] | None = None) -> dict:
    return {
        "id": note["id"],
        "stage": note["stage"],
        "child_id": note["child_id"],
        "text": note["text"],
        "restricted": bool(note["restricted"]),
        "corrects_note_id": note["corrects_note_id"],
        "author": (authors or {}).get(note["author_user_id"], ""),
        "at": note["created_at"],
    }


def add_note(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Write a note against a stage (and perhaps a child); restricted during a closed session."""
    require_recorder(actor, "write notes")
    open_conference(db, actor, conference_id)
    new = parse(NoteIn, data)
    if new.stage not in STAGE_KEYS:
        raise Invalid(f"stage: must be one of {', '.join(STAGE_KEYS)}.", field="stage")
    _check_child(db, conference_id, new.child_id)
    with transaction(db) as tx:
        current = conferences.require_still_open(tx, conference_id)
        note_id = queries.insert_note(
            tx.db,
            {
                "conference_id": conference_id,
                "stage": new.stage,
                "child_id": new.child_id,
                "text": new.text,
                "restricted": int(new.restricted or bool(current["closed_session"])),
                "author_user_id": actor.id,
                "created_at": clock.stamp(),
            },
        )
        audit.record(tx, actor, "note.add", conference_id, {"note_id": note_id})
        conference_changed(tx, conference_id, "notes")
    return note_out(queries.note(db, note_id), {actor.id: actor.name})


def close(db: Database, actor: Actor, conference_id: int) -> dict:
    """Close the conference: the record becomes final and every attendee credential stops."""
    chair_conference(db, actor, conference_id, "close the conference")
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        decided = {d["child_id"] for d in queries.decisions(tx.db, conference_id)}
        missing = [
            c["name"] for c in queries.children(tx.db, conference_id) if c["id"] not in decided
        ]
        if missing:
            raise Conflict(
                "Record a decision for every child before closing. Still to decide: "
                + ", ".join(missing)
                + ".",
                code="decisions_missing",
            )
        now = clock.stamp()
        queries.close_open_scale_rounds(tx.db, conference_id, now)
        queries.end_open_closed_sessions(tx.db, conference_id, now)
        queries.close_conference(tx.db, conference_id, now)
        queries.revoke_participant_tokens(tx.db, conference_id)
        audit.record(tx, actor, "conference.close", conference_id, {})
        version = conference_changed(tx, conference_id, "closed")
        tx.changed(ConferenceLocked(conference_id))
    return {"version": version, "status": "closed"}


def correct(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Add the chair's correction to a closed record, beside (never over) what it corrects."""
    require_chair(actor, "correct the record")
    conference = conferences.load(db, actor, conference_id)
    if conference["status"] != "closed":
        raise Conflict(
            "The conference is still open: change the decision or add a note instead of a "
            "correction.",
            code="not_closed",
        )
    new = parse(CorrectionIn, data)
    if new.corrects_note_id is not None:
        original = queries.note(db, new.corrects_note_id)
        if original is None or original["conference_id"] != conference_id:
            raise NotFound(
                "corrects_note_id: there is no such note in this conference.",
                field="corrects_note_id",
            )
    with transaction(db) as tx:
        note_id = queries.insert_note(
            tx.db,
            {
                "conference_id": conference_id,
                "stage": "closed",
                "text": new.text,
                "restricted": int(new.restricted),
                "corrects_note_id": new.corrects_note_id,
                "author_user_id": actor.id,
                "created_at": clock.stamp(),
            },
        )
        audit.record(
            tx,
            actor,
            "record.correct",
            conference_id,
            {"note_id": note_id, "corrects_note_id": new.corrects_note_id},
        )
        conference_changed(tx, conference_id, "notes")
    return note_out(queries.note(db, note_id), {actor.id: actor.name})
