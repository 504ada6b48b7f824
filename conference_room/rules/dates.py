"""Working days, conference deadlines, ages and UK date formatting."""

from __future__ import annotations

import calendar
import functools
from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")

FIRST_CORE_GROUP_WORKING_DAYS = 10
FIRST_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
ADULT_AGE = 18

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_BAD_DATETIME = "Give the date and time as 2027-03-04T10:00."
_OBSERVED_SUFFIX = " (observed)"


@functools.lru_cache(maxsize=128)
def _holiday_names(year: int) -> Mapping[date, str]:
    found = holidays.country_holidays("GB", subdiv="ENG", years=year, language="en_GB")
    # Like GOV.UK's list: a holiday falling at a weekend is kept only as its substitute weekday.
    weekdays = {day: name for day, name in found.items() if day.weekday() < 5}
    # Read-only so that no caller can alter the cached calendar for everyone else.
    return MappingProxyType(weekdays)


@functools.lru_cache(maxsize=128)
def _bank_holiday_range(year_from: int, year_to: int) -> frozenset[date]:
    days: set[date] = set()
    for year in range(year_from, year_to + 1):
        days.update(_holiday_names(year))
    return frozenset(days)


def _holiday_name(day: date) -> str | None:
    return _holiday_names(day.year).get(day)


def bank_holidays(year_from: int, year_to: int) -> set[date]:
    """Return the England and Wales bank holidays from year_from to year_to inclusive."""
    if year_from > year_to:
        raise ValueError("year_from must not be later than year_to.")
    # A fresh set each call: the cached frozenset must stay untouched by callers.
    return set(_bank_holiday_range(year_from, year_to))


def is_working_day(day: date, closures: Collection[date] = ()) -> bool:
    """Say whether day is a weekday that is neither a bank holiday nor a local closure day."""
    return day.weekday() < 5 and _holiday_name(day) is None and day not in closures


def add_working_days(start: date, n: int, closures: Collection[date] = ()) -> date:
    """Return the date n working days after start (before it when n is negative)."""
    closed = frozenset(closures)
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_working_day(day, closed):
            remaining -= 1
    return day


def report_due(
    conference_day: date, working_days_before: int, closures: Collection[date] = ()
) -> date:
    """Return the day a report is due: working_days_before working days before the conference."""
    if working_days_before < 0:
        raise ValueError("working_days_before must not be negative.")
    return add_working_days(conference_day, -working_days_before, closures)


def first_core_group_by(conference_day: date, closures: Collection[date] = ()) -> date:
    """Return the latest date for the first core group after a conference."""
    return add_working_days(conference_day, FIRST_CORE_GROUP_WORKING_DAYS, closures)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    # 31 January + 1 month has no 31 February; the limit is the last day of that month.
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


def review_by(conference_day: date, is_review: bool, closures: Collection[date] = ()) -> date:
    """Return the latest working day for the next review conference."""
    months = LATER_REVIEW_MONTHS if is_review else FIRST_REVIEW_MONTHS
    day = _add_months(conference_day, months)
    closed = frozenset(closures)
    # Step back, never forward: the review must be held within the statutory limit.
    while not is_working_day(day, closed):
        day -= timedelta(days=1)
    return day


def _describe_holiday(name: str) -> str:
    if name.endswith(_OBSERVED_SUFFIX):
        return f"{name.removesuffix(_OBSERVED_SUFFIX)}, substitute day"
    return name


def check_proposed_date(
    proposed: date, conference_day: date, latest: date, closures: Collection[date] = ()
) -> list[str]:
    """Return plain-English problems with a proposed meeting date; an empty list means none."""
    problems: list[str] = []
    shown = format_date(proposed)
    if proposed <= conference_day:
        problems.append("The date must be after the conference.")
    holiday = _holiday_name(proposed)
    if proposed.weekday() >= 5:
        problems.append(f"{shown} is a weekend day; choose a working day.")
    elif holiday is not None:
        problems.append(
            f"{shown} is a bank holiday ({_describe_holiday(holiday)}); choose a working day."
        )
    elif proposed in closures:
        problems.append(f"{shown} is a local closure day; choose a working day.")
    if proposed > latest:
        problems.append(f"{shown} is later than the latest allowed date, {format_date(latest)}.")
    return problems


def age_on(date_of_birth: date, on: date) -> int:
    """Return a person's age in whole years on the given day."""
    if on < date_of_birth:
        raise ValueError("The date is before the date of birth.")
    # Someone born on 29 February has their birthday on 1 March in a non-leap year.
    birthday_not_yet = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - int(birthday_not_yet)


def eighteenth_birthday(date_of_birth: date) -> date:
    """Return the day a person born on date_of_birth turns 18."""
    year = date_of_birth.year + ADULT_AGE
    if (date_of_birth.month, date_of_birth.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 3, 1)
    return date_of_birth.replace(year=year)


def review_after_eighteenth(review_day: date, date_of_birth: date) -> bool:
    """Say whether the child will be 18 or older on the review day."""
    return review_day >= eighteenth_birthday(date_of_birth)


def _as_aware(dt: datetime) -> datetime:
    # Naive datetimes in this application are UTC, as stored.
    return dt if dt.utcoffset() is not None else dt.replace(tzinfo=UTC)


def format_date(d: date) -> str:
    """Format a date in UK form, such as "Thursday 4 March 2027"."""
    if isinstance(d, datetime):
        # A datetime is a date too; show its day in London, not its day in UTC.
        d = _as_aware(d).astimezone(LONDON).date()
    return f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def format_datetime(dt: datetime) -> str:
    """Format a datetime in London time in UK form, such as "Thursday 4 March 2027, 10:00"."""
    local = _as_aware(dt).astimezone(LONDON)
    return f"{format_date(local.date())}, {local:%H:%M}"


def parse_iso_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date and time (naive means London time) into an aware UTC datetime."""
    cleaned = text.strip()
    try:
        date.fromisoformat(cleaned)
    except ValueError:
        pass
    else:
        # A bare date would silently become midnight; a meeting needs its time.
        raise ValueError(_BAD_DATETIME)
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError as exc:
        raise ValueError(_BAD_DATETIME) from exc
    try:
        if parsed.utcoffset() is None:
            # fold=0 takes the first (summer time) 01:30 when the clocks go back.
            local = parsed.replace(tzinfo=LONDON)
            if local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != parsed:
                raise ValueError(
                    f"There is no {parsed:%H:%M} on {format_date(parsed.date())} in UK time "
                    "because the clocks go forward; choose another time."
                )
            parsed = local
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(_BAD_DATETIME) from exc


def to_iso(dt: datetime) -> str:
    """Return dt as ISO 8601 in UTC to the second, ending in "Z" (a naive dt is taken as UTC)."""
    utc = _as_aware(dt).astimezone(UTC).replace(tzinfo=None)
    return f"{utc.isoformat(timespec='seconds')}Z"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def today_london() -> date:
    """Return today's date in London."""
    return _utc_now().astimezone(LONDON).date()
