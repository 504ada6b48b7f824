"""The plan, the recommendations and the decisions as each audience sees them in the snapshot.

Everyone who is not on the holding screen sees the agreed plan (family and the shared screen
without what was recorded in a closed session) and each child's decision. Staff also get the
working record: drafts, advice on the plan, recommendations by agency, dissent, notes, and the
choices and proposed dates for the decision form.
"""

from __future__ import annotations

from sqlite_utils import Database

from . import la_settings, queries
from .rules import dates
from .rules import decisions as decision_rules
from .rules import plan as plan_rules
from .rules import review as review_rules
from .rules.visibility import may_see_closed_session_content, may_see_working_record
from .services import decisions as decision_service
from .services import review as review_service
from .services.plan import action_out
from .services.record import note_out


def _plan(actions: list[dict], audience: str, staff: bool) -> list[dict]:
    shown = []
    for action in actions:
        if action["draft"]:
            continue
        if action["restricted"] and not may_see_closed_session_content(audience):
            continue
        out = action_out(action)
        out["kind_title"] = plan_rules.KIND_TITLES[action["kind"]]
        out["kind_family_title"] = plan_rules.KIND_FAMILY_TITLES[action["kind"]]
        out["progress_title"] = review_rules.PROGRESS.get(action["progress"] or "")
        if staff:
            out["advice"] = plan_rules.action_checks(action)
        shown.append(out)
    return shown


def _decisions(db: Database, conference: dict, audience: str) -> list[dict]:
    children = {c["id"]: c for c in queries.children(db, conference["id"])}
    out = []
    for decision in queries.decisions(db, conference["id"]):
        shown = decision_service.decision_out(
            db, conference, decision, children[decision["child_id"]]
        )
        if not may_see_working_record(audience):
            shown.pop("flags")
        out.append(shown)
    return out


def _staff(db: Database, conference: dict, actions: list[dict], decisions: list[dict]) -> dict:
    settings = la_settings.get(db, conference["council_id"])
    participants = {p["id"]: p for p in queries.participants(db, conference["id"])}
    children = {c["id"]: c["name"] for c in queries.children(db, conference["id"])}
    users = queries.user_names(db, conference["council_id"])
    on_plan = [d["child_id"] for d in decisions if d["plan"]]
    latest = decision_service.limits(db, conference)
    return {
        "plan_drafts": [
            {
                "id": a["id"],
                "what": a["what"],
                "child_id": a["child_id"],
                "source_answer_id": a["source_answer_id"],
            }
            for a in actions
            if a["draft"]
        ],
        "plan_advice": [
            f"{children[child_id]} is on a child protection plan, and the plan has no "
            "“what if…” (contingency) action for them."
            for child_id in plan_rules.without_contingency(actions, on_plan)
        ],
        "recommendations": [
            decision_service.recommendation_out(rec)
            for rec in queries.recommendations(db, conference["id"])
        ],
        "dissents": [
            {
                "id": d["id"],
                "child_id": d["child_id"],
                "participant_id": d["participant_id"],
                "name": participants.get(d["participant_id"], {}).get("name", ""),
                "agency": participants.get(d["participant_id"], {}).get("agency") or "",
                "reason": d["reason"],
                "at": d["created_at"],
            }
            for d in queries.dissents(db, conference["id"])
        ],
        "notes": [note_out(n, users) for n in queries.notes(db, conference["id"])],
        "decision_form": {
            "outcomes": [
                {"key": o.key, "title": o.title, "plan": o.plan}
                for o in decision_rules.outcomes_for(conference["kind"])
            ],
            "categories": [
                {"key": c.key, "title": c.title, "code": c.code} for c in decision_rules.CATEGORIES
            ],
            "multiple_categories": settings.allow_multiple_categories,
            "core_group_by": latest.core_group_by.isoformat(),
            "core_group_by_text": dates.format_date(latest.core_group_by),
            "review_by": latest.review_by.isoformat(),
            "review_by_text": dates.format_date(latest.review_by),
        },
    }


def record_view(db: Database, conference: dict, audience: str) -> dict:
    """Return the plan and decisions for ``audience`` (and the working record for staff)."""
    actions = queries.plan_actions(db, conference["id"])
    staff = may_see_working_record(audience)
    decisions = _decisions(db, conference, audience)
    out = {"plan": _plan(actions, audience, staff), "decisions": decisions}
    if staff:
        out.update(_staff(db, conference, actions, decisions))
    if conference["reviews_id"] is not None:
        out.update(_review(db, conference, staff, not may_see_closed_session_content(audience)))
    return out


def _review(db: Database, conference: dict, staff: bool, hide_closed: bool) -> dict:
    """What a review adds: the conference it reviews, the trend shown, and (staff) context."""
    earlier = queries.conference(db, conference["reviews_id"])
    children = queries.children(db, conference["id"])
    out: dict = {
        "review": {
            "reviews_id": earlier["id"],
            "date_text": dates.format_date(review_service.conference_day(earlier)),
        },
        "trend": None,
    }
    shown = conference["trend_child_id"]
    for child in children:
        if child["id"] == shown:
            out["trend"] = review_service.trend(db, conference, child, hide_closed)
    if staff:
        out["trends"] = [t for c in children if (t := review_service.trend(db, conference, c))]
        out["decision_context"] = [review_service.context(db, conference, c) for c in children]
    return out
