"""The live room: joining, admission, stages, the closed session, statements and read receipts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, queries
from ..access import Actor, new_token, token_hash
from ..changes import ParticipantStatusChanged, conference_changed
from ..db import transaction
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..rules.stages import STAGE_KEYS
from ..schemas import Payload, parse
from . import conferences

ROLES = ("professional", "family", "child", "advocate", "interpreter", "observer")


class JoinIn(Payload):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    role: Literal["professional", "family", "child", "advocate", "interpreter", "observer"]
    agency: str | None = Field(default=None, max_length=120)
    job_title: str | None = Field(default=None, max_length=120)
    relationship: str | None = Field(default=None, max_length=60)


class StageIn(Payload):
    stage: str


class StatementIn(Payload):
    key: str = Field(min_length=1, max_length=40)
    read: bool = True


changed = conference_changed


def require_chair(actor: Actor, doing: str) -> None:
    """Refuse anyone but a signed-in chair (or admin standing in as chair)."""
    if not (actor.is_staff and actor.role in ("chair", "admin")):
        raise Forbidden(f"Only the chair can {doing}.")


def chair_conference(db: Database, actor: Actor, conference_id: int, doing: str) -> dict:
    """Return an open conference the chair may change, or refuse with a plain reason."""
    require_chair(actor, doing)
    return open_conference(db, actor, conference_id)


def require_recorder(actor: Actor, doing: str) -> None:
    """Refuse anyone but the chair or the minute-taker (or an admin standing in)."""
    if not (actor.is_staff and actor.role in ("chair", "admin", "minute_taker")):
        raise Forbidden(f"Only the chair or the minute-taker can {doing}.")


def open_conference(db: Database, actor: Actor, conference_id: int) -> dict:
    """Return a conference ``actor`` may know of, refusing if it is closed."""
    conference = conferences.load(db, actor, conference_id)
    conferences.require_open(conference)
    return conference


def require_admitted(actor: Actor, conference_id: int) -> None:
    """Refuse anyone who is not staff or an admitted participant of this conference."""
    if actor.is_staff:
        return
    if actor.kind != "participant" or actor.conference_id != conference_id:
        raise NotFound("There is no such conference, or you are not part of it.")
    if actor.status == "waiting":
        raise Forbidden("The chair has not let you in yet. Please wait.", code="waiting")
    if actor.status != "admitted":
        raise Forbidden("You are no longer part of this meeting.", code="not_admitted")


def participant_actor(participant: dict) -> Actor:
    """Return the actor for a participant row."""
    return Actor(
        "participant",
        participant["id"],
        participant["name"],
        participant["role"],
        None,
        participant["conference_id"],
        participant["status"],
    )


def find_participant(db: Database, conference_id: int, token: str | None) -> Actor | None:
    """Return the participant whose token this is, if it belongs to ``conference_id``."""
    if not token:
        return None
    participant = queries.participant_by_token_hash(db, token_hash(token))
    if participant is None or participant["conference_id"] != conference_id:
        return None
    return participant_actor(participant)


def conference_for_code(db: Database, code: str) -> dict:
    """Return the conference a join code (as typed or in a link) names, or refuse the code."""
    normalised = conferences.normalise_join_code(code)
    conference = queries.conference_by_code(db, normalised) if normalised else None
    if conference is None:
        raise Invalid(
            "code: that join code is not right. Check it with the chair, or scan the QR code "
            "on the screen.",
            field="code",
        )
    return conference


def join(
    db: Database, data: dict, before_joining: Callable[[dict], None] | None = None
) -> tuple[dict, str]:
    """Put a person in the waiting room; return (participant, their secret token).

    ``before_joining(conference)`` runs once the code is known to be right, before anything is
    written; it may refuse (the views pass the per-meeting rate limit).
    """
    new = parse(JoinIn, data)
    conference = conference_for_code(db, new.code)
    if conference["status"] == "closed":
        raise Conflict(
            "This meeting has finished, so its join code no longer works.", code="closed"
        )
    if new.role == "professional" and not new.agency:
        raise Invalid("agency: say which organisation you are from.", field="agency")
    if before_joining is not None:
        before_joining(conference)
    token = new_token()
    now = clock.stamp()
    with transaction(db) as tx:
        participant_id = queries.insert_participant(
            tx.db,
            {
                "conference_id": conference["id"],
                "name": new.name,
                "role": new.role,
                "agency": new.agency or None,
                "job_title": new.job_title or None,
                "relationship": new.relationship or None,
                "status": "waiting",
                "token_hash": token_hash(token),
                "joined_at": now,
            },
        )
        audit.record(
            tx,
            Actor("participant", participant_id, new.name, new.role),
            "participant.join",
            conference["id"],
            {"participant_id": participant_id},
        )
        changed(tx, conference["id"], "participants")
    return queries.participant(db, participant_id), token


def _set_status(
    db: Database,
    actor: Actor,
    conference_id: int,
    participant_id: int,
    status: str,
    verb: str,
    allowed_from: tuple[str, ...],
) -> dict:
    chair_conference(db, actor, conference_id, f"{verb} people")
    participant = queries.participant(db, participant_id)
    if participant is None or participant["conference_id"] != conference_id:
        raise NotFound("There is no such person in this conference.")
    if participant["status"] not in allowed_from:
        raise Conflict(
            f"{participant['name']} is {participant['status'].replace('_', ' ')}, "
            f"so they cannot be {status.replace('_', ' ')}."
        )
    values: dict = {"status": status}
    if status == "admitted":
        values["admitted_at"] = clock.stamp()
    if status in ("removed", "turned_away"):
        values.update(removed_at=clock.stamp(), token_hash=None)
    with transaction(db) as tx:
        queries.update_participant(tx.db, participant_id, values)
        audit.record(
            tx, actor, f"participant.{status}", conference_id, {"participant_id": participant_id}
        )
        changed(tx, conference_id, "participants")
        tx.changed(ParticipantStatusChanged(conference_id, participant_id, status))
    return queries.participant(db, participant_id)


def admit(db: Database, actor: Actor, conference_id: int, participant_id: int) -> dict:
    """Let a waiting person into the meeting."""
    return _set_status(db, actor, conference_id, participant_id, "admitted", "admit", ("waiting",))


def turn_away(db: Database, actor: Actor, conference_id: int, participant_id: int) -> dict:
    """Turn a waiting person away; their link stops working."""
    return _set_status(
        db, actor, conference_id, participant_id, "turned_away", "turn away", ("waiting",)
    )


def remove(db: Database, actor: Actor, conference_id: int, participant_id: int) -> dict:
    """Remove a person from the meeting; their link stops working and their phone is cut off."""
    return _set_status(
        db, actor, conference_id, participant_id, "removed", "remove", ("waiting", "admitted")
    )


class ApologyIn(Payload):
    name: str = Field(min_length=1, max_length=120)
    role: Literal["professional", "family", "child", "advocate", "interpreter", "observer"]
    agency: str | None = Field(default=None, max_length=120)


def record_apologies(db: Database, actor: Actor, conference_id: int, data: dict) -> dict:
    """Record someone who sent apologies (they will not attend)."""
    return _add_person(db, actor, conference_id, data, "apologies", "record apologies")


def add_without_phone(db: Database, actor: Actor, conference_id: int, data: dict) -> dict:
    """Add someone who is in the room (or on the phone line) without a device of their own."""
    return _add_person(db, actor, conference_id, data, "admitted", "add people")


def _add_person(
    db: Database, actor: Actor, conference_id: int, data: dict, status: str, doing: str
) -> dict:
    chair_conference(db, actor, conference_id, doing)
    person = parse(ApologyIn, data)
    now = clock.stamp()
    with transaction(db) as tx:
        participant_id = queries.insert_participant(
            tx.db,
            {
                "conference_id": conference_id,
                "name": person.name,
                "role": person.role,
                "agency": person.agency or None,
                "status": status,
                "joined_at": now,
                "admitted_at": now if status == "admitted" else None,
            },
        )
        action = "participant.apologies" if status == "apologies" else "participant.add"
        audit.record(tx, actor, action, conference_id, {"participant_id": participant_id})
        changed(tx, conference_id, "participants")
    return queries.participant(db, participant_id)


def set_stage(db: Database, actor: Actor, conference_id: int, data: object) -> int:
    """Move the room to another stage; the first move out of the lobby starts the meeting."""
    conference = chair_conference(db, actor, conference_id, "move the meeting to another stage")
    new = parse(StageIn, data)
    if new.stage not in STAGE_KEYS:
        raise Invalid(f"stage: must be one of {', '.join(STAGE_KEYS)}.", field="stage")
    values: dict = {"stage": new.stage}
    if conference["status"] == "scheduled" and new.stage != "lobby":
        values.update(status="live", started_at=clock.stamp())
    with transaction(db) as tx:
        queries.update_conference(tx.db, conference_id, values)
        audit.record(tx, actor, "stage.set", conference_id, {"stage": new.stage})
        return changed(tx, conference_id, "stage")


def set_closed_session(db: Database, actor: Actor, conference_id: int, on: bool) -> int:
    """Start or end a closed session (family members asked to step out)."""
    conference = chair_conference(db, actor, conference_id, "start or end a closed session")
    if bool(conference["closed_session"]) == on:
        state = "already on" if on else "not on"
        raise Conflict(f"The closed session is {state}.")
    now = clock.stamp()
    with transaction(db) as tx:
        queries.update_conference(tx.db, conference_id, {"closed_session": int(on)})
        if on:
            queries.start_closed_session(tx.db, conference_id, now)
        else:
            queries.end_closed_session(tx.db, conference_id, now)
        audit.record(
            tx, actor, "closed_session.start" if on else "closed_session.end", conference_id
        )
        return changed(tx, conference_id, "closed_session")


def mark_statement(
    db: Database, actor: Actor, conference_id: int, data: object, known_keys: list[str]
) -> int:
    """Tick (or untick) a council statement as read out."""
    chair_conference(db, actor, conference_id, "tick off the statements")
    statement = parse(StatementIn, data)
    if statement.key not in known_keys:
        raise Invalid(f"key: must be one of {', '.join(known_keys)}.", field="key")
    with transaction(db) as tx:
        if statement.read:
            queries.mark_statement_read(tx.db, conference_id, statement.key, clock.stamp())
        else:
            queries.unmark_statement_read(tx.db, conference_id, statement.key)
        audit.record(
            tx,
            actor,
            "statement.read",
            conference_id,
            {"key": statement.key, "read": statement.read},
        )
        return changed(tx, conference_id, "statements")


def record_read(db: Database, actor: Actor, conference_id: int, report_id: int) -> None:
    """Record that a participant opened a report (the chair sees read receipts)."""
    if actor.kind != "participant":
        return
    with transaction(db) as tx:
        if queries.record_report_read(tx.db, report_id, actor.id, clock.stamp()):
            audit.record(tx, actor, "report.read", conference_id, {"report_id": report_id})
            changed(tx, conference_id, "reads")
