"""Review conferences: start from what was agreed last time.

Creating a review (services/conferences.create with ``reviews``) calls ``carry_forward`` inside
its transaction: the last plan's actions come across to be marked done, in progress, not done or
no longer needed, and the same professionals are asked again (each gets a new link when the chair
makes one). In the meeting the chair can show the room each child's scale then and now, and sees
each child's previous decision and history flags when recording today's.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, queries
from ..access import Actor
from ..changes import conference_changed
from ..db import transaction
from ..errors import Invalid, NotFound
from ..rules import dates
from ..rules import decisions as decision_rules
from ..rules import review as rules
from ..schemas import Payload, parse
from . import conferences
from .live import require_chair
from .plan import require_plan_writer


class ProgressIn(Payload):
    action_id: int
    progress: Literal["done", "in_progress", "not_done", "no_longer_needed"]
    note: str | None = Field(default=None, max_length=2000)


class TrendIn(Payload):
    child_id: int | None


def conference_day(conference: dict) -> date:
    return dates.parse_iso_datetime(conference["scheduled_for"]).astimezone(dates.LONDON).date()


# -- carrying forward -----------------------------------------------------------------------


def carry_forward(
    tx, actor: Actor, earlier: dict, conference_id: int, child_map: dict[int, int]
) -> list[tuple[int, str]]:
    """Copy the earlier plan and invitations into the new review, inside ``tx``.

    ``child_map`` maps each earlier child id to its new id. Returns (invitation id, token) for
    each professional asked again.
    """
    from . import reports

    now = clock.stamp()
    position = 0
    for action in queries.plan_actions(tx.db, earlier["id"]):
        if action["draft"]:
            continue
        if action["child_id"] is not None and action["child_id"] not in child_map:
            continue  # a child not carried forward (the chair left them out)
        queries.insert_plan_action(
            tx.db,
            {
                "conference_id": conference_id,
                "child_id": child_map.get(action["child_id"]),
                "what": action["what"],
                "who": action["who"],
                "by_when": action["by_when"],
                "how_we_know": action["how_we_know"],
                "kind": action["kind"],
                "position": position,
                "restricted": action["restricted"],
                "carried_from_id": action["id"],
                "created_at": now,
                "updated_at": now,
            },
        )
        position += 1
    review = queries.conference(tx.db, conference_id)
    template = reports.template_for(tx.db, review, None).key
    asked, seen = [], set()
    for invitation in queries.invitations(tx.db, earlier["id"]):
        who = (invitation["name"], invitation["agency"])
        if invitation["revoked_at"] or who in seen:
            continue
        seen.add(who)
        asked.append(
            reports.write_invitation(tx, actor, conference_id, *who, invitation["email"], template)
        )
    audit.record(
        tx,
        actor,
        "review.carry_forward",
        conference_id,
        {"reviews": earlier["id"], "actions": position, "invitations": len(asked)},
    )
    return asked


# -- progress on the last plan --------------------------------------------------------------


def set_progress(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Mark an action carried from the last plan done, in progress, not done or not needed."""
    from .plan import action_out

    require_plan_writer(actor)
    conference = conferences.load(db, actor, conference_id)
    conferences.require_open(conference)
    new = parse(ProgressIn, data)
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        action = queries.plan_action(tx.db, new.action_id)
        if action is None or action["conference_id"] != conference_id:
            raise NotFound(
                "action_id: there is no such plan action in this conference.", field="action_id"
            )
        if action["carried_from_id"] is None:
            raise Invalid(
                "action_id: progress is marked on actions carried from the last plan; this one "
                "is new today.",
                field="action_id",
            )
        queries.update_plan_action(
            tx.db,
            new.action_id,
            {
                "progress": new.progress,
                "progress_note": new.note or None,
                "updated_at": clock.stamp(),
            },
        )
        audit.record(
            tx,
            actor,
            "action.progress",
            conference_id,
            {"action_id": new.action_id, "progress": new.progress},
        )
        conference_changed(tx, conference_id, "plan")
    return action_out(queries.plan_action(db, new.action_id))


# -- the scale, then and now ----------------------------------------------------------------


def _period_rows(db: Database, conference: dict, child_id: int) -> dict:
    return {
        "conference_id": conference["id"],
        "day": conference_day(conference),
        "rounds": queries.scale_rounds(db, conference["id"]),
        "answers": queries.revealed_answers_for(db, conference["id"], child_id),
        "closed_sessions": queries.closed_sessions(db, conference["id"]),
    }


def trend_rows(db: Database, conference: dict, child: dict) -> dict | None:
    """Read what one child's scale trend is made from, last time and today; None if new.

    ``rules.trend`` turns these rows into the trend; the live view and the exports both do.
    """
    earlier_child = (
        queries.child(db, child["carried_from_id"]) if child["carried_from_id"] else None
    )
    if earlier_child is None:
        return None
    earlier = queries.conference(db, earlier_child["conference_id"])
    return {
        "child_id": child["id"],
        "child_name": child["name"],
        "then": _period_rows(db, earlier, earlier_child["id"]),
        "now": _period_rows(db, conference, child["id"]),
    }


def trend(
    db: Database, conference: dict, child: dict, hide_closed_sessions: bool = False
) -> dict | None:
    """Return one child's revealed scale rounds last time and today, per group; None if new."""
    rows = trend_rows(db, conference, child)
    return rules.trend(rows, hide_closed_sessions) if rows is not None else None


def show_trend(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Show the room one child's scale then and now (``child_id``), or stop showing it (null)."""
    require_chair(actor, "show the scale trend")
    conference = conferences.load(db, actor, conference_id)
    conferences.require_open(conference)
    asked = parse(TrendIn, data)
    if asked.child_id is not None:
        child = queries.child(db, asked.child_id)
        if child is None or child["conference_id"] != conference_id:
            raise NotFound("child_id: there is no such child in this conference.", field="child_id")
        earlier = queries.child(db, child["carried_from_id"]) if child["carried_from_id"] else None
        if conference["reviews_id"] is None or earlier is None:
            raise Invalid(
                f"child_id: {child['name']} was not in an earlier conference, so there is no "
                "earlier scale to compare with.",
                field="child_id",
            )
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        queries.set_trend_child(tx.db, conference_id, asked.child_id)
        audit.record(tx, actor, "scale.trend", conference_id, {"child_id": asked.child_id})
        conference_changed(tx, conference_id, "scale")
    return {"child_id": asked.child_id}


# -- the decision in context ----------------------------------------------------------------


def history(db: Database, child: dict, council_id: int) -> list[tuple[dict, dict, dict]]:
    """Return the child's earlier (conference, child row, decision), oldest first.

    Followed back through the conferences each review carried the child from, and joined with
    other closed conferences of the council that recorded the same NHS or other ID.
    """
    found: dict[int, tuple[dict, dict, dict]] = {}
    link = queries.child(db, child["carried_from_id"]) if child["carried_from_id"] else None
    while link is not None and link["id"] not in found:
        conference = queries.conference(db, link["conference_id"])
        decision = queries.decision_for(db, link["id"])
        if decision is not None:
            found[link["id"]] = (conference, link, decision)
        link = queries.child(db, link["carried_from_id"]) if link["carried_from_id"] else None
    if child.get("identifier"):
        for other in queries.children_with_identifier(db, council_id, child["identifier"]):
            if other["id"] in found or other["conference_id"] == child["conference_id"]:
                continue
            decision = queries.decision_for(db, other["id"])
            if decision is not None:
                conference = queries.conference(db, other["conference_id"])
                found[other["id"]] = (conference, other, decision)
    return sorted(found.values(), key=lambda item: item[0]["scheduled_for"])


def context(db: Database, conference: dict, child: dict) -> dict:
    """Return the previous decision and the history flags for one child, for the chair."""
    past = history(db, child, conference["council_id"])
    flags = rules.history_flags(
        [rules.Past(conference_day(c), d["outcome"]) for c, _child, d in past],
        conference_day(conference),
    )
    previous = None
    if past:
        earlier, _row, decision = past[-1]
        categories = json.loads(decision["categories"])
        outcome = decision_rules.OUTCOMES[decision["outcome"]]
        previous = {
            "conference_id": earlier["id"],
            "date_text": dates.format_date(conference_day(earlier)),
            "outcome": decision["outcome"],
            "outcome_title": outcome.title,
            "categories": categories,
            "category_titles": decision_rules.category_titles(categories),
            "reasons": decision["reasons"],
        }
    return {"child_id": child["id"], "previous": previous, "flags": flags}


def previous_categories(db: Database, conference: dict, child: dict) -> list[str]:
    """Return the categories of the child's last decision (empty when none)."""
    past = history(db, child, conference["council_id"])
    return json.loads(past[-1][2]["categories"]) if past else []
