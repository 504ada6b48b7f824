"""The safety plan, written live: add, change, reorder and remove actions; accept or discard drafts.

The chair and the minute-taker write it as the room talks. An action added during a closed
session is restricted: it stays with the professionals. Advice about vague or ownerless actions
is shown to staff (rules/plan.py) but never refuses a write.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, queries
from ..access import Actor
from ..changes import conference_changed
from ..db import transaction
from ..errors import Invalid, NotFound
from ..schemas import Payload, parse
from . import conferences
from .live import open_conference, require_recorder

Kind = Literal["immediate", "contingency", "long_term"]


class ActionIn(Payload):
    child_id: int | None = None
    what: str = Field(min_length=1, max_length=2000)
    who: str = Field(default="", max_length=300)
    by_when: str = Field(default="", max_length=200)
    how_we_know: str | None = Field(default=None, max_length=2000)
    kind: Kind
    restricted: bool = False


class ActionUpdateIn(Payload):
    action_id: int
    child_id: int | None = None
    what: str | None = Field(default=None, min_length=1, max_length=2000)
    who: str | None = Field(default=None, max_length=300)
    by_when: str | None = Field(default=None, max_length=200)
    how_we_know: str | None = Field(default=None, max_length=2000)
    kind: Kind | None = None
    restricted: bool | None = None


class ActionIdIn(Payload):
    action_id: int


class ReorderIn(Payload):
    order: list[int] = Field(min_length=1, max_length=500)


def require_plan_writer(actor: Actor) -> None:
    require_recorder(actor, "change the plan")


def _check_child(db: Database, conference_id: int, child_id: int | None) -> None:
    if child_id is not None and child_id not in {
        child["id"] for child in queries.children(db, conference_id)
    }:
        raise Invalid(
            "child_id: there is no such child in this conference; leave it empty for all children.",
            field="child_id",
        )


def _action(db: Database, conference_id: int, action_id: int) -> dict:
    found = queries.plan_action(db, action_id)
    if found is None or found["conference_id"] != conference_id:
        raise NotFound(
            "action_id: there is no such plan action in this conference.", field="action_id"
        )
    return found


def _writable(db: Database, actor: Actor, conference_id: int) -> dict:
    require_plan_writer(actor)
    return open_conference(db, actor, conference_id)


def action_out(action: dict) -> dict:
    return {
        "id": action["id"],
        "child_id": action["child_id"],
        "what": action["what"],
        "who": action["who"],
        "by_when": action["by_when"],
        "how_we_know": action["how_we_know"],
        "kind": action["kind"],
        "position": action["position"],
        "draft": bool(action["draft"]),
        "restricted": bool(action["restricted"]),
        "progress": action["progress"],
        "progress_note": action["progress_note"],
        "carried_from_id": action["carried_from_id"],
    }


def add(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Add an action at the end of the plan; return it."""
    _writable(db, actor, conference_id)
    new = parse(ActionIn, data)
    _check_child(db, conference_id, new.child_id)
    now = clock.stamp()
    with transaction(db) as tx:
        conference = conferences.require_still_open(tx, conference_id)
        action_id = queries.insert_plan_action(
            tx.db,
            {
                "conference_id": conference_id,
                "child_id": new.child_id,
                "what": new.what,
                "who": new.who,
                "by_when": new.by_when,
                "how_we_know": new.how_we_know or None,
                "kind": new.kind,
                "position": queries.next_plan_position(tx.db, conference_id),
                "restricted": int(new.restricted or bool(conference["closed_session"])),
                "created_at": now,
                "updated_at": now,
            },
        )
        audit.record(tx, actor, "action.add", conference_id, {"action_id": action_id})
        conference_changed(tx, conference_id, "plan")
    return action_out(queries.plan_action(db, action_id))


def update(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Change the fields given of one action; return it."""
    _writable(db, actor, conference_id)
    change = parse(ActionUpdateIn, data)
    given = change.model_dump(exclude_unset=True, exclude={"action_id"})
    if not given:
        raise Invalid("Say what to change: what, who, by_when, how_we_know, kind or child_id.")
    for field in ("what", "kind", "restricted"):
        if field in given and given[field] is None:
            raise Invalid(f"{field}: must not be empty.", field=field)
    if "child_id" in given:
        _check_child(db, conference_id, given["child_id"])
    values = {
        key: (int(value) if isinstance(value, bool) else value) for key, value in given.items()
    }
    if "who" in values:
        values["who"] = values["who"] or ""
    if "by_when" in values:
        values["by_when"] = values["by_when"] or ""
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        _action(tx.db, conference_id, change.action_id)
        queries.update_plan_action(tx.db, change.action_id, {**values, "updated_at": clock.stamp()})
        audit.record(
            tx,
            actor,
            "action.update",
            conference_id,
            {"action_id": change.action_id, "fields": sorted(given)},
        )
        conference_changed(tx, conference_id, "plan")
    return action_out(queries.plan_action(db, change.action_id))


def remove(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Remove an action (or discard a draft); return what was removed."""
    _writable(db, actor, conference_id)
    which = parse(ActionIdIn, data)
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        gone = _action(tx.db, conference_id, which.action_id)
        queries.delete_plan_action(tx.db, which.action_id)
        audit.record(
            tx,
            actor,
            "action.remove",
            conference_id,
            {"action_id": which.action_id, "draft": bool(gone["draft"])},  # no text: see audit.py
        )
        conference_changed(tx, conference_id, "plan")
    return {"id": which.action_id, "removed": True}


def accept(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Make a draft (from a "one point up" answer) a real action at the end of the plan."""
    _writable(db, actor, conference_id)
    which = parse(ActionIdIn, data)
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        draft = _action(tx.db, conference_id, which.action_id)
        if not draft["draft"]:
            raise Invalid("action_id: that action is already in the plan.", field="action_id")
        queries.update_plan_action(
            tx.db,
            which.action_id,
            {
                "draft": 0,
                "position": queries.next_plan_position(tx.db, conference_id),
                "updated_at": clock.stamp(),
            },
        )
        audit.record(tx, actor, "action.accept", conference_id, {"action_id": which.action_id})
        conference_changed(tx, conference_id, "plan")
    return action_out(queries.plan_action(db, which.action_id))


def reorder(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Put the plan's actions in the order given (every action of the plan, each once)."""
    _writable(db, actor, conference_id)
    order = parse(ReorderIn, data).order
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        current = [a["id"] for a in queries.plan_actions(tx.db, conference_id) if not a["draft"]]
        if len(set(order)) != len(order) or set(order) != set(current):
            raise Invalid(
                "order: list every action of the plan exactly once (drafts are not part of it).",
                field="order",
            )
        for position, action_id in enumerate(order):
            queries.update_plan_action(tx.db, action_id, {"position": position})
        audit.record(tx, actor, "action.reorder", conference_id, {"order": order})
        conference_changed(tx, conference_id, "plan")
    return {"order": order}
