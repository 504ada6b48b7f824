"""The safety scale: open a round, answer it (blind), close it, reveal it.

Rounds go open → closed → revealed; a revealed round never changes and re-scaling opens a new
round. Every answer keeps who gave it, when, and whether staff entered it on their behalf.
Scores are never written to the audit log, which staff can read before the reveal.
"""

from __future__ import annotations

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, queries
from ..access import Actor
from ..changes import conference_changed
from ..db import transaction
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..schemas import Payload, parse
from .live import open_conference, require_admitted, require_chair, require_recorder


class OpenIn(Payload):
    child_id: int | None = None
    label: str | None = Field(default=None, max_length=300)


class SubmitIn(Payload):
    round_id: int
    score: int = Field(ge=0, le=10)
    reason: str = Field(min_length=1, max_length=2000)
    next_step: str | None = Field(default=None, max_length=2000)
    client_id: str | None = Field(default=None, min_length=1, max_length=64)
    on_behalf_of: int | None = None


class RoundIn(Payload):
    round_id: int


class RevealIn(Payload):
    round_id: int
    show_names: bool = False


def _round(db: Database, conference_id: int, round_id: int) -> dict:
    found = queries.scale_round(db, round_id)
    if found is None or found["conference_id"] != conference_id:
        raise NotFound(
            "round_id: there is no such scale round in this conference.", field="round_id"
        )
    return found


_writable = open_conference


def answer_out(answer: dict) -> dict:
    """Return an answer as its giver (or the staff member who entered it) sees it."""
    return {
        "id": answer["id"],
        "round_id": answer["round_id"],
        "participant_id": answer["participant_id"],
        "score": answer["score"],
        "reason": answer["reason"],
        "next_step": answer["next_step"],
        "client_id": answer["client_id"],
        "on_behalf": answer["entered_by_user_id"] is not None,
        "created_at": answer["created_at"],
        "updated_at": answer["updated_at"],
    }


def open_round(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Open a round for one child (or all children together); return the round."""
    require_chair(actor, "open a scaling round")
    _writable(db, actor, conference_id)
    new = parse(OpenIn, data)
    if new.child_id is not None and new.child_id not in {
        child["id"] for child in queries.children(db, conference_id)
    }:
        raise Invalid("child_id: there is no such child in this conference.", field="child_id")
    with transaction(db) as tx:
        if queries.open_scale_round(tx.db, conference_id) is not None:
            raise Conflict("A scaling round is still open. Close it before opening another.")
        round_id = queries.insert_scale_round(
            tx.db,
            {
                "conference_id": conference_id,
                "child_id": new.child_id,
                "label": new.label or None,
                "status": "open",
                "opened_at": clock.stamp(),
            },
        )
        audit.record(
            tx,
            actor,
            "scale.open",
            conference_id,
            {"round_id": round_id, "child_id": new.child_id},
        )
        conference_changed(tx, conference_id, "scale")
    return queries.scale_round(db, round_id)


def _who_answers(db: Database, actor: Actor, conference_id: int, on_behalf_of: int | None) -> int:
    """Return the participant the answer belongs to, refusing anyone who may not give it."""
    if on_behalf_of is not None:
        if not actor.is_staff:
            raise Forbidden(
                "on_behalf_of: only the chair or minute-taker can answer for someone else.",
                field="on_behalf_of",
            )
        person = queries.participant(db, on_behalf_of)
        if person is None or person["conference_id"] != conference_id:
            raise NotFound(
                "on_behalf_of: there is no such person in this conference.", field="on_behalf_of"
            )
        if person["status"] != "admitted":
            raise Conflict(
                f"on_behalf_of: {person['name']} has not been let into the meeting, so they "
                "cannot be scaled for yet.",
                field="on_behalf_of",
            )
        return person["id"]
    if actor.is_staff:
        raise Invalid(
            "on_behalf_of: staff answer only for someone else; say whose answer this is.",
            field="on_behalf_of",
        )
    require_admitted(actor, conference_id)
    return actor.id


def submit(db: Database, actor: Actor, conference_id: int, data: object) -> tuple[dict, bool]:
    """Store (or change) an answer in an open round; return (the answer, whether it was new).

    A resend with a ``client_id`` already stored changes nothing and returns the current answer.
    """
    _writable(db, actor, conference_id)
    new = parse(SubmitIn, data)
    participant_id = _who_answers(db, actor, conference_id, new.on_behalf_of)
    with transaction(db) as tx:
        current = _round(tx.db, conference_id, new.round_id)
        if new.client_id and queries.scale_client_id_used(
            tx.db, conference_id, current["id"], participant_id, new.client_id
        ):
            existing = queries.scale_answer_of(tx.db, current["id"], participant_id)
            if existing is not None:
                return answer_out(existing), False
        if current["status"] != "open":
            raise Conflict(
                f"This scaling round is {current['status']}, so answers can no longer be given "
                "or changed.",
                field="round_id",
            )
        stored = queries.save_scale_answer(
            tx.db,
            {
                "round_id": current["id"],
                "participant_id": participant_id,
                "score": new.score,
                "reason": new.reason,
                "next_step": new.next_step or None,
                "client_id": new.client_id,
                "entered_by_user_id": actor.id if actor.is_staff else None,
                "at": clock.stamp(),
            },
        )
        audit.record(
            tx,
            actor,
            "scale.submit",
            conference_id,
            {
                "round_id": current["id"],
                "answer_id": stored["id"],
                "participant_id": participant_id,
                "client_id": new.client_id,
                "on_behalf": actor.is_staff,
            },
        )
        # An answer only goes into an open round: the record's trend (revealed rounds) stays.
        conference_changed(tx, conference_id, "scale_answer")
    return answer_out(stored), True


def close_round(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Close an open round: no more answers or changes."""
    require_chair(actor, "close a scaling round")
    _writable(db, actor, conference_id)
    which = parse(RoundIn, data)
    _round(db, conference_id, which.round_id)
    with transaction(db) as tx:
        current = _round(tx.db, conference_id, which.round_id)
        if current["status"] != "open":
            raise Conflict(f"This scaling round is already {current['status']}.", field="round_id")
        queries.update_scale_round(
            tx.db, current["id"], {"status": "closed", "closed_at": clock.stamp()}
        )
        audit.record(tx, actor, "scale.close", conference_id, {"round_id": current["id"]})
        conference_changed(tx, conference_id, "scale")
    return queries.scale_round(db, which.round_id)


def reveal_round(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Reveal a closed round to the room, with or without names; it never changes again."""
    require_chair(actor, "reveal a scaling round")
    _writable(db, actor, conference_id)
    which = parse(RevealIn, data)
    _round(db, conference_id, which.round_id)
    with transaction(db) as tx:
        current = _round(tx.db, conference_id, which.round_id)
        if current["status"] == "open":
            raise Conflict("Close the scaling round before revealing it.", field="round_id")
        if current["status"] == "revealed":
            raise Conflict("This scaling round has already been revealed.", field="round_id")
        queries.update_scale_round(
            tx.db,
            current["id"],
            {
                "status": "revealed",
                "show_names": int(which.show_names),
                "revealed_at": clock.stamp(),
            },
        )
        audit.record(
            tx,
            actor,
            "scale.reveal",
            conference_id,
            {"round_id": current["id"], "show_names": which.show_names},
        )
        conference_changed(tx, conference_id, "scale")
    return queries.scale_round(db, which.round_id)


def my_answers(db: Database, actor: Actor, conference_id: int) -> dict[str, dict]:
    """Return a participant's own answers by round id (for their phone only, never broadcast)."""
    if actor.kind != "participant":
        return {}
    return {
        str(answer["round_id"]): answer_out(answer)
        for answer in queries.scale_answers_by(db, conference_id, actor.id)
    }


class DraftIn(Payload):
    answer_id: int


def draft_action(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Turn a revealed "one point up" answer into a draft plan action to accept or discard."""
    require_recorder(actor, "draft plan actions")
    conference = _writable(db, actor, conference_id)
    which = parse(DraftIn, data)
    answer = queries.scale_answer(db, which.answer_id)
    round_ = queries.scale_round(db, answer["round_id"]) if answer else None
    if round_ is None or round_["conference_id"] != conference_id:
        raise NotFound("answer_id: there is no such answer in this conference.", field="answer_id")
    if round_["status"] != "revealed":
        raise Conflict(
            "answer_id: answers can be used for the plan once the round is revealed.",
            field="answer_id",
        )
    if not (answer["next_step"] or "").strip():
        raise Invalid(
            "answer_id: that answer says nothing about moving one point up.", field="answer_id"
        )
    now = clock.stamp()
    with transaction(db) as tx:
        if queries.plan_action_from_answer(tx.db, answer["id"]):
            raise Conflict(
                "answer_id: that answer is already a draft plan action.", field="answer_id"
            )
        action_id = queries.insert_plan_action(
            tx.db,
            {
                "conference_id": conference_id,
                "child_id": round_["child_id"],
                "what": answer["next_step"].strip()[:2000],
                "kind": "long_term",
                "draft": 1,
                "source_answer_id": answer["id"],
                # Recorded during a closed session, it stays with the professionals.
                "restricted": int(bool(conference["closed_session"])),
                "created_at": now,
                "updated_at": now,
            },
        )
        audit.record(tx, actor, "action.draft", conference_id, {"action_id": action_id})
        conference_changed(tx, conference_id, "plan")
    return {"id": action_id, "what": answer["next_step"].strip(), "draft": True}
