"""Review conferences as pure rules: progress on the last plan, the scale trend, history flags.

Seed 002: a review asks whether the risks found last time have diminished or increased, and
whether the changes are sustainable. Values in, values out; no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median

from . import dates
from .decisions import OUTCOMES
from .scale import GROUPS, group_of, round_titles
from .visibility import made_in_closed_session

PROGRESS = {
    "done": "Done",
    "in_progress": "Started, not finished",
    "not_done": "Not done",
    "no_longer_needed": "No longer needed",
}
PLAN_STARTS = ("cp_plan",)
LONG_PLAN_MONTHS = 12


def spread(pairs: Iterable[tuple[str, int]]) -> dict:
    """Return count, median, lowest and highest per group (family, professional) and for all."""
    scores: dict[str, list[int]] = {group: [] for group in (*GROUPS, "all")}
    for group, score in pairs:
        scores[group if group in GROUPS else "family"].append(score)
        scores["all"].append(score)
    out = {}
    for group, values in scores.items():
        if values:
            middle = median(values)
            out[group] = {
                "count": len(values),
                "median": int(middle) if float(middle).is_integer() else float(middle),
                "min": min(values),
                "max": max(values),
            }
        else:
            out[group] = {"count": 0, "median": None, "min": None, "max": None}
    return out


def revealed_rounds(answers: Iterable[dict], titles: Mapping[int, str]) -> list[dict]:
    """Return each revealed round in ``answers`` with its spread per group, in round order.

    ``answers`` are rows of ``queries.revealed_answers_for`` (``round_id``, ``child_id``,
    ``revealed_at``, ``score``, ``participant_role``; a round nobody answered has one row
    with no score); ``titles`` are ``scale.round_titles`` of all the conference's rounds.
    """
    by_round: dict[int, dict] = {}
    pairs: dict[int, list[tuple[str, int]]] = {}
    for row in answers:
        by_round.setdefault(
            row["round_id"],
            {
                "round_id": row["round_id"],
                "title": titles.get(row["round_id"], ""),
                "all_children": row["child_id"] is None,
                "revealed_at": row["revealed_at"],
            },
        )
        if row["score"] is not None:
            pairs.setdefault(row["round_id"], []).append(
                (group_of(row["participant_role"]), row["score"])
            )
    return [
        {**entry, "groups": spread(pairs.get(round_id, []))} for round_id, entry in by_round.items()
    ]


def _period(rows: dict, hide_closed_sessions: bool) -> dict:
    opened = {r["id"]: r["opened_at"] for r in rows["rounds"]}
    answers = [
        a
        for a in rows["answers"]
        if not (
            hide_closed_sessions
            and made_in_closed_session(opened.get(a["round_id"]), rows["closed_sessions"])
        )
    ]
    return {
        "conference_id": rows["conference_id"],
        "date": rows["day"].isoformat(),
        "date_text": dates.format_date(rows["day"]),
        "rounds": revealed_rounds(answers, round_titles(rows["rounds"])),
    }


def trend(rows: dict, hide_closed_sessions: bool = False) -> dict:
    """Return one child's revealed scale rounds last time and today, with the spread per group.

    ``rows`` come from ``services.review.trend_rows``. With ``hide_closed_sessions`` the rounds
    opened while a closed session was on (either time) are left out, as the family sees them.
    """
    return {
        "child_id": rows["child_id"],
        "child_name": rows["child_name"],
        "then": _period(rows["then"], hide_closed_sessions),
        "now": _period(rows["now"], hide_closed_sessions),
    }


@dataclass(frozen=True)
class Past:
    """One earlier decision about the child: the conference day and its outcome."""

    day: date
    outcome: str


def plan_since(history: Sequence[Past]) -> date | None:
    """Return the day the child's current plan began, if the latest decision left them on one."""
    start = None
    for past in reversed(history):
        if not OUTCOMES[past.outcome].plan:
            break
        start = past.day
        if past.outcome in PLAN_STARTS:
            break
    return start


def _months_between(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def history_flags(history: Sequence[Past], today: date) -> list[str]:
    """Return what the chair should know before deciding: a long plan, or a second plan.

    ``history`` is the child's earlier decisions, oldest first.
    """
    flags: list[str] = []
    since = plan_since(history)
    if since is not None and _months_between(since, today) >= LONG_PLAN_MONTHS:
        flags.append(
            f"On a child protection plan since {dates.format_date(since)}: 12 months or more. "
            "Ask what is stopping change, and whether the plan is still the right help."
        )
    plans_before = sum(1 for past in history if past.outcome in PLAN_STARTS)
    if since is None and plans_before >= 1:
        flags.append(
            "This child has had a child protection plan before: a plan today would be their "
            "second (or later). Ask what was different when the last plan ended."
        )
    elif plans_before >= 2:
        flags.append("This is the child's second (or later) child protection plan.")
    return flags


def category_change(previous: Sequence[str], now: Sequence[str]) -> bool:
    """Say whether a continuing plan's category changed (both have categories, not the same)."""
    return bool(previous) and bool(now) and sorted(previous) != sorted(now)
