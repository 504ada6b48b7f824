"""One snapshot per viewer: what a phone, the shared screen or the chair is shown right now.

The page render, `GET /api/v1/conferences/{id}` and the live events all use these functions,
so a rule about who sees what lives in rules/visibility.py and is applied here, once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from datetime import date
from typing import NamedTuple, TypeVar

from sqlite_utils import Database

from . import la_settings, queries, report_templates
from .decision_view import record_view
from .rules import dates
from .rules import scale as scale_rules
from .rules.stages import STAGES, stage
from .rules.visibility import (
    family_words,
    made_in_closed_session,
    may_see_closed_session_content,
    may_see_join_code,
    may_see_report,
    may_see_restricted,
    sees_holding_screen,
)
from .services import conferences as conference_service
from .services import reports as report_service

T = TypeVar("T")


def _conference(conference: dict, settings: la_settings.LASettings, audience: str) -> dict:
    kind = next((k for k in settings.conference_kinds if k.key == conference["kind"]), None)
    current = stage(conference["stage"])
    family = family_words(audience)
    out = {
        "id": conference["id"],
        "title": conference["title"],
        "kind": conference["kind"],
        "kind_name": conference["local_kind"]
        or ((kind.family_name if family else kind.name) if kind else conference["kind"]),
        "scheduled_for": conference["scheduled_for"],
        "when": _when(conference["scheduled_for"]),
        "venue": conference["venue"],
        "stage": "closed" if conference["status"] == "closed" else conference["stage"],
        "stage_title": current.family_title if family else current.title,
        "asks": current.asks,
        "status": conference["status"],
        "closed_session": bool(conference["closed_session"]),
    }
    if may_see_join_code(audience):
        out["join_code"] = conference["join_code"]
        out["join_code_display"] = conference_service.display_join_code(conference["join_code"])
    return out


@functools.lru_cache(maxsize=1024)
def _when(scheduled_for: str) -> str:
    # Every push rebuilds the conference for each audience; the date reads the same each time.
    return dates.format_datetime(dates.parse_iso_datetime(scheduled_for))


@functools.lru_cache(maxsize=2)
def _stages(family: bool) -> list[dict]:
    # The same for every conference: built once, shared by every snapshot (nobody edits one).
    return [{"key": s.key, "title": s.family_title if family else s.title} for s in STAGES]


def _children(db: Database, conference_id: int) -> list[dict]:
    today = dates.today_london()
    out = []
    for child in queries.children(db, conference_id):
        if child["expected_date"]:
            about = "not born yet, due " + dates.format_date(
                date.fromisoformat(child["expected_date"])
            )
        else:
            age = dates.age_on(date.fromisoformat(child["date_of_birth"]), today)
            about = f"{age} year{'s' if age != 1 else ''} old"
        out.append(
            {
                "id": child["id"],
                "name": child["name"],
                "about": about,
                "unborn": child["expected_date"] is not None,
            }
        )
    return out


def _participants(
    db: Database, conference_id: int, audience: str, present: Collection[int]
) -> list[dict]:
    out = []
    for person in queries.participants(db, conference_id):
        if audience != "staff" and person["status"] != "admitted":
            continue
        entry = {
            "id": person["id"],
            "name": person["name"],
            "role": person["role"],
            "agency": person["agency"],
            "job_title": person["job_title"],
            "relationship": person["relationship"],
            "status": person["status"],
            "present": person["id"] in present,
        }
        out.append(entry)
    return out


def _reports(db: Database, conference: dict, audience: str) -> list[dict]:
    templates = report_service.templates(db, conference["council_id"])
    reads: dict[int, list[int]] = {}
    if audience == "staff":
        for read in queries.report_reads(db, conference["id"]):
            reads.setdefault(read["report_id"], []).append(read["participant_id"])
    out = []
    for report in queries.reports(db, conference["id"]):
        # Drafts are work in progress: the room (staff included) sees sent reports only;
        # the chair finds unsent ones under missing_reports.
        if report["status"] != "submitted" or not may_see_report(report, audience):
            continue
        template = report_templates.by_key(templates, report["template"])
        sections = [
            {"key": s.key, "title": s.family_title if family_words(audience) else s.title}
            for s in (template.sections if template else [])
            if report["sections"].get(s.key)
        ]
        entry = {
            "id": report["id"],
            "author_name": report["author_name"],
            "agency": report["agency"],
            "role": report["role"],
            "sections": sections,
        }
        if audience == "staff":
            entry.update(
                status=report["status"],
                shared_with_family=bool(report["shared_with_family"]),
                has_restricted=bool(report["restricted"]),
                read_by=reads.get(report["id"], []),
            )
        out.append(entry)
    return out


def _missing_reports(db: Database, conference_id: int) -> list[dict]:
    submitted = {
        report["invitation_id"]
        for report in queries.reports(db, conference_id)
        if report["status"] == "submitted"
    }
    return [
        {"name": invitation["name"], "agency": invitation["agency"]}
        for invitation in queries.invitations(db, conference_id)
        if invitation["id"] not in submitted and not invitation["revoked_at"]
    ]


class ScaleView(NamedTuple):
    """All that the scale part takes from an audience: equal views, the same part."""

    staff: bool  # who answered, the flags, names and proxies
    sees_closed_sessions: bool  # rounds held while the family was out of the room
    family_words: bool  # the scale's wording in plain family words


def scale_view(audience: str) -> ScaleView:
    """The view ``audience`` has of the scale (the family's phones and the screen share one)."""
    return ScaleView(
        staff=audience == "staff",
        sees_closed_sessions=may_see_closed_session_content(audience),
        family_words=family_words(audience),
    )


def _wording(settings: la_settings.LASettings, family: bool) -> dict:
    scale = settings.scale
    return {
        "zero": scale.zero_family if family else scale.zero,
        "ten": scale.ten_family if family else scale.ten,
        "question": scale.question_family if family else scale.question,
        "one_point_up": scale.one_point_up_family if family else scale.one_point_up,
        "reversed": scale.reversed,
    }


class _ScaleRows(NamedTuple):
    """What the scale part is made from, the same for every view (built once per push)."""

    rounds: list[dict]
    titles: dict[int, str]  # numbered over every round, as in the exports
    answers: list[dict]  # who answered in which round, and the score: no names or reasons
    by_round: dict[int, list[dict]]  # those, by round
    revealed: dict[int, list[dict]]  # whole answers, with names and reasons: revealed rounds
    admitted: set[int]
    children: dict[int, str]
    closed_sessions: list[dict]


# Keys in a push's ``shared`` dict (see snapshot_parts): the scale's rows it built, and the rows
# of an earlier push that a caller may give it when nothing but answers into an open round has
# changed since (realtime.py knows): then only the answers are read again.
SCALE_ROWS = ("scale rows",)
SCALE_ROWS_BEFORE_ANSWERS = ("scale rows before answers",)


def _scale_rows(db: Database, conference_id: int, before: _ScaleRows | None = None) -> _ScaleRows:
    answers = queries.scale_answer_marks(db, conference_id)
    by_round: dict[int, list[dict]] = {}
    for answer in answers:
        by_round.setdefault(answer["round_id"], []).append(answer)
    if before is not None:
        # An answer changes no round, no revealed answer (it goes into an open round), nobody's
        # admission, no child and no closed session: those rows are still right.
        return before._replace(answers=answers, by_round=by_round)
    rounds = queries.scale_rounds(db, conference_id)
    revealed: dict[int, list[dict]] = {}
    if any(one["status"] == "revealed" for one in rounds):
        for answer in queries.scale_answers(db, conference_id, revealed_only=True):
            revealed.setdefault(answer["round_id"], []).append(answer)
    return _ScaleRows(
        rounds,
        scale_rules.round_titles(rounds),
        answers,
        by_round,
        revealed,
        queries.admitted_ids(db, conference_id),
        queries.child_names(db, conference_id),
        queries.closed_sessions(db, conference_id),
    )


def _scale(
    db: Database,
    conference_id: int,
    view: ScaleView,
    settings: la_settings.LASettings,
    shared: dict | None = None,
):
    """The scaling rounds as an audience with ``view`` may see them (DESIGN.md §4: blind until
    revealed). Only ``view`` comes from the audience, so a push can share one part between
    audiences with the same view, and the rows it is made from between all of them (``shared``,
    as in ``snapshot_parts``: nothing built from them may change them).

    Before a reveal nobody gets a score or a reason, only how many have answered; staff also
    get who has answered and the immediate-safety flags. After it, staff get every answer with
    names and proxies; everyone else the tally and the reasons, named only if the chair chose.
    A person's own answer is never in a snapshot (snapshots are broadcast to rooms).
    """
    before = shared.get(SCALE_ROWS_BEFORE_ANSWERS) if shared else None
    rows = _built_once(shared, SCALE_ROWS, lambda: _scale_rows(db, conference_id, before))
    rounds, titles, answers, by_round, revealed, admitted, children, periods = rows
    if not view.sees_closed_sessions:
        # A round held while the family was out of the room stays out of their view (and the
        # screen's) after they come back, as in the family export.
        rounds = [r for r in rounds if not made_in_closed_session(r["opened_at"], periods)]
    staff = view.staff
    threshold, reversed_scale = settings.scale.threshold, settings.scale.reversed
    out = []
    for one in rounds:
        given = by_round.get(one["id"], [])
        answered = {answer["participant_id"] for answer in given}
        entry: dict = {
            "id": one["id"],
            "title": titles[one["id"]],
            "child_id": one["child_id"],
            "child_name": children.get(one["child_id"]) if one["child_id"] else None,
            "label": one["label"],
            "status": one["status"],
            "show_names": bool(one["show_names"]),
            "opened_at": one["opened_at"],
            "closed_at": one["closed_at"],
            "revealed_at": one["revealed_at"],
            "answered": len(answered),
            "eligible": len(admitted | answered),
        }
        if staff:
            entry["answered_by"] = sorted(answered)
        if one["status"] == "revealed":
            whole = revealed.get(one["id"], [])  # with names and reasons
            entry["tally"] = scale_rules.tally(
                (scale_rules.group_of(a["participant_role"]), a["score"]) for a in whole
            )
            if staff:
                entry["answers"] = [
                    {
                        "id": a["id"],
                        "participant_id": a["participant_id"],
                        "name": a["participant_name"],
                        "group": scale_rules.group_of(a["participant_role"]),
                        "score": a["score"],
                        "reason": a["reason"],
                        "next_step": a["next_step"],
                        "on_behalf": a["entered_by_user_id"] is not None,
                        "entered_by_user_id": a["entered_by_user_id"],
                        "entered_by_name": a["entered_by_name"],
                        "updated_at": a["updated_at"],
                    }
                    for a in whole
                ]
            else:
                shown = [
                    {
                        "group": scale_rules.group_of(a["participant_role"]),
                        "score": a["score"],
                        "reason": a["reason"],
                        "next_step": a["next_step"],
                        **({"name": a["participant_name"]} if one["show_names"] else {}),
                    }
                    for a in whole
                ]
                # Without names, the order must not hint at who answered first.
                entry["answers"] = (
                    shown
                    if one["show_names"]
                    else sorted(shown, key=lambda a: (a["score"], a["group"], a["reason"]))
                )
        out.append(entry)
    scale: dict = {"rounds": out}
    if staff:
        scale["threshold"] = threshold
        scale["flags"] = [
            {"round_id": answer["round_id"], "participant_id": answer["participant_id"]}
            for answer in answers
            if scale_rules.is_flagged(answer["score"], threshold, reversed_scale)
        ]
    return scale


def snapshot(
    db: Database,
    conference: dict,
    audience: str,
    viewer: dict | None = None,
    present: Collection[int] = (),
) -> dict:
    """Return everything ``audience`` may see of ``conference`` now, with its version."""
    return snapshot_parts(db, conference, audience, viewer, present)[0]


# The parts of a snapshot that a push may take over from the last one it sent (realtime.py),
# and the keys each part puts in the state. "conference" (the row: stage, closed session,
# version) is always built afresh.
PARTS = ("children", "participants", "reports", "statements", "scale", "record", "staff")


def snapshot_parts(
    db: Database,
    conference: dict,
    audience: str,
    viewer: dict | None = None,
    present: Collection[int] = (),
    keep: dict[str, dict] | None = None,
    shared: dict | None = None,
) -> tuple[dict, dict[str, dict]]:
    """Return the snapshot and its parts; a part in ``keep`` is used as it is, not rebuilt.

    Only a caller that knows nothing a kept part shows has changed may pass ``keep``. A caller
    building several audiences' snapshots from one read snapshot may pass the same ``shared``
    dict to each: a scale part is then built once for audiences with the same ``scale_view``.
    Parts are shared, not copied, so nobody may change one after it is built.
    """
    keep = keep or {}
    settings = _built_once(
        shared, ("settings",), lambda: la_settings.get(db, conference["council_id"])
    )
    state: dict = {
        "version": conference["version"],
        "audience": audience,
        "viewer": viewer or {},
        "conference": _conference(conference, settings, audience),
    }
    if sees_holding_screen(audience, bool(conference["closed_session"])):
        state["holding"] = True
        return state, {}
    conference_id = conference["id"]

    view = scale_view(audience)

    def statements() -> dict:
        read = queries.statements_read(db, conference_id)
        return {
            "statements": [
                {"key": s.key, "title": s.title, "text": s.text, "read": s.key in read}
                for s in settings.statements
            ]
        }

    builders = {
        "children": lambda: {"children": _children(db, conference_id)},
        "participants": lambda: {
            "participants": _participants(db, conference_id, audience, present)
        },
        "reports": lambda: {"reports": _reports(db, conference, audience)},
        "statements": statements,
        # The wording is a top-level field of its own: it seldom changes, so a push of parts
        # after an answer leaves it out (about half of what the scale part would be).
        "scale": lambda: _built_once(
            shared,
            ("scale", view),
            lambda: {
                "scale": _scale(db, conference_id, view, settings, shared),
                "scale_wording": _wording(settings, view.family_words),
            },
        ),
        "record": lambda: record_view(db, conference, audience),
        "staff": lambda: {
            "missing_reports": _missing_reports(db, conference_id),
            "closed_sessions": queries.closed_sessions(db, conference_id),
        },
    }
    if audience != "staff":
        del builders["staff"]
    state.update(
        holding=False,
        stages=_stages(family_words(audience)),
    )
    parts: dict[str, dict] = {}
    for name, build in builders.items():
        parts[name] = keep[name] if name in keep else build()
        state.update(parts[name])
    return state, parts


def _built_once(shared: dict | None, key: tuple, build: Callable[[], T]) -> T:
    """Return ``build()``, or what it gave for ``key`` earlier with the same ``shared``."""
    if shared is None:
        return build()
    if key not in shared:
        shared[key] = build()
    return shared[key]


def report_body(db: Database, report: dict, audience: str, council_id: int) -> dict:
    """Return one report's sections (and restricted text for staff) for ``audience``."""
    from .rendering import render_markdown

    templates = report_service.templates(db, council_id)
    template = report_templates.by_key(templates, report["template"])
    family = family_words(audience)
    sections = []
    for section in template.sections if template else []:
        text = report["sections"].get(section.key)
        if text:
            sections.append(
                {
                    "key": section.key,
                    "title": section.family_title if family else section.title,
                    "html": str(render_markdown(text)),
                }
            )
    body = {
        "id": report["id"],
        "author_name": report["author_name"],
        "agency": report["agency"],
        "role": report["role"],
        "sections": sections,
    }
    if may_see_restricted(audience):
        body["restricted_html"] = (
            str(render_markdown(report["restricted"])) if report["restricted"] else None
        )
        body["shared_with_family"] = bool(report["shared_with_family"])
        body["not_shared_reason"] = report["not_shared_reason"]
    return body
