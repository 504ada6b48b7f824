"""The pure rules behind the decision and the plan: outcomes, categories, dates, plan advice."""

from __future__ import annotations

from datetime import date

import pytest

from conference_room.rules import decisions as rules
from conference_room.rules import plan


@pytest.mark.parametrize("kind", ["initial", "pre_birth", "transfer_in"])
def test_initial_type_conferences_have_the_initial_outcomes(kind):
    keys = [o.key for o in rules.outcomes_for(kind)]
    assert keys == ["cp_plan", "cin_plan", "no_further_action", "adjourned"]
    assert rules.check_outcome(kind, "cp_plan") is None
    problem = rules.check_outcome(kind, "continue_plan")
    assert problem.startswith("outcome: continue_plan is not an outcome of an initial-type")


def test_review_conferences_have_the_review_outcomes():
    keys = [o.key for o in rules.outcomes_for("review")]
    assert keys == [
        "continue_plan",
        "discontinue_cin",
        "discontinue_nfa",
        "discontinue_looked_after",
    ]
    assert "not an outcome of a review conference" in rules.check_outcome("review", "cp_plan")
    assert rules.check_outcome("review", "nonsense").startswith("outcome: must be one of")


def test_family_titles_use_no_abbreviations():
    for outcome in rules.OUTCOMES.values():
        for jargon in ("CP ", "CIN", "NFA", "s47", "ICPC", "RCPC"):
            assert jargon not in outcome.family_title


@pytest.mark.parametrize(
    ("outcome", "categories", "multiple", "problem"),
    [
        ("cp_plan", [], False, "categories: a child protection plan needs a category"),
        ("continue_plan", [], False, "categories: a child protection plan needs a category"),
        ("no_further_action", ["neglect"], False, "categories: a category is given only with"),
        ("cin_plan", ["emotional"], True, "categories: a category is given only with"),
        ("cp_plan", ["neglect", "emotional"], False, "categories: this council records one"),
        ("cp_plan", ["neglect", "neglect"], True, "categories: each category can be given only"),
        ("cp_plan", ["financial"], True, "categories: financial is not a category"),
    ],
)
def test_category_rules_refuse(outcome, categories, multiple, problem):
    assert rules.check_categories(outcome, categories, multiple).startswith(problem)


@pytest.mark.parametrize(
    ("outcome", "categories", "multiple"),
    [
        ("cp_plan", ["neglect"], False),
        ("continue_plan", ["sexual"], False),
        ("cp_plan", ["neglect", "emotional"], True),
        ("no_further_action", [], False),
        ("adjourned", [], True),
    ],
)
def test_category_rules_accept(outcome, categories, multiple):
    assert rules.check_categories(outcome, categories, multiple) is None


def test_category_codes_for_case_management():
    assert rules.category_code([]) is None
    assert rules.category_code(["neglect"]) == "NEG"
    assert rules.category_code(["physical"]) == "PHY"
    assert rules.category_code(["emotional"]) == "EMO"
    assert rules.category_code(["sexual"]) == "SAB"
    assert rules.category_code(["neglect", "emotional"]) == "MUL"


def test_first_core_group_skips_christmas_and_new_year_bank_holidays():
    # Thursday 17 December 2026: Christmas Day (Fri), Boxing Day's substitute (Mon 28) and
    # New Year's Day (Fri 1 January) are not working days, so 10 working days end on 5 January.
    proposed = rules.proposed_dates(date(2026, 12, 17), is_review=False)
    assert proposed.core_group_by == date(2027, 1, 5)
    assert proposed.review_by == date(2027, 3, 17)


def test_first_core_group_skips_easter():
    # Thursday 18 March 2027: Good Friday 26 March and Easter Monday 29 March are skipped.
    assert rules.proposed_dates(date(2027, 3, 18), False).core_group_by == date(2027, 4, 5)


def test_review_limits_step_back_to_a_working_day():
    # Six months after Friday 18 June 2027 is Saturday 18 December: the limit is Friday 17th.
    assert rules.proposed_dates(date(2027, 6, 18), is_review=True).review_by == date(2027, 12, 17)
    # Three months after Friday 26 February 2027 is Wednesday 26 May (a working day).
    assert rules.proposed_dates(date(2027, 2, 26), is_review=False).review_by == date(2027, 5, 26)
    # Three months after 31 May 2027 (itself the spring bank holiday) is 31 August 2027: fine;
    # and a closure day given by the council is stepped over too.
    closures = [date(2027, 8, 31)]
    assert rules.proposed_dates(date(2027, 5, 31), False, closures).review_by == date(2027, 8, 27)


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (date(2027, 3, 18), "The date must be after the conference."),
        (date(2027, 3, 10), "The date must be after the conference."),
        (date(2027, 3, 20), "is a weekend day"),
        (date(2027, 3, 29), "is a bank holiday (Easter Monday)"),
    ],
)
def test_follow_up_meeting_dates_are_refused_on_non_working_days(day, problem):
    assert problem in rules.check_meeting_date("core_group_on", day, date(2027, 3, 18))


def test_a_local_closure_day_is_refused_and_a_working_day_accepted():
    closure = date(2027, 3, 24)
    assert "local closure day" in rules.check_meeting_date(
        "review_on", closure, date(2027, 3, 18), [closure]
    )
    assert rules.check_meeting_date("review_on", date(2027, 3, 23), date(2027, 3, 18)) is None


def test_date_flags_late_dates_and_the_eighteenth_birthday():
    limits = rules.proposed_dates(date(2027, 3, 18), False)
    assert rules.date_flags(limits.core_group_by, limits.review_by, limits, date(2015, 1, 1)) == []
    flags = rules.date_flags(date(2027, 4, 20), date(2027, 7, 1), limits, date(2009, 6, 1))
    assert any("later than 10 working days" in f for f in flags)
    assert any("later than the limit" in f for f in flags)
    assert any("will be 18 by the review date" in f for f in flags)


def test_vague_words_are_found_once_each():
    assert plan.vague_words("Monitor the home and support mum; monitoring weekly") == [
        "monitor",
        "support",
    ]
    assert plan.vague_words("Dad will take Amy to school every day by 8:45") == []


def test_action_advice():
    assert (
        plan.action_checks({"what": "Mum will call Gran", "who": "Mum", "by_when": "daily"}) == []
    )
    advice = plan.action_checks({"what": "Social worker to monitor", "who": "", "by_when": " "})
    assert advice[0] == "No one is named to do this."
    assert advice[1] == "There is no date or how often."
    assert "“monitor”" in advice[2]


def test_plan_without_contingency_for_children_on_a_plan():
    actions = [
        {"kind": "immediate", "child_id": None},
        {"kind": "contingency", "child_id": 1},
        {"kind": "contingency", "child_id": 2, "draft": 1},
    ]
    assert plan.without_contingency(actions, [1, 2]) == [2]
    assert plan.without_contingency(actions, []) == []
    assert (
        plan.without_contingency([*actions, {"kind": "contingency", "child_id": None}], [2]) == []
    )
