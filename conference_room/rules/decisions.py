"""The chair's decision per child: the outcomes a conference may reach, when a category is due.

Pure rules: values in, values out, no database. Seeds 000 and 004: an initial-type conference
decides whether a child protection plan is needed; a review decides whether it continues.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from . import dates


@dataclass(frozen=True)
class Outcome:
    key: str
    title: str  # for staff and the record
    family_title: str  # plain words for the family: no abbreviations
    plan: bool  # a child protection plan is in place afterwards (category, core group, review)


INITIAL_OUTCOMES = (
    Outcome(
        "cp_plan",
        "Child protection plan",
        "A child protection plan: everyone works together on a written plan to keep the child "
        "safe, and meets again to check it is working",
        True,
    ),
    Outcome(
        "cin_plan",
        "Not required: child in need plan",
        "No child protection plan. A social worker keeps helping the family with a "
        "'child in need' plan of support",
        False,
    ),
    Outcome(
        "no_further_action",
        "Not required: early help or no further action",
        "No plan from children's services. Help can come from early help or everyday services "
        "such as school, nursery or the doctor",
        False,
    ),
    Outcome(
        "adjourned",
        "Adjourned",
        "The meeting will carry on another day, because something it needs is missing",
        False,
    ),
)

REVIEW_OUTCOMES = (
    Outcome(
        "continue_plan",
        "Continue the child protection plan",
        "The child protection plan carries on, and everyone meets again to check it",
        True,
    ),
    Outcome(
        "discontinue_cin",
        "End the plan: child in need plan",
        "The child protection plan ends. A social worker keeps helping the family with a "
        "'child in need' plan of support",
        False,
    ),
    Outcome(
        "discontinue_nfa",
        "End the plan: early help or no further action",
        "The child protection plan ends. Help can come from early help or everyday services "
        "such as school, nursery or the doctor",
        False,
    ),
    Outcome(
        "discontinue_looked_after",
        "End the plan: the child is now looked after",
        "The child protection plan ends because the child is now cared for by the council "
        "(looked after)",
        False,
    ),
)

OUTCOMES = {outcome.key: outcome for outcome in INITIAL_OUTCOMES + REVIEW_OUTCOMES}


@dataclass(frozen=True)
class Category:
    key: str
    title: str
    code: str  # what case-management systems import


CATEGORIES = (
    Category("neglect", "Neglect", "NEG"),
    Category("physical", "Physical abuse", "PHY"),
    Category("emotional", "Emotional abuse", "EMO"),
    Category("sexual", "Sexual abuse", "SAB"),
)
CATEGORY_KEYS = tuple(category.key for category in CATEGORIES)
MULTIPLE_CODE = "MUL"
_BY_KEY = {category.key: category for category in CATEGORIES}


def outcomes_for(kind: str) -> tuple[Outcome, ...]:
    """Return the outcomes a conference of base ``kind`` may reach (DESIGN.md §5)."""
    return REVIEW_OUTCOMES if kind == "review" else INITIAL_OUTCOMES


def category_code(categories: Sequence[str]) -> str | None:
    """Return the case-management code: one category's code, MUL for several, None for none."""
    if not categories:
        return None
    if len(categories) > 1:
        return MULTIPLE_CODE
    return _BY_KEY[categories[0]].code


def category_titles(categories: Sequence[str]) -> list[str]:
    return [_BY_KEY[key].title for key in categories if key in _BY_KEY]


def check_outcome(kind: str, outcome: str) -> str | None:
    """Return the problem with ``outcome`` for a conference of ``kind``, or None."""
    allowed = outcomes_for(kind)
    if outcome in {o.key for o in allowed}:
        return None
    names = ", ".join(o.key for o in allowed)
    if outcome in OUTCOMES:
        which = "a review" if kind == "review" else "an initial-type"
        return f"outcome: {outcome} is not an outcome of {which} conference; use one of {names}."
    return f"outcome: must be one of {names}."


def check_categories(outcome: str, categories: Sequence[str], allow_multiple: bool) -> str | None:
    """Return the problem with ``categories`` for ``outcome``, or None.

    A category is required exactly when a child protection plan follows; several only where the
    council allows "multiple", and then each is one of the four and none repeats.
    """
    unknown = [key for key in categories if key not in _BY_KEY]
    if unknown:
        return f"categories: {unknown[0]} is not a category; use {', '.join(CATEGORY_KEYS)}."
    if len(set(categories)) != len(categories):
        return "categories: each category can be given only once."
    if not OUTCOMES[outcome].plan:
        if categories:
            return (
                f"categories: a category is given only with a child protection plan, not with "
                f"{OUTCOMES[outcome].title.lower()}; leave it empty."
            )
        return None
    if not categories:
        return "categories: a child protection plan needs a category; choose one."
    if len(categories) > 1 and not allow_multiple:
        return "categories: this council records one category per child; choose the main one."
    return None


@dataclass(frozen=True)
class ProposedDates:
    core_group_by: date
    review_by: date


def proposed_dates(
    conference_day: date, is_review: bool, closures: Collection[date] = ()
) -> ProposedDates:
    """Return the latest allowed first core group and review dates (both working days)."""
    return ProposedDates(
        dates.first_core_group_by(conference_day, closures),
        dates.review_by(conference_day, is_review, closures),
    )


def check_meeting_date(
    field: str, proposed: date, conference_day: date, closures: Collection[date] = ()
) -> str | None:
    """Return why ``proposed`` cannot be used for a follow-up meeting, or None.

    Refused: on or before the conference, a weekend, a bank holiday or a local closure day.
    A date later than the statutory limit is allowed but flagged (see ``date_flags``).
    """
    far_future = date(proposed.year + 1, 1, 1)
    problems = dates.check_proposed_date(proposed, conference_day, far_future, closures)
    return f"{field}: {problems[0]}" if problems else None


def date_flags(
    core_group_on: date | None,
    review_on: date | None,
    limits: ProposedDates,
    date_of_birth: date | None,
) -> list[str]:
    """Return plain warnings for the chair about follow-up dates that are allowed but unusual."""
    flags: list[str] = []
    if core_group_on and core_group_on > limits.core_group_by:
        flags.append(
            f"The first core group is later than 10 working days after the conference "
            f"(by {dates.format_date(limits.core_group_by)})."
        )
    if review_on and review_on > limits.review_by:
        flags.append(
            f"The review is later than the limit of {dates.format_date(limits.review_by)}."
        )
    if review_on and date_of_birth and dates.review_after_eighteenth(review_on, date_of_birth):
        flags.append(
            "The child will be 18 by the review date: a child protection plan cannot run past "
            "their 18th birthday; plan the move to adult services."
        )
    return flags
