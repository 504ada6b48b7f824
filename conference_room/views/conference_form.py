"""The conference set-up page's form: fields to the API payload and back, and its messages.

The page sends the same payload as ``POST /api/v1/conferences`` (and ``PATCH``) so that one
service checks both. This module only does what the API does not see: dates typed as
day/month/year, rows of children and family members, blank rows, and turning an error about
``children[0].date_of_birth`` into a sentence that links to the right box.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..errors import Invalid
from ..rules import dates

MAX_CHILD_ROWS = 15  # the service's limit: a 16th row could never be saved
MAX_MEMBER_ROWS = 40
BLANK_ROWS = 2
ONLINE = "Online"

TOP_FIELDS = (
    "kind",
    "date-day",
    "date-month",
    "date-year",
    "time-hour",
    "time-minute",
    "venue-type",
    "venue",
    "title",
    "reviews",
)
CHILD_FIELDS = (
    "id",
    "name",
    "born",
    "dob-day",
    "dob-month",
    "dob-year",
    "expected-day",
    "expected-month",
    "expected-year",
    "identifier",
    "school",
    "gp",
)
MEMBER_FIELDS = ("name", "relationship", "household")
_NUMBER = re.compile(r"[0-9]+")


@dataclass
class FormState:
    """What the form shows: every value as typed, and the rows of children and family."""

    values: dict[str, str]
    children: list[dict[str, str]]
    members: list[dict[str, str]]


@dataclass
class Parsed:
    """The payload for the service, problems found on the way, and which row is which."""

    payload: dict
    problems: dict[str, str] = field(default_factory=dict)  # input id -> message, page order
    child_rows: list[int] = field(default_factory=list)  # payload index -> form row
    member_rows: list[int] = field(default_factory=list)


def _blank(names: tuple[str, ...]) -> dict[str, str]:
    return dict.fromkeys(names, "")


def blank_state() -> FormState:
    """Return the empty form for a new conference."""
    return FormState(
        _blank(TOP_FIELDS),
        [_blank(CHILD_FIELDS) for _ in range(BLANK_ROWS)],
        [_blank(MEMBER_FIELDS) for _ in range(BLANK_ROWS)],
    )


def _date_parts(prefix: str, iso: str | None) -> dict[str, str]:
    if not iso:
        return {f"{prefix}-day": "", f"{prefix}-month": "", f"{prefix}-year": ""}
    day = date.fromisoformat(iso)
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def state_from_conference(conference: dict, kind_key: str) -> FormState:
    """Return the form filled in from a conference's public object, plus blank rows."""
    local = dates.parse_iso_datetime(conference["scheduled_for"]).astimezone(dates.LONDON)
    venue = conference["venue"] or ""
    values = {
        **_blank(TOP_FIELDS),
        "kind": kind_key,
        **_date_parts("date", local.date().isoformat()),
        "time-hour": f"{local.hour:02d}",
        "time-minute": f"{local.minute:02d}",
        "venue-type": "online" if venue == ONLINE else ("in_person" if venue else ""),
        "venue": "" if venue == ONLINE else venue,
        "title": conference["title"],
    }
    children = [
        {
            **_blank(CHILD_FIELDS),
            "id": str(child["id"]),
            "name": child["name"],
            "born": "unborn" if child["expected_date"] else "born",
            **_date_parts("dob", child["date_of_birth"]),
            **_date_parts("expected", child["expected_date"]),
            "identifier": child["identifier"] or "",
            "school": child["school"] or "",
            "gp": child["gp"] or "",
        }
        for child in conference["children"]
    ]
    members = [
        {
            "name": member["name"],
            "relationship": member["relationship"],
            "household": "yes" if member["household"] else "no",
        }
        for member in conference["family_members"]
    ]
    return FormState(
        values,
        children + [_blank(CHILD_FIELDS) for _ in range(BLANK_ROWS)],
        members + [_blank(MEMBER_FIELDS) for _ in range(BLANK_ROWS)],
    )


def _row_count(form: Mapping[str, str], name: str, limit: int) -> int:
    text = form.get(name, "")
    count = int(text) if _NUMBER.fullmatch(text) and len(text) < 4 else 0
    return min(count, limit)


def _typed(row: dict[str, str], prefix: str) -> bool:
    return any(row[f"{prefix}-{part}"] for part in ("day", "month", "year"))


def read_form(form: Mapping[str, str]) -> FormState:
    """Return what the person typed, exactly, row by row."""
    values = {name: form.get(name, "") for name in TOP_FIELDS}
    children = []
    for index in range(_row_count(form, "child_rows", MAX_CHILD_ROWS)):
        row = {name: form.get(f"child-{index}-{name}", "") for name in CHILD_FIELDS}
        if row["born"] not in ("born", "unborn"):
            # No choice made (no JavaScript, or skipped): go by which date was typed, so the
            # right part of the form stays open when it is shown again.
            dob, expected = _typed(row, "dob"), _typed(row, "expected")
            row["born"] = (
                "born" if dob and not expected else "unborn" if expected and not dob else ""
            )
        children.append(row)
    members = [
        {name: form.get(f"member-{index}-{name}", "") for name in MEMBER_FIELDS}
        for index in range(_row_count(form, "member_rows", MAX_MEMBER_ROWS))
    ]
    return FormState(values, children, members)


def add_row(state: FormState, action: str) -> FormState:
    """Return the form with one more blank child or family-member row."""
    if action == "add_child" and len(state.children) < MAX_CHILD_ROWS:
        state.children.append(_blank(CHILD_FIELDS))
    if action == "add_member" and len(state.members) < MAX_MEMBER_ROWS:
        state.members.append(_blank(MEMBER_FIELDS))
    return state


def _date_from_parts(values: Mapping[str, str], prefix: str, label: str) -> tuple[str | None, str]:
    """Return (ISO date or None, problem) for a day/month/year group; both empty when blank."""
    parts = {part: values.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")}
    if not any(parts.values()):
        return None, ""
    missing = [part for part, text in parts.items() if not text]
    if missing:
        return None, f"{label} must include a {' and a '.join(missing)}"
    if not all(_NUMBER.fullmatch(text) for text in parts.values()):
        return None, f"{label} must be written in numbers, for example 27 3 2019"
    if len(parts["year"]) != 4:
        return None, f"{label}: the year must have 4 numbers, for example 2019"
    try:
        typed = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        shown = f"{parts['day']}/{parts['month']}/{parts['year']}"
        return None, f"{label} must be a real date: there is no {shown}"
    return typed.isoformat(), ""


def _time(values: Mapping[str, str]) -> tuple[str | None, str]:
    hour, minute = values.get("time-hour", "").strip(), values.get("time-minute", "").strip()
    if not hour and not minute:
        return None, "Enter the time the conference starts, for example 10 00"
    minute = minute or "00"
    if not (_NUMBER.fullmatch(hour) and _NUMBER.fullmatch(minute)):
        return None, "Time must be written in numbers, for example 14 30 for half past two"
    if int(hour) > 23 or int(minute) > 59:
        return None, "Time must be a real time: hours from 0 to 23, minutes from 0 to 59"
    return f"{int(hour):02d}:{int(minute):02d}", ""


def _scheduled_for(values: Mapping[str, str], problems: dict[str, str]) -> str | None:
    day, problem = _date_from_parts(values, "date", "Date of the conference")
    if problem:
        problems["date-day"] = problem
    elif day is None:
        problems["date-day"] = "Enter the date of the conference"
    clock, problem = _time(values)
    if problem:
        problems["time-hour"] = problem
    return f"{day}T{clock}" if day and clock else None


def _venue(values: Mapping[str, str], problems: dict[str, str]) -> str | None:
    if values.get("venue-type") == "online":
        return ONLINE
    venue = values.get("venue", "").strip()
    if values.get("venue-type") == "in_person" and not venue:
        problems["venue"] = "Enter where the conference is held, or choose Online"
    return venue or None


def _child(row: dict[str, str], index: int, problems: dict[str, str]) -> dict:
    number = index + 1
    child: dict = {name: row[name] for name in ("name", "identifier", "school", "gp")}
    if _NUMBER.fullmatch(row["id"]) and len(row["id"]) < 19:
        child["id"] = int(row["id"])
    # Only the chosen date counts: without JavaScript both boxes show, and may both be typed in.
    wanted = {"born": ("dob",), "unborn": ("expected",)}.get(row["born"], ("dob", "expected"))
    for prefix, key, label in (
        ("dob", "date_of_birth", f"Child {number}'s date of birth"),
        ("expected", "expected_date", f"Child {number}'s expected date of birth"),
    ):
        if prefix not in wanted:
            continue
        iso, problem = _date_from_parts(row, prefix, label)
        if problem:
            problems[f"child-{index}-{prefix}-day"] = problem
        elif iso:
            child[key] = iso
    return child


def _is_blank(row: dict[str, str], ignore: tuple[str, ...]) -> bool:
    return not any(value.strip() for name, value in row.items() if name not in ignore)


def to_payload(state: FormState, creating: bool) -> Parsed:
    """Turn the form into the service's payload, noting problems only the form can have."""
    values = state.values
    parsed = Parsed(payload={})
    payload, problems = parsed.payload, parsed.problems
    if values["kind"] or creating:
        payload["kind"] = values["kind"]
    payload["scheduled_for"] = _scheduled_for(values, problems)
    payload["venue"] = _venue(values, problems)
    payload["title"] = values["title"]
    if creating and _NUMBER.fullmatch(values["reviews"]) and len(values["reviews"]) < 19:
        payload["reviews"] = int(values["reviews"])
    children = []
    for index, row in enumerate(state.children):
        # A hidden id or a radio alone does not make a row: the person typed nothing in it.
        if not _is_blank(row, ignore=("id", "born")):
            children.append(_child(row, index, problems))
            parsed.child_rows.append(index)
    members = []
    for index, row in enumerate(state.members):
        if not _is_blank(row, ignore=("household",)):
            members.append(
                {
                    "name": row["name"],
                    "relationship": row["relationship"],
                    "household": row["household"] == "yes",
                }
            )
            parsed.member_rows.append(index)
    # A review with no rows typed carries the children and family forward from the one reviewed.
    carry = "reviews" in payload
    if children or not carry:
        payload["children"] = children
    if members or not carry:
        payload["family_members"] = members
    # The service would name only the first empty field; list every one at once, in its words.
    for name in _empty_fields(payload):
        empty = Invalid(f"{name}: must not be empty.", field=name)
        target, message = page_error(empty, state, parsed)
        problems.setdefault(target, message)
    return parsed


def _empty_fields(payload: dict) -> list[str]:
    names = [name for name in ("kind", "title") if name in payload and not payload[name].strip()]
    if "children" in payload and not payload["children"]:
        names.append("children")
    for group, required in (("children", ("name",)), ("family_members", ("name", "relationship"))):
        for index, row in enumerate(payload.get(group) or []):
            names += [f"{group}[{index}].{key}" for key in required if not row[key].strip()]
    return names


_PAGE_ORDER = ("kind", "reviews", "date-day", "time-hour", "venue", "title")
_ROW_ORDER = (
    "name",
    "born",
    "dob-day",
    "expected-day",
    "identifier",
    "school",
    "gp",
    "relationship",
    "household",
)


def in_page_order(problems: dict[str, str]) -> dict[str, str]:
    """Return ``problems`` ordered as their inputs appear on the page, for the error summary."""

    def position(target: str) -> tuple[int, int, int]:
        if target in _PAGE_ORDER:
            return (_PAGE_ORDER.index(target), 0, 0)
        group, row, rest = target.split("-", 2)
        rank = _ROW_ORDER.index(rest) if rest in _ROW_ORDER else len(_ROW_ORDER)
        return (len(_PAGE_ORDER) + (group == "member"), int(row), rank)

    return dict(sorted(problems.items(), key=lambda item: position(item[0])))


_ROW_FIELD = re.compile(r"^(children|family_members)\[(\d+)\](?:\.(\w+))?$")

# field -> (input id, label, what to say when it is empty)
_TOP = {
    "kind": ("kind", "Kind of conference", "Choose the kind of conference"),
    "scheduled_for": ("date-day", "Date and time", "Enter the date and time of the conference"),
    "title": ("title", "Family name", "Enter the family name, for example The Pennick family"),
    "venue": ("venue", "Venue", "Enter where the conference is held, or choose Online"),
    "reviews": ("reviews", "The conference this reviews", "Choose the conference this reviews"),
    "children": ("child-0-name", "Children", "Add at least one child"),
    "family_members": ("member-0-name", "Family and network", "Add the family members"),
}
_CHILD = {
    "name": ("name", "name"),
    "date_of_birth": ("dob-day", "date of birth"),
    "expected_date": ("expected-day", "expected date of birth"),
    "identifier": ("identifier", "NHS or other ID"),
    "school": ("school", "school or nursery"),
    "gp": ("gp", "GP"),
    "id": ("name", "record"),
}
_MEMBER = {
    "name": ("name", "name"),
    "relationship": ("relationship", "relationship to the children"),
    "household": ("household", "lives in the household"),
}


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def page_error(error: Invalid, state: FormState, parsed: Parsed) -> tuple[str, str]:
    """Return (input id, message naming the field) for an error from the service."""
    name = error.field or ""
    rest = error.message.removeprefix(f"{name}: ") if name else error.message
    empty = rest in ("is required.", "must not be empty.")
    if name in _TOP:
        target, label, missing = _TOP[name]
        if empty:
            return target, missing
        if name == "children":
            return target, _sentence(rest)
        return target, f"{label}: {_sentence(rest)}"
    match = _ROW_FIELD.match(name)
    if match:
        group, index, part = match.group(1), int(match.group(2)), match.group(3)
        is_child = group == "children"
        rows = parsed.child_rows if is_child else parsed.member_rows
        row = rows[index] if index < len(rows) else index
        prefix, noun = ("child", "Child") if is_child else ("member", "Family member")
        whose = f"{noun} {row + 1}"
        if is_child and (
            part is None
            or (
                part == "date_of_birth"
                and row < len(state.children)
                and state.children[row]["born"] != "born"
            )
        ):
            # "Give a date of birth or an expected date": point at the choice, which is
            # always visible, rather than at a date box that may be folded away.
            return f"child-{row}-born", f"{whose}: {_sentence(rest)}"
        target, label = (_CHILD if is_child else _MEMBER).get(part or "", ("name", "details"))
        if empty:
            return f"{prefix}-{row}-{target}", f"Enter {whose.lower()}'s {label}"
        return f"{prefix}-{row}-{target}", f"{whose}'s {label}: {_sentence(rest)}"
    return "kind", _sentence(error.message)
