"""The client → server Socket.IO events: parse, call a service, answer. About ten lines each."""

from __future__ import annotations

from flask import request as flask_request
from pydantic import Field

from . import la_settings, presenters, queries
from .errors import Forbidden
from .realtime import (
    event,
    joined,
    present,
    seat,
    socket_actor,
    socketio,
    wait_for_admission,
)
from .schemas import Payload, parse
from .services import conferences, decisions, live, plan, record, review, scaling


class NoPayload(Payload):
    """The data of an event that takes none: ``{}`` (a field we do not know is refused)."""


class JoinIn(Payload):
    conference_id: int
    view: str | None = Field(default=None, pattern="^screen$")
    parts: bool = False  # conference.changed then holds only what changed (realtime.py)


def _db():
    from .db import get_db

    return get_db()


@event("conference.join")
def conference_join(payload: dict) -> dict:
    """Join a conference's rooms and return this viewer's snapshot."""
    asked = parse(JoinIn, payload)
    db = _db()
    actor = socket_actor(db, asked.conference_id)
    conference = conferences.load(db, actor, asked.conference_id)
    if actor.kind == "participant" and actor.status == "waiting":
        wait_for_admission(asked.conference_id, actor.id)
    live.require_admitted(actor, asked.conference_id)
    audience = actor.audience
    if asked.view == "screen":
        if not actor.is_staff:
            raise Forbidden("Only the chair can open the shared screen.")
        audience = "screen"
    participant_id = actor.id if actor.kind == "participant" else None
    seat(asked.conference_id, audience, participant_id, parts=asked.parts)
    viewer = {
        "name": actor.name,
        "role": actor.role,
        "participant_id": participant_id,
        "my_answers": scaling.my_answers(db, actor, asked.conference_id),
        "my_recommendations": decisions.my_recommendations(db, actor, asked.conference_id),
        "my_dissents": decisions.my_dissents(db, actor, asked.conference_id),
    }
    state = presenters.snapshot(db, conference, audience, viewer, present(asked.conference_id))
    # The contract's conference.state event carries the same snapshot as the ack, to this socket.
    socketio.emit("conference.state", state, to=flask_request.sid)
    return {"state": state}


@event("stage.set")
def stage_set(payload: dict) -> dict:
    """Move the room to another stage (chair)."""
    current, actor = joined()
    return {"version": live.set_stage(_db(), actor, current.conference_id, payload)}


@event("closed_session.start")
def closed_session_start(payload: dict) -> dict:
    """Ask family members to step out: their phones show a holding screen (chair)."""
    current, actor = joined()
    parse(NoPayload, payload)
    return {"version": live.set_closed_session(_db(), actor, current.conference_id, True)}


@event("closed_session.end")
def closed_session_end(payload: dict) -> dict:
    """End the closed session: family phones get the meeting back (chair)."""
    current, actor = joined()
    parse(NoPayload, payload)
    return {"version": live.set_closed_session(_db(), actor, current.conference_id, False)}


@event("statement.read")
def statement_read(payload: dict) -> dict:
    """Tick a council statement as read out (chair)."""
    current, actor = joined()
    db = _db()
    council_id = queries.conference(db, current.conference_id)["council_id"]
    keys = [s.key for s in la_settings.get(db, council_id).statements]
    return {"version": live.mark_statement(db, actor, current.conference_id, payload, keys)}


@event("scale.open")
def scale_open(payload: dict) -> dict:
    """Open a blind scaling round for one child or all children (chair)."""
    current, actor = joined()
    opened = scaling.open_round(_db(), actor, current.conference_id, payload)
    return {"round_id": opened["id"]}


@event("scale.submit")
def scale_submit(payload: dict) -> dict:
    """Give or change a score with reasons; staff may answer on someone's behalf."""
    current, actor = joined()
    answer, stored = scaling.submit(_db(), actor, current.conference_id, payload)
    return {"answer": answer, "duplicate": not stored}


@event("scale.close")
def scale_close(payload: dict) -> dict:
    """Close a scaling round: no more answers (chair)."""
    current, actor = joined()
    return {"round_id": scaling.close_round(_db(), actor, current.conference_id, payload)["id"]}


@event("scale.reveal")
def scale_reveal(payload: dict) -> dict:
    """Reveal a closed round to the room, names shown or not (chair)."""
    current, actor = joined()
    return {"round_id": scaling.reveal_round(_db(), actor, current.conference_id, payload)["id"]}


@event("action.draft")
def action_draft(payload: dict) -> dict:
    """Make a draft plan action from a revealed "one point up" answer (chair, minute-taker)."""
    current, actor = joined()
    return {"action": scaling.draft_action(_db(), actor, current.conference_id, payload)}


@event("action.add")
def action_add(payload: dict) -> dict:
    """Add a safety-plan action as the room agrees it (chair, minute-taker)."""
    current, actor = joined()
    return {"action": plan.add(_db(), actor, current.conference_id, payload)}


@event("action.update")
def action_update(payload: dict) -> dict:
    """Change some fields of a plan action (chair, minute-taker)."""
    current, actor = joined()
    return {"action": plan.update(_db(), actor, current.conference_id, payload)}


@event("action.remove")
def action_remove(payload: dict) -> dict:
    """Remove a plan action, or discard a draft (chair, minute-taker)."""
    current, actor = joined()
    return plan.remove(_db(), actor, current.conference_id, payload)


@event("action.accept")
def action_accept(payload: dict) -> dict:
    """Put a draft action (from a "one point up" answer) into the plan (chair, minute-taker)."""
    current, actor = joined()
    return {"action": plan.accept(_db(), actor, current.conference_id, payload)}


@event("action.reorder")
def action_reorder(payload: dict) -> dict:
    """Put the plan's actions in a new order (chair, minute-taker)."""
    current, actor = joined()
    return plan.reorder(_db(), actor, current.conference_id, payload)


@event("recommendation.submit")
def recommendation_submit(payload: dict) -> dict:
    """Give (or change) a professional's recommendation for a child; the chair may enter one."""
    current, actor = joined()
    return {"recommendation": decisions.recommend(_db(), actor, current.conference_id, payload)}


@event("decision.record")
def decision_record(payload: dict) -> dict:
    """Record (or change) the decision, category and reasons for a child (chair)."""
    current, actor = joined()
    return {"decision": decisions.record_decision(_db(), actor, current.conference_id, payload)}


@event("dissent.record")
def dissent_record(payload: dict) -> dict:
    """Record a professional's disagreement with a child's decision, with a reason."""
    current, actor = joined()
    return {"dissent": decisions.dissent(_db(), actor, current.conference_id, payload)}


@event("note.add")
def note_add(payload: dict) -> dict:
    """Write a note against a stage, perhaps about one child (minute-taker, chair)."""
    current, actor = joined()
    return {"note": record.add_note(_db(), actor, current.conference_id, payload)}


@event("conference.close")
def conference_close(payload: dict) -> dict:
    """Close the conference once every child has a decision; the record becomes final (chair)."""
    current, actor = joined()
    parse(NoPayload, payload)
    return record.close(_db(), actor, current.conference_id)


@event("action.progress")
def action_progress(payload: dict) -> dict:
    """Mark an action carried from the last plan done, in progress, not done or not needed."""
    current, actor = joined()
    return {"action": review.set_progress(_db(), actor, current.conference_id, payload)}


@event("scale.trend")
def scale_trend(payload: dict) -> dict:
    """Show the room one child's scale last time and today, or stop showing it (chair)."""
    current, actor = joined()
    return review.show_trend(_db(), actor, current.conference_id, payload)
