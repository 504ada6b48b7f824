"""Tests for the pure date rules: working days, deadlines, ages and UK formatting."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from conference_room.rules import dates
from conference_room.rules.dates import (
    add_working_days,
    age_on,
    bank_holidays,
    check_proposed_date,
    eighteenth_birthday,
    first_core_group_by,
    format_date,
    format_datetime,
    is_working_day,
    parse_iso_datetime,
    report_due,
    review_after_eighteenth,
    review_by,
    to_iso,
    today_london,
)

D = date.fromisoformat

# England and Wales bank holidays as GOV.UK lists them (substitute days, not weekend dates).
ENGLAND_2026 = {
    D("2026-01-01"),
    D("2026-04-03"),
    D("2026-04-06"),
    D("2026-05-04"),
    D("2026-05-25"),
    D("2026-08-31"),
    D("2026-12-25"),
    D("2026-12-28"),
}
ENGLAND_2027 = {
    D("2027-01-01"),
    D("2027-03-26"),
    D("2027-03-29"),
    D("2027-05-03"),
    D("2027-05-31"),
    D("2027-08-30"),
    D("2027-12-27"),
    D("2027-12-28"),
}
BAD_DATETIME = "Give the date and time as 2027-03-04T10:00."


# --- bank holidays -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year_from", "year_to", "expected"),
    [
        (2026, 2026, ENGLAND_2026),
        (2027, 2027, ENGLAND_2027),
        (2026, 2027, ENGLAND_2026 | ENGLAND_2027),
    ],
)
def test_bank_holidays_match_the_england_list(year_from, year_to, expected):
    assert bank_holidays(year_from, year_to) == expected


@pytest.mark.parametrize(
    "day",
    [
        D("2027-01-04"),  # Scotland: 2 January (substitute day)
        D("2027-08-02"),  # Scotland: summer bank holiday
        D("2027-11-30"),  # Scotland: St Andrew's Day
        D("2027-03-17"),  # Northern Ireland: St Patrick's Day
        D("2027-07-12"),  # Northern Ireland: Battle of the Boyne
    ],
)
def test_bank_holidays_leave_out_other_nations(day):
    assert day not in bank_holidays(2027, 2027)


def test_bank_holidays_leave_out_a_holiday_that_falls_at_a_weekend():
    assert D("2027-12-25") not in bank_holidays(2027, 2027)


def test_bank_holidays_returns_a_copy_the_caller_cannot_corrupt():
    first = bank_holidays(2027, 2027)
    first.add(D("2027-06-15"))
    first.discard(D("2027-03-26"))
    assert bank_holidays(2027, 2027) == ENGLAND_2027


def test_bank_holidays_reject_a_backwards_range():
    with pytest.raises(ValueError):
        bank_holidays(2027, 2026)


# --- working days --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D("2027-03-25"), True),  # Thursday before Easter
        (D("2027-03-26"), False),  # Good Friday
        (D("2027-03-27"), False),  # Saturday
        (D("2027-03-28"), False),  # Sunday
        (D("2027-03-29"), False),  # Easter Monday
        (D("2027-03-30"), True),  # Tuesday after Easter
        (D("2026-12-25"), False),  # Christmas Day, a Friday
        (D("2026-12-28"), False),  # Boxing Day substitute day
        (D("2026-12-29"), True),
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


def test_a_local_closure_day_is_not_a_working_day():
    assert is_working_day(D("2027-03-30"), closures={D("2027-03-30")}) is False


def test_a_closure_on_another_day_does_not_matter():
    assert is_working_day(D("2027-03-30"), closures=[D("2027-03-31")]) is True


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D("2027-03-08"), 5, D("2027-03-15")),  # a plain working week
        (D("2027-03-05"), 1, D("2027-03-08")),  # Friday to Monday, across a weekend
        (D("2027-03-25"), 1, D("2027-03-30")),  # across Easter
        (D("2026-12-24"), 1, D("2026-12-29")),  # across Christmas and its substitute day
        (D("2027-03-06"), 1, D("2027-03-08")),  # from a Saturday, which is not counted
    ],
)
def test_add_working_days_forwards(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D("2027-03-08"), -1, D("2027-03-05")),  # Monday back to Friday
        (D("2027-03-30"), -1, D("2027-03-25")),  # back across Easter
        (D("2026-12-29"), -1, D("2026-12-24")),  # back across Christmas
        (D("2027-03-15"), -5, D("2027-03-08")),
    ],
)
def test_add_working_days_backwards(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize("start", [D("2027-03-03"), D("2027-03-06"), D("2027-03-26")])
def test_add_zero_working_days_returns_start_even_on_a_non_working_day(start):
    assert add_working_days(start, 0) == start


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D("2027-03-08"), 2, D("2027-03-12")),
        (D("2027-03-12"), -2, D("2027-03-08")),
    ],
)
def test_add_working_days_skips_local_closure_days(start, n, expected):
    assert add_working_days(start, n, closures=[D("2027-03-09"), D("2027-03-10")]) == expected


# --- deadlines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conference_day", "working_days_before", "expected"),
    [
        # Tuesday after Easter Monday: skips Easter Monday, the weekend and Good Friday.
        (D("2027-03-30"), 2, D("2027-03-24")),
        # Tuesday after the spring bank holiday Monday.
        (D("2027-06-01"), 2, D("2027-05-27")),
        # A review's five working days, back across Easter.
        (D("2027-04-01"), 5, D("2027-03-23")),
        (D("2027-03-11"), 0, D("2027-03-11")),
    ],
)
def test_report_due(conference_day, working_days_before, expected):
    assert report_due(conference_day, working_days_before) == expected


def test_report_due_skips_local_closure_days():
    assert report_due(D("2027-03-11"), 2, closures=[D("2027-03-10")]) == D("2027-03-08")


def test_report_due_rejects_a_negative_number_of_days():
    with pytest.raises(ValueError):
        report_due(D("2027-03-11"), -2)


@pytest.mark.parametrize(
    ("conference_day", "expected"),
    [
        (D("2027-03-01"), D("2027-03-15")),
        # Across Christmas, the Boxing Day substitute day and New Year's Day.
        (D("2026-12-18"), D("2027-01-06")),
    ],
)
def test_first_core_group_by(conference_day, expected):
    assert first_core_group_by(conference_day) == expected


def test_first_core_group_by_skips_a_council_christmas_closure():
    closures = [D("2026-12-29"), D("2026-12-30"), D("2026-12-31")]
    assert first_core_group_by(D("2026-12-18"), closures=closures) == D("2027-01-11")


@pytest.mark.parametrize(
    ("conference_day", "is_review", "expected"),
    [
        (D("2027-03-04"), False, D("2027-06-04")),  # initial: 3 months
        (D("2027-03-31"), True, D("2027-09-30")),  # review: 6 months, clamped to 30 September
        (D("2027-01-31"), False, D("2027-04-30")),  # clamped to 30 April
        (D("2027-11-30"), False, D("2028-02-29")),  # clamped to 29 February in a leap year
        (D("2027-08-31"), True, D("2028-02-29")),
    ],
)
def test_review_by_adds_calendar_months(conference_day, is_review, expected):
    assert review_by(conference_day, is_review) == expected


@pytest.mark.parametrize(
    ("conference_day", "is_review", "expected"),
    [
        # 4 September 2027 is a Saturday.
        (D("2027-03-04"), True, D("2027-09-03")),
        # Clamped to Sunday 28 February 2027, then back to Friday 26 February.
        (D("2026-11-30"), False, D("2027-02-26")),
        # 29 March 2027 is Easter Monday: back past the weekend and Good Friday.
        (D("2026-12-29"), False, D("2027-03-25")),
        # Saturday 15 April 2028: back past Good Friday 14 April 2028.
        (D("2027-10-15"), True, D("2028-04-13")),
    ],
)
def test_review_by_steps_back_to_a_working_day(conference_day, is_review, expected):
    assert review_by(conference_day, is_review) == expected


def test_review_by_steps_back_off_a_local_closure_day():
    assert review_by(D("2027-03-04"), False, closures=[D("2027-06-04")]) == D("2027-06-03")


# --- proposed dates ------------------------------------------------------------------------


CONFERENCE = D("2026-12-18")
LATEST = D("2027-01-06")


@pytest.mark.parametrize("proposed", [D("2026-12-21"), D("2027-01-06")])
def test_a_good_proposed_date_has_no_problems(proposed):
    assert check_proposed_date(proposed, CONFERENCE, LATEST) == []


@pytest.mark.parametrize("proposed", [D("2026-12-18"), D("2026-12-17")])
def test_a_proposed_date_must_be_after_the_conference(proposed):
    assert check_proposed_date(proposed, CONFERENCE, LATEST) == [
        "The date must be after the conference."
    ]


@pytest.mark.parametrize(
    ("proposed", "problem"),
    [
        (D("2026-12-19"), "Saturday 19 December 2026 is a weekend day; choose a working day."),
        (D("2026-12-26"), "Saturday 26 December 2026 is a weekend day; choose a working day."),
        (
            D("2026-12-25"),
            "Friday 25 December 2026 is a bank holiday (Christmas Day); choose a working day.",
        ),
        (
            D("2026-12-28"),
            "Monday 28 December 2026 is a bank holiday (Boxing Day, substitute day);"
            " choose a working day.",
        ),
    ],
)
def test_a_proposed_date_must_be_a_working_day(proposed, problem):
    assert check_proposed_date(proposed, CONFERENCE, LATEST) == [problem]


def test_a_proposed_date_must_not_be_a_local_closure_day():
    problems = check_proposed_date(D("2026-12-30"), CONFERENCE, LATEST, closures=[D("2026-12-30")])
    assert problems == ["Wednesday 30 December 2026 is a local closure day; choose a working day."]


def test_a_proposed_date_must_not_be_later_than_the_latest_date():
    assert check_proposed_date(D("2027-01-07"), CONFERENCE, LATEST) == [
        "Thursday 7 January 2027 is later than the latest allowed date, Wednesday 6 January 2027."
    ]


def test_a_proposed_date_reports_every_problem():
    assert check_proposed_date(D("2027-01-09"), CONFERENCE, LATEST) == [
        "Saturday 9 January 2027 is a weekend day; choose a working day.",
        "Saturday 9 January 2027 is later than the latest allowed date, Wednesday 6 January 2027.",
    ]


# --- ages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_of_birth", "on", "expected"),
    [
        (D("2010-06-15"), D("2010-06-15"), 0),
        (D("2010-06-15"), D("2028-06-14"), 17),
        (D("2010-06-15"), D("2028-06-15"), 18),
        (D("2010-06-15"), D("2029-01-01"), 18),
        (D("2008-02-29"), D("2026-02-28"), 17),
        (D("2008-02-29"), D("2026-03-01"), 18),
        (D("2008-02-29"), D("2028-02-29"), 20),
    ],
)
def test_age_on(date_of_birth, on, expected):
    assert age_on(date_of_birth, on) == expected


def test_age_on_rejects_a_day_before_birth():
    with pytest.raises(ValueError):
        age_on(D("2010-06-15"), D("2010-06-14"))


@pytest.mark.parametrize(
    ("date_of_birth", "expected"),
    [
        (D("2009-06-15"), D("2027-06-15")),
        (D("2009-12-31"), D("2027-12-31")),
        (D("2008-02-29"), D("2026-03-01")),  # 2026 has no 29 February
        (D("2012-02-29"), D("2030-03-01")),
    ],
)
def test_eighteenth_birthday(date_of_birth, expected):
    assert eighteenth_birthday(date_of_birth) == expected


@pytest.mark.parametrize(
    ("review_day", "date_of_birth", "expected"),
    [
        (D("2027-06-14"), D("2009-06-15"), False),
        (D("2027-06-15"), D("2009-06-15"), True),
        (D("2027-07-01"), D("2009-06-15"), True),
        (D("2026-02-28"), D("2008-02-29"), False),
        (D("2026-03-01"), D("2008-02-29"), True),
    ],
)
def test_review_after_eighteenth(review_day, date_of_birth, expected):
    assert review_after_eighteenth(review_day, date_of_birth) is expected


# --- formatting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D("2027-03-04"), "Thursday 4 March 2027"),
        (D("2026-12-25"), "Friday 25 December 2026"),
        (D("2028-02-29"), "Tuesday 29 February 2028"),
    ],
)
def test_format_date(day, expected):
    assert format_date(day) == expected


def test_format_date_shows_a_datetime_on_its_london_day():
    # 23:30 UTC on 1 July is 00:30 on 2 July in British Summer Time.
    assert format_date(datetime(2027, 7, 1, 23, 30, tzinfo=UTC)) == "Friday 2 July 2027"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Winter: London is on GMT, the same as UTC.
        (datetime(2027, 3, 4, 10, 0, tzinfo=UTC), "Thursday 4 March 2027, 10:00"),
        # Summer: London is on BST, an hour ahead of UTC.
        (datetime(2027, 7, 1, 9, 0, tzinfo=UTC), "Thursday 1 July 2027, 10:00"),
        (datetime(2027, 7, 1, 23, 30, tzinfo=UTC), "Friday 2 July 2027, 00:30"),
        # Another zone: 10:00 at UTC-4 is 14:00 UTC, 15:00 BST.
        (
            datetime(2027, 7, 1, 10, 0, tzinfo=timezone(timedelta(hours=-4))),
            "Thursday 1 July 2027, 15:00",
        ),
        # The clocks go forward at 01:00 UTC on 28 March 2027 and back at 01:00 UTC on 31 October.
        (datetime(2027, 3, 28, 0, 59, tzinfo=UTC), "Sunday 28 March 2027, 00:59"),
        (datetime(2027, 3, 28, 1, 0, tzinfo=UTC), "Sunday 28 March 2027, 02:00"),
        (datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "Sunday 31 October 2027, 01:30"),
        (datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "Sunday 31 October 2027, 01:30"),
    ],
)
def test_format_datetime_in_london_time(moment, expected):
    assert format_datetime(moment) == expected


def test_format_datetime_takes_a_naive_datetime_as_utc():
    assert format_datetime(datetime(2027, 7, 1, 9, 0)) == "Thursday 1 July 2027, 10:00"


# --- parsing and ISO 8601 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-04T10:00", datetime(2027, 3, 4, 10, 0, tzinfo=UTC)),  # winter: GMT
        ("2027-07-01T10:00", datetime(2027, 7, 1, 9, 0, tzinfo=UTC)),  # summer: BST
        ("2027-07-01 10:00", datetime(2027, 7, 1, 9, 0, tzinfo=UTC)),
        ("  2027-07-01T10:00\n", datetime(2027, 7, 1, 9, 0, tzinfo=UTC)),
        ("2027-07-01T10:00Z", datetime(2027, 7, 1, 10, 0, tzinfo=UTC)),
        ("2027-07-01T10:00+01:00", datetime(2027, 7, 1, 9, 0, tzinfo=UTC)),
        ("2027-07-01T10:00:30-04:00", datetime(2027, 7, 1, 14, 0, 30, tzinfo=UTC)),
        # 01:30 happens twice when the clocks go back; the first (BST) one is taken.
        ("2027-10-31T01:30", datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
    ],
)
def test_parse_iso_datetime(text, expected):
    assert parse_iso_datetime(text) == expected


@pytest.mark.parametrize("text", ["2027-07-01T10:00", "2027-07-01T10:00+02:00"])
def test_parse_iso_datetime_returns_utc(text):
    assert parse_iso_datetime(text).tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "2027-03-04",  # a date without a time
        "04/03/2027 10:00",
        "2027-02-30T10:00",
        "2027-03-04T25:00",
        "2027-03-04T10:00+25:00",
        "0001-01-01T00:30+01:00",  # before the earliest time Python can hold in UTC
    ],
)
def test_parse_iso_datetime_rejects_bad_input_in_plain_english(text):
    with pytest.raises(ValueError, match=f"^{re.escape(BAD_DATETIME)}$"):
        parse_iso_datetime(text)


def test_parse_iso_datetime_rejects_a_time_skipped_when_the_clocks_go_forward():
    with pytest.raises(ValueError, match="There is no 01:30 on Sunday 28 March 2027 in UK time"):
        parse_iso_datetime("2027-03-28T01:30")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2027, 3, 4, 10, 0, tzinfo=UTC), "2027-03-04T10:00:00Z"),
        (datetime(2027, 3, 4, 10, 0, 5, 999_999, tzinfo=UTC), "2027-03-04T10:00:05Z"),
        (datetime(2027, 7, 1, 10, 0, tzinfo=timezone(timedelta(hours=1))), "2027-07-01T09:00:00Z"),
        (datetime(2027, 7, 1, 9, 0), "2027-07-01T09:00:00Z"),  # naive is taken as UTC
    ],
)
def test_to_iso(moment, expected):
    assert to_iso(moment) == expected


def test_to_iso_output_parses_back_to_the_same_moment():
    moment = datetime(2027, 7, 1, 9, 15, 42, tzinfo=UTC)
    assert parse_iso_datetime(to_iso(moment)) == moment


@pytest.mark.parametrize(
    ("now_utc", "expected"),
    [
        (datetime(2027, 6, 30, 23, 30, tzinfo=UTC), D("2027-07-01")),  # BST: already tomorrow
        (datetime(2027, 12, 31, 23, 30, tzinfo=UTC), D("2027-12-31")),  # GMT: still today
    ],
)
def test_today_london(monkeypatch, now_utc, expected):
    monkeypatch.setattr(dates, "_utc_now", lambda: now_utc)
    assert today_london() == expected
