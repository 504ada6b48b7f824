"""Review conferences as pure rules: progress on the last plan, the scale trend, history flags.

Seed 002: a review asks whether the risks found last time have diminished or increased, and
whether the changes are sustainable. Values in, values out; no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median

from . import dates
from .decisions import OUTCOMES
from .scale import GROUPS

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
