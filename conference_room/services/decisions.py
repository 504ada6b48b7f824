"""Recommendations from each agency, the chair's decision per child, and recorded dissent.

Recommendations are not a vote: nothing is computed from them. The chair decides per child with
an outcome allowed for the conference's kind, a category exactly when a child protection plan
follows, reasons, and follow-up dates proposed by the working-day rules.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, la_settings, queries
from ..access import Actor
from ..changes import conference_changed
from ..db import transaction
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..rules import dates
from ..rules import decisions as rules
from ..schemas import Payload, parse
from . import conferences
from .live import open_conference, require_admitted, require_chair


class RecommendationIn(Payload):
    child_id: int
    plan: Literal["cp_plan", "cin_plan", "no_plan"]
    reason: str = Field(min_length=1, max_length=4000)
    on_behalf_of: int | None = None


class DecisionIn(Payload):
    child_id: int
    outcome: str = Field(min_length=1, max_length=40)
    categories: list[str] = Field(default_factory=list, max_length=4)
    reasons: str = Field(min_length=1, max_length=8000)
    lead_social_worker: str | None = Field(default=None, max_length=200)
    core_group_members: list[str] = Field(default_factory=list, max_length=40)
    core_group_on: str | None = Field(default=None, max_length=10)
    review_on: str | None = Field(default=None, max_length=10)


class DissentIn(Payload):
    child_id: int
    reason: str = Field(min_length=1, max_length=4000)


def conference_day(conference: dict) -> date:
    return dates.parse_iso_datetime(conference["scheduled_for"]).astimezone(dates.LONDON).date()


def limits(db: Database, conference: dict) -> rules.ProposedDates:
    """Return the latest first core group and review dates the rules allow for ``conference``."""
    settings = la_settings.get(db, conference["council_id"])
    return rules.proposed_dates(
        conference_day(conference), conference["kind"] == "review", settings.closure_days
    )


def _child(db: Database, conference_id: int, child_id: int) -> dict:
    for child in queries.children(db, conference_id):
        if child["id"] == child_id:
            return child
    raise NotFound("child_id: there is no such child in this conference.", field="child_id")


_writable = open_conference


# -- recommendations ------------------------------------------------------------------------


def _recommender(db: Database, actor: Actor, conference_id: int, on_behalf_of: int | None):
    """Return the participant row whose recommendation this is."""
    if on_behalf_of is not None:
        require_chair(actor, "enter a recommendation for someone else")
        person = queries.participant(db, on_behalf_of)
        if person is None or person["conference_id"] != conference_id:
            raise NotFound(
                "on_behalf_of: there is no such person in this conference.", field="on_behalf_of"
            )
    elif actor.is_staff:
        raise Invalid(
            "on_behalf_of: the chair enters a recommendation for a professional; say whose it is.",
            field="on_behalf_of",
        )
    else:
        require_admitted(actor, conference_id)
        person = queries.participant(db, actor.id)
    # The chair may enter one for a professional who sent apologies with a written view.
    allowed = ("admitted", "apologies") if on_behalf_of is not None else ("admitted",)
    if person["role"] != "professional" or person["status"] not in allowed:
        raise Forbidden(
            "Recommendations come from the professionals at the meeting. Family members are "
            "asked for their views, and the chair will listen to them before deciding."
        )
    return person


def recommend(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Store (or change) one professional's recommendation for one child; return it."""
    _writable(db, actor, conference_id)
    new = parse(RecommendationIn, data)
    _child(db, conference_id, new.child_id)
    person = _recommender(db, actor, conference_id, new.on_behalf_of)
    now = clock.stamp()
    values = {
        "plan": new.plan,
        "reason": new.reason,
        "agency": person["agency"] or "",
        "author_name": person["name"],
        "entered_by_user_id": actor.id if actor.is_staff else None,
        "created_at": now,
    }
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        existing = queries.recommendation_of(tx.db, new.child_id, person["id"])
        if existing:
            queries.update_recommendation(tx.db, existing["id"], values)
            rec_id = existing["id"]
        else:
            rec_id = queries.insert_recommendation(
                tx.db,
                {
                    **values,
                    "conference_id": conference_id,
                    "child_id": new.child_id,
                    "participant_id": person["id"],
                },
            )
        audit.record(
            tx,
            actor,
            "recommendation.submit",
            conference_id,
            {"recommendation_id": rec_id, "child_id": new.child_id, "plan": new.plan},
        )
        conference_changed(tx, conference_id, "recommendations")
    return {"id": rec_id, "child_id": new.child_id, "plan": new.plan, "reason": new.reason}


def recommendation_out(rec: dict) -> dict:
    return {
        "id": rec["id"],
        "child_id": rec["child_id"],
        "participant_id": rec["participant_id"],
        "agency": rec["agency"],
        "author_name": rec["author_name"],
        "plan": rec["plan"],
        "reason": rec["reason"],
        "entered_by_chair": rec["entered_by_user_id"] is not None,
        "at": rec["created_at"],
    }


def my_recommendations(db: Database, actor: Actor, conference_id: int) -> dict[str, dict]:
    """Return a professional's own recommendations by child id (for their phone only)."""
    if actor.kind != "participant":
        return {}
    return {
        str(rec["child_id"]): recommendation_out(rec)
        for rec in queries.recommendations(db, conference_id)
        if rec["participant_id"] == actor.id
    }


def my_dissents(db: Database, actor: Actor, conference_id: int) -> dict[str, list[dict]]:
    """Return a professional's own recorded disagreements by child id (for their phone only)."""
    if actor.kind != "participant":
        return {}
    mine: dict[str, list[dict]] = {}
    for dissent in queries.dissents(db, conference_id):
        if dissent["participant_id"] == actor.id:
            mine.setdefault(str(dissent["child_id"]), []).append(
                {"id": dissent["id"], "reason": dissent["reason"], "at": dissent["created_at"]}
            )
    return mine


# -- the decision ---------------------------------------------------------------------------


def _day(field: str, text: str | None) -> date | None:
    if text is None or text == "":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(
            f"{field}: write the date as year-month-day, for example 2027-03-18.", field=field
        ) from None


def _checked_decision(db: Database, conference: dict, new: DecisionIn) -> dict:
    """Apply every decision rule to ``new``; return the row values or raise Invalid."""
    problem = rules.check_outcome(conference["kind"], new.outcome)
    if problem:
        raise Invalid(problem, field="outcome")
    settings = la_settings.get(db, conference["council_id"])
    problem = rules.check_categories(
        new.outcome, new.categories, settings.allow_multiple_categories
    )
    if problem:
        raise Invalid(problem, field="categories")
    members = [m for m in new.core_group_members if m]
    if any(len(m) > 200 for m in members):
        raise Invalid("core_group_members: each name must be 200 characters or fewer.")
    core_group_on = _day("core_group_on", new.core_group_on)
    review_on = _day("review_on", new.review_on)
    outcome = rules.OUTCOMES[new.outcome]
    if not outcome.plan:
        for field, value in (("core_group_on", core_group_on), ("review_on", review_on)):
            if value is not None:
                raise Invalid(
                    f"{field}: there is no core group or review conference when the outcome is "
                    f"“{outcome.title}”; leave it empty.",
                    field=field,
                )
    else:
        latest = limits(db, conference)
        core_group_on = core_group_on or latest.core_group_by
        review_on = review_on or latest.review_by
        day = conference_day(conference)
        for field, value in (("core_group_on", core_group_on), ("review_on", review_on)):
            problem = rules.check_meeting_date(field, value, day, settings.closure_days)
            if problem:
                raise Invalid(problem, field=field)
    return {
        "outcome": new.outcome,
        "categories": json.dumps(new.categories),
        "reasons": new.reasons,
        "lead_social_worker": new.lead_social_worker or None,
        "core_group_members": json.dumps(members),
        "core_group_on": core_group_on.isoformat() if core_group_on else None,
        "review_on": review_on.isoformat() if review_on else None,
    }


def record_decision(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Record (or change, until the conference closes) the chair's decision for one child."""
    require_chair(actor, "record the decision")
    conference = _writable(db, actor, conference_id)
    new = parse(DecisionIn, data)
    _child(db, conference_id, new.child_id)
    values = _checked_decision(db, conference, new)
    values.update(decided_by=actor.id, decided_at=clock.stamp())
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        existing = queries.decision_for(tx.db, new.child_id)
        if existing:
            queries.update_decision(tx.db, existing["id"], values)
            decision_id = existing["id"]
        else:
            decision_id = queries.insert_decision(
                tx.db, {**values, "conference_id": conference_id, "child_id": new.child_id}
            )
        audit.record(
            tx,
            actor,
            "decision.record",
            conference_id,
            {
                "decision_id": decision_id,
                "child_id": new.child_id,
                "outcome": new.outcome,
                "categories": new.categories,
                "changed": existing is not None,
                "category_changed_from": _category_changed_from(
                    db, conference, _child(db, conference_id, new.child_id), new.categories
                ),
            },
        )
        conference_changed(tx, conference_id, "decision")
    return decision_out(
        db,
        conference,
        queries.decision_for(db, new.child_id),
        _child(db, conference_id, new.child_id),
    )


def decision_out(db: Database, conference: dict, decision: dict, child: dict) -> dict:
    """Return a decision with its plain titles, category code and the chair's date flags."""
    outcome = rules.OUTCOMES[decision["outcome"]]
    categories = json.loads(decision["categories"])
    core_group_on = _day("core_group_on", decision["core_group_on"])
    review_on = _day("review_on", decision["review_on"])
    dob = date.fromisoformat(child["date_of_birth"]) if child.get("date_of_birth") else None
    return {
        "id": decision["id"],
        "child_id": decision["child_id"],
        "outcome": decision["outcome"],
        "outcome_title": outcome.title,
        "outcome_family_title": outcome.family_title,
        "plan": outcome.plan,
        "categories": categories,
        "category_titles": rules.category_titles(categories),
        "category_code": rules.category_code(categories),
        "reasons": decision["reasons"],
        "lead_social_worker": decision["lead_social_worker"],
        "core_group_members": json.loads(decision["core_group_members"]),
        "core_group_on": decision["core_group_on"],
        "core_group_on_text": dates.format_date(core_group_on) if core_group_on else None,
        "review_on": decision["review_on"],
        "review_on_text": dates.format_date(review_on) if review_on else None,
        "decided_at": decision["decided_at"],
        "flags": rules.date_flags(core_group_on, review_on, limits(db, conference), dob),
        "category_changed_from": _category_changed_from(db, conference, child, categories),
    }


def _category_changed_from(
    db: Database, conference: dict, child: dict, categories: list[str]
) -> list[str] | None:
    """Return the last conference's categories when today's differ (a change of category)."""
    from ..rules.review import category_change
    from . import review

    before = review.previous_categories(db, conference, child)
    return before if category_change(before, categories) else None


# -- dissent --------------------------------------------------------------------------------


def dissent(db: Database, actor: Actor, conference_id: int, data: object) -> dict:
    """Record a professional's disagreement with the decision for one child, with their reason."""
    _writable(db, actor, conference_id)
    new = parse(DissentIn, data)
    if actor.is_staff:
        raise Forbidden(
            "Dissent is recorded by the professional who disagrees, from their own phone."
        )
    require_admitted(actor, conference_id)
    if actor.role != "professional":
        raise Forbidden(
            "Recording formal disagreement is for professionals. If you disagree with the "
            "decision, tell the chair now: your view goes in the record, and you can complain "
            "afterwards if you want to."
        )
    child = _child(db, conference_id, new.child_id)
    with transaction(db) as tx:
        conferences.require_still_open(tx, conference_id)
        if queries.decision_for(tx.db, new.child_id) is None:
            raise Conflict(
                f"child_id: there is no decision for {child['name']} yet to disagree with.",
                field="child_id",
            )
        dissent_id = queries.insert_dissent(
            tx.db,
            {
                "conference_id": conference_id,
                "child_id": new.child_id,
                "participant_id": actor.id,
                "reason": new.reason,
                "created_at": clock.stamp(),
            },
        )
        audit.record(
            tx,
            actor,
            "dissent.record",
            conference_id,
            {"dissent_id": dissent_id, "child_id": new.child_id},
        )
        conference_changed(tx, conference_id, "dissent")
    return {"id": dissent_id, "child_id": new.child_id, "reason": new.reason}
