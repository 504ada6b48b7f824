"""What an export holds: the rows of one conference (source.read), filtered once for its audience.

``build`` is pure — rows in, the document's data out — so the CPU-heavy part of an export
(plain text of every report, then the file itself) can run in the server's helper process.

The data ``build`` returns *is* the JSON export; README "Exports" documents every field. The
visibility rules of DESIGN.md §4 are applied here and nowhere else, so every format leaves out
the same things: ``family`` gets no restricted report sections, no reports that were not shared
with the family, nothing recorded during a closed session (notes, plan actions, scaling rounds
and a review's trend of them, recommendations, dissent), no scores of a round that was never
revealed (nobody gets those), no names on a revealed round unless the chair showed names, and
none of the working record (drafts, the chair's advice, date flags).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from .. import la_settings, report_templates
from ..rendering import plain_text, strip_hidden
from ..rules import dates
from ..rules import plan as plan_rules
from ..rules import review as review_rules
from ..rules import scale as scale_rules
from ..rules.stages import STAGES
from ..rules.visibility import (
    made_in_closed_session,
    may_see_closed_session_content,
    may_see_report,
    may_see_restricted,
)
from ..services import conferences as conference_service
from ..services import decisions as decision_service
from ..services import reports as report_service
from .source import Source

FORMAT_VERSION = 1
# The export audiences and the viewer each one reads as (rules/visibility.py).
VIEWS = {"full": "staff", "family": "family"}
ROLE_TITLES = {
    "professional": "Professional",
    "family": "Family member",
    "child": "Child or young person",
    "advocate": "Advocate",
    "interpreter": "Interpreter",
    "observer": "Observer",
}
STAFF_TITLES = {"chair": "Chair", "minute_taker": "Minute-taker", "admin": "Chair"}
RECOMMENDATION_TITLES = {
    "cp_plan": "Child protection plan",
    "cin_plan": "Child in need plan",
    "no_plan": "No plan",
}
RECOMMENDATION_FAMILY_TITLES = {
    "cp_plan": "A child protection plan",
    "cin_plan": "A 'child in need' plan of support",
    "no_plan": "No plan",
}
ALL_CHILDREN = "All children"


# -- small helpers ----------------------------------------------------------------------------


@lru_cache(maxsize=512)
def report_text(markdown: str) -> str:
    """Return a report section's words without markup (kept: a minute-taker downloads several
    files of one record in a row, and a sent report's text no longer changes)."""
    return plain_text(markdown)


def clean(text: str | None) -> str:
    """Return a short typed field as plain text: no hidden or direction-changing characters."""
    return plain_text(text or "", from_markdown=False)


def _age_text(child: dict, on: date) -> str:
    if child["expected_date"]:
        return "Not born yet"
    age = dates.age_on(date.fromisoformat(child["date_of_birth"]), on)
    return f"{age} year{'s' if age != 1 else ''} old"


# -- the parts of the document ----------------------------------------------------------------


def _conference(source: Source, family: bool) -> dict:
    conference = source.conference
    kind = conference_service.kind_of(source.settings, conference)
    kind_name = conference_service.kind_name(source.settings, conference)
    if family and kind is not None:
        kind_name = kind.family_name
    scheduled = dates.parse_iso_datetime(conference["scheduled_for"])
    chairs = []
    for decision in source.decisions:
        user = source.users.get(decision["decided_by"])
        if user and clean(user["name"]) not in chairs:
            chairs.append(clean(user["name"]))
    return {
        "id": conference["id"],
        "title": clean(conference["title"]),
        "kind": conference["kind"],
        "kind_name": clean(kind_name),
        "scheduled_for": conference["scheduled_for"],
        "date": decision_service.conference_day(conference).isoformat(),
        "when_text": dates.format_datetime(scheduled),
        "venue": clean(conference["venue"]) or None,
        "status": conference["status"],
        "closed_at": conference["closed_at"],
        "chair": chairs,
    }


def _decision(decision: dict, users: dict[int, dict]) -> dict:
    out = {
        "outcome": decision["outcome"],
        "outcome_title": decision["outcome_title"],
        "outcome_family_title": decision["outcome_family_title"],
        "plan": decision["plan"],
        "categories": decision["categories"],
        "category_titles": decision["category_titles"],
        "category_code": decision["category_code"],
        "reasons": clean(decision["reasons"]),
        "lead_social_worker": clean(decision["lead_social_worker"]) or None,
        "core_group_members": [clean(name) for name in decision["core_group_members"]],
        "core_group_on": decision["core_group_on"],
        "core_group_on_text": decision["core_group_on_text"],
        "review_on": decision["review_on"],
        "review_on_text": decision["review_on_text"],
        "decided_at": decision["decided_at"],
    }
    user = users.get(decision["decided_by"])
    out["decided_by"] = clean(user["name"]) if user else None
    return out


def _children(source: Source, family: bool) -> list[dict]:
    day = decision_service.conference_day(source.conference)
    decisions = {d["child_id"]: d for d in source.decisions}
    out = []
    for child in source.children:
        entry = {
            "id": child["id"],
            "name": clean(child["name"]),
            "date_of_birth": child["date_of_birth"],
            "expected_date": child["expected_date"],
            "unborn": child["expected_date"] is not None,
            "age_text": _age_text(child, day),
        }
        if not family:
            entry["identifier"] = clean(child["identifier"]) or None
        decision = decisions.get(child["id"])
        entry["decision"] = _decision(decision, source.users) if decision else None
        out.append(entry)
    return out


def _plan(source: Source, view: str, names: dict[int, str]) -> list[dict]:
    family = view != "staff"
    titles = plan_rules.KIND_FAMILY_TITLES if family else plan_rules.KIND_TITLES
    out = []
    for action in source.actions:
        if action["draft"]:
            continue  # drafts are the working record: they stay with staff
        if action["restricted"] and not may_see_closed_session_content(view):
            continue
        entry = {
            "id": action["id"],
            "child_id": action["child_id"],
            "child_name": names.get(action["child_id"], ALL_CHILDREN),
            "kind": action["kind"],
            "kind_title": titles[action["kind"]],
            "what": clean(action["what"]),
            "who": clean(action["who"]),
            "by_when": clean(action["by_when"]),
            "how_we_know": clean(action["how_we_know"]),
            "progress": action["progress"],
            "progress_title": review_rules.PROGRESS.get(action["progress"] or ""),
            "progress_note": clean(action["progress_note"]) or None,
        }
        if view == "staff":
            entry["restricted"] = bool(action["restricted"])
        out.append(entry)
    return out


def _person(participant: dict | None) -> tuple[str, str]:
    if participant is None:
        return "", ""
    return clean(participant["name"]), clean(participant["agency"])


def _dissent(source: Source, hidden, names: dict[int, str]) -> list[dict]:
    people = {p["id"]: p for p in source.participants}
    out = []
    for row in source.dissents:
        if hidden(row["created_at"]):
            continue
        name, agency = _person(people.get(row["participant_id"]))
        out.append(
            {
                "child_id": row["child_id"],
                "child_name": names.get(row["child_id"], ""),
                "name": name,
                "agency": agency,
                "reason": clean(row["reason"]),
                "at": row["created_at"],
            }
        )
    return out


def _attendance(source: Source, family: bool) -> dict:
    end = source.conference["closed_at"]
    invited = [
        {
            "name": clean(m["name"]),
            "role": "Family member",
            "agency": "",
            "relationship": clean(m["relationship"]),
        }
        for m in source.family_members
    ] + [
        {
            "name": clean(i["name"]),
            "role": "Professional",
            "agency": clean(i["agency"]),
            "relationship": "",
        }
        for i in source.invitations
        if not i["revoked_at"]
    ]
    staff = []
    for user in source.users.values():
        staff.append(
            {
                "name": clean(user["name"]),
                "role": STAFF_TITLES.get(user["role"], "Staff"),
                "agency": source.council,
                "relationship": "",
                "arrived_at": source.conference["started_at"],
                "left_at": end,
            }
        )
    attended, apologies, removed = [], [], []
    for person in source.participants:
        entry = {
            "name": clean(person["name"]),
            "role": ROLE_TITLES.get(person["role"], person["role"]),
            "agency": clean(person["agency"]),
            "relationship": clean(person["relationship"]),
        }
        if person["status"] == "admitted":
            attended.append({**entry, "arrived_at": person["admitted_at"], "left_at": end})
        elif person["status"] == "apologies":
            apologies.append(entry)
        elif person["status"] == "removed" and person["admitted_at"]:
            attended.append(
                {**entry, "arrived_at": person["admitted_at"], "left_at": person["removed_at"]}
            )
            removed.append({**entry, "status": "removed", "at": person["removed_at"]})
        elif person["status"] in ("removed", "turned_away") and not family:
            removed.append({**entry, "status": person["status"], "at": person["removed_at"]})
    return {
        "invited": invited,
        "attended": staff + attended,
        "apologies": apologies,
        "removed": removed,
    }


def _reports(source: Source, view: str, family: bool) -> list[dict]:
    out = []
    for report in source.reports:
        if report["status"] != "submitted" or not may_see_report(report, view):
            continue
        template = report_templates.by_key(source.templates, report["template"])
        sections = []
        for section in template.sections if template else []:
            text = strip_hidden(report["sections"].get(section.key) or "")
            if text.strip():
                sections.append(
                    {
                        "key": section.key,
                        "title": section.family_title if family else section.title,
                        "markdown": text,
                        "text": report_text(text),
                    }
                )
        received = source.first_submissions.get(report["id"]) or report["submitted_at"]
        entry = {
            "id": report["id"],
            "author_name": clean(report["author_name"]),
            "agency": clean(report["agency"]),
            "role": clean(report["role"]),
            "received_at": received,
            "late": report_service.is_late(source.due, received, source.due),
            "shared_with_family": bool(report["shared_with_family"]),
            "shared_on": report["shared_on"],
            "family_comments": clean(report["family_comments"]) or None,
            "sections": sections,
        }
        if may_see_restricted(view):
            entry["not_shared_reason"] = clean(report["not_shared_reason"]) or None
            restricted = strip_hidden(report["restricted"] or "")
            entry["restricted"] = (
                {"markdown": restricted, "text": report_text(restricted)}
                if restricted.strip()
                else None
            )
        out.append(entry)
    return out


def _notes(source: Source, view: str, family: bool, names: dict[int, str]) -> list[dict]:
    titles = {s.key: (s.family_title if family else s.title) for s in STAGES}
    titles["closed"] = "After the meeting: corrections"
    shown = {
        n["id"] for n in source.notes if not n["restricted"] or may_see_closed_session_content(view)
    }
    out = []
    for note in source.notes:
        if note["id"] not in shown:
            continue
        entry = {
            "id": note["id"],
            "stage": note["stage"],
            "stage_title": titles.get(note["stage"], note["stage"]),
            "child_id": note["child_id"],
            "child_name": names.get(note["child_id"]) if note["child_id"] else None,
            "text": clean(note["text"]),
            "at": note["created_at"],
            "corrects_note_id": (
                note["corrects_note_id"] if note["corrects_note_id"] in shown else None
            ),
        }
        if not family:
            user = source.users.get(note["author_user_id"])
            entry["author"] = clean(user["name"]) if user else ""
            entry["restricted"] = bool(note["restricted"])
        out.append(entry)
    return out


def _scaling(source: Source, view: str, hidden, names: dict[int, str]) -> list[dict]:
    by_round: dict[int, list[dict]] = {}
    for answer in source.answers:
        by_round.setdefault(answer["round_id"], []).append(answer)
    titles = scale_rules.round_titles(source.rounds)
    out = []
    for one in source.rounds:
        if hidden(one["opened_at"]):
            continue
        given = by_round.get(one["id"], [])
        revealed = one["status"] == "revealed"
        names_shown = view == "staff" or bool(one["show_names"])
        entry: dict = {
            "id": one["id"],
            "title": titles[one["id"]],
            "child_id": one["child_id"],
            "child_name": names.get(one["child_id"], ALL_CHILDREN),
            "label": clean(one["label"]) or None,
            "status": one["status"],
            "revealed": revealed,
            "show_names": bool(one["show_names"]),
            "opened_at": one["opened_at"],
            "revealed_at": one["revealed_at"],
            "answered": len(given),
            "tally": None,
            "answers": [],
        }
        # Blind until revealed (DESIGN.md §4): nobody's export carries a score before that.
        if revealed:
            entry["tally"] = scale_rules.tally(
                (scale_rules.group_of(a["participant_role"]), a["score"]) for a in given
            )
            answers = []
            for a in given:
                shown = {
                    "group": scale_rules.group_of(a["participant_role"]),
                    "score": a["score"],
                    "reason": clean(a["reason"]),
                    "one_point_up": clean(a["next_step"]) or None,
                }
                if names_shown:
                    shown["name"] = clean(a["participant_name"])
                    shown["entered_by_chair"] = a["entered_by_user_id"] is not None
                if view == "staff":
                    shown["entered_by"] = clean(a["entered_by_name"]) or None
                answers.append(shown)
            # Without names, the order must not hint at who answered first.
            entry["answers"] = (
                answers
                if names_shown
                else sorted(answers, key=lambda a: (a["score"], a["group"], a["reason"]))
            )
        out.append(entry)
    return out


def _wording(scale: la_settings.ScaleWording, family: bool) -> dict:
    return {
        "zero": clean(scale.zero_family if family else scale.zero),
        "ten": clean(scale.ten_family if family else scale.ten),
        "reversed": scale.reversed,
    }


def _recommendations(source: Source, hidden, names: dict[int, str], family: bool) -> list[dict]:
    titles = RECOMMENDATION_FAMILY_TITLES if family else RECOMMENDATION_TITLES
    return [
        {
            "child_id": rec["child_id"],
            "child_name": names.get(rec["child_id"], ""),
            "agency": clean(rec["agency"]),
            "name": clean(rec["author_name"]),
            "plan": rec["plan"],
            "plan_title": titles[rec["plan"]],
            "reason": clean(rec["reason"]),
            "entered_by_chair": rec["entered_by_user_id"] is not None,
            "at": rec["created_at"],
        }
        for rec in source.recommendations
        if not hidden(rec["created_at"])
    ]


def _trend(source: Source, view: str, names: dict[int, str]) -> list[dict]:
    """A review's scale then and now per child, computed as the live trend is (rules.review)."""
    hide = not may_see_closed_session_content(view)
    found = {
        rows["child_id"]: review_rules.trend(rows, hide_closed_sessions=hide)
        for rows in source.trends
    }
    out = []
    for child in source.children:
        shown = found.get(child["id"])
        out.append(
            {
                "child_id": child["id"],
                "child_name": names[child["id"]],
                "then": shown["then"] if shown else None,
                "now": shown["now"] if shown else None,
            }
        )
    return out


def build(source: Source, audience: str, document: str, generated_at: datetime) -> dict:
    """Return the data of ``document`` ("decision" or "record") for ``audience``.

    Pure: the same rows give the same data. This is the JSON export, field for field.
    """
    view = VIEWS[audience]
    family = audience == "family"
    periods = source.closed_sessions

    def hidden(at: str | None) -> bool:
        return not may_see_closed_session_content(view) and made_in_closed_session(at, periods)

    names = {child["id"]: clean(child["name"]) for child in source.children}
    data: dict = {
        "format_version": FORMAT_VERSION,
        "document": document,
        "audience": audience,
        "draft": source.conference["status"] != "closed",
        "protective_marking": clean(source.settings.protective_marking),
        "generated_at": dates.to_iso(generated_at),
        "council": clean(source.council),
        "conference": _conference(source, family),
        "children": _children(source, family),
        "plan": _plan(source, view, names),
        "dissent": _dissent(source, hidden, names),
        "complaints": clean(source.settings.complaints_text),
    }
    if document == "record":
        data.update(
            attendance=_attendance(source, family),
            reports=_reports(source, view, family),
            notes=_notes(source, view, family, names),
            scale=_wording(source.settings.scale, family),
            scaling=_scaling(source, view, hidden, names),
            recommendations=_recommendations(source, hidden, names, family),
            closed_sessions=[
                {"started_at": s["started_at"], "ended_at": s["ended_at"]} for s in periods
            ],
        )
        if source.conference["reviews_id"] is not None:
            data["trend"] = _trend(source, view, names)
    return data
