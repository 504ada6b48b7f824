"""Conferences before the meeting: create, edit, and look one up for a viewer."""

from __future__ import annotations

import secrets

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, la_settings, queries
from ..access import Actor
from ..db import transaction
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..rules import dates
from ..schemas import DateText, Payload, parse

# No look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B): 25 symbols, 10 of them = 46 bits.
JOIN_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_LENGTH = 10
STAFF_WHO_PLAN = ("chair", "admin")


class ChildIn(Payload):
    id: int | None = None
    name: str = Field(min_length=1, max_length=200)
    date_of_birth: DateText | None = None
    expected_date: DateText | None = None
    identifier: str | None = Field(default=None, max_length=40)
    school: str | None = Field(default=None, max_length=200)
    gp: str | None = Field(default=None, max_length=200)


class FamilyMemberIn(Payload):
    name: str = Field(min_length=1, max_length=200)
    relationship: str = Field(min_length=1, max_length=100)
    household: bool = False


class ConferenceIn(Payload):
    kind: str = Field(min_length=1, max_length=40)
    scheduled_for: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    venue: str | None = Field(default=None, max_length=200)
    children: list[ChildIn] | None = Field(default=None, max_length=15)
    family_members: list[FamilyMemberIn] | None = Field(default=None, max_length=40)
    reviews: int | None = None


class ConferenceChanges(Payload):
    kind: str | None = Field(default=None, min_length=1, max_length=40)
    scheduled_for: str | None = Field(default=None, min_length=1, max_length=40)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    venue: str | None = Field(default=None, max_length=200)
    children: list[ChildIn] | None = Field(default=None, max_length=15)
    family_members: list[FamilyMemberIn] | None = Field(default=None, max_length=40)


def new_join_code() -> str:
    """Return a fresh join code."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))


def normalise_join_code(text: str) -> str:
    """Return ``text`` as a stored join code: capitals, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def display_join_code(code: str) -> str:
    """Return a join code split in two halves for reading aloud."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def load(db: Database, actor: Actor, conference_id: int) -> dict:
    """Return the conference if ``actor`` may know it exists, else raise NotFound."""
    conference = queries.conference(db, conference_id)
    visible = conference is not None and (
        (actor.is_staff and actor.council_id == conference["council_id"])
        or (actor.conference_id == conference_id and actor.kind in ("participant", "invitee"))
    )
    if not visible:
        raise NotFound("There is no such conference, or you are not part of it.")
    return conference


def require_open(conference: dict) -> None:
    """Refuse any change to a closed conference."""
    if conference["status"] == "closed":
        raise Conflict(
            "This conference is closed and its record is final. Nothing can be changed.",
            code="closed",
        )


def require_still_open(tx, conference_id: int) -> dict:
    """Re-read the conference inside a write transaction and refuse if it closed meanwhile.

    Checks made before the transaction can race with the chair closing the meeting; this one
    runs under the write lock, so no write lands after the close.
    """
    conference = queries.conference(tx.db, conference_id)
    require_open(conference)
    return conference


def kind_of(
    settings: la_settings.LASettings, conference: dict
) -> la_settings.ConferenceKind | None:
    """Return the council's kind of ``conference`` (its own kind or a base one), if it has it."""
    for kind in settings.conference_kinds:
        if conference["local_kind"]:
            if kind.name == conference["local_kind"] and kind.base == conference["kind"]:
                return kind
        elif kind.key == conference["kind"]:
            return kind
    return None


def kind_name(settings: la_settings.LASettings, conference: dict) -> str:
    """Return the council's name for the kind of ``conference``."""
    kind = kind_of(settings, conference)
    if kind is not None:
        return kind.name
    return conference["local_kind"] or conference["kind"].replace("_", " ").capitalize()


def reviewable(db: Database, actor: Actor) -> list[dict]:
    """Return the council's closed conferences, newest first: the ones a review may name."""
    return queries.closed_conferences(db, actor.council_id)


def _kind(settings: la_settings.LASettings, key: str) -> tuple[str, str | None]:
    for kind in settings.conference_kinds:
        if kind.key == key:
            return kind.base, (None if kind.key == kind.base else kind.name)
    allowed = ", ".join(kind.key for kind in settings.conference_kinds)
    raise Invalid(f"kind: must be one of {allowed}.", field="kind")


def _scheduled(text: str) -> str:
    try:
        return dates.to_iso(dates.parse_iso_datetime(text))
    except ValueError as error:
        raise Invalid(f"scheduled_for: {error}", field="scheduled_for") from None


def _check_children(children: list[ChildIn]) -> None:
    today = dates.today_london()
    for index, child in enumerate(children):
        where = f"children[{index}]"
        if child.date_of_birth and child.expected_date:
            raise Invalid(
                f"{where}: give a date of birth or, for an unborn baby, an expected date — "
                "not both.",
                field=where,
            )
        if not child.date_of_birth and not child.expected_date:
            raise Invalid(
                f"{where}.date_of_birth: give the child's date of birth, or the expected date "
                "for an unborn baby.",
                field=f"{where}.date_of_birth",
            )
        if child.date_of_birth and child.date_of_birth > today:
            raise Invalid(
                f"{where}.date_of_birth: the date of birth is in the future. For an unborn "
                "baby, give the expected date instead.",
                field=f"{where}.date_of_birth",
            )
        if child.expected_date and child.expected_date < today:
            raise Invalid(
                f"{where}.expected_date: the expected date is in the past. If the baby has "
                "been born, give the date of birth instead.",
                field=f"{where}.expected_date",
            )


def _child_row(child: ChildIn, position: int) -> dict:
    return {
        "name": child.name,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "expected_date": child.expected_date.isoformat() if child.expected_date else None,
        "identifier": child.identifier or None,
        "school": child.school or None,
        "gp": child.gp or None,
        "position": position,
    }


def _write_family(db: Database, conference_id: int, members: list[FamilyMemberIn]) -> None:
    queries.delete_family_members(db, conference_id)
    for position, member in enumerate(members):
        queries.insert_family_member(
            db,
            {
                "conference_id": conference_id,
                "name": member.name,
                "relationship": member.relationship,
                "household": int(member.household),
                "position": position,
            },
        )


def _carried_forward(db: Database, actor: Actor, reviews_id: int) -> dict:
    earlier = queries.conference(db, reviews_id)
    if earlier is None or earlier["council_id"] != actor.council_id:
        raise Invalid(
            "reviews: there is no such conference in your council's records.", field="reviews"
        )
    if earlier["status"] != "closed":
        raise Invalid(
            "reviews: that conference is not closed yet, so it cannot be reviewed.", field="reviews"
        )
    return earlier


def create(db: Database, actor: Actor, data: dict) -> dict:
    """Create a conference with its children and family; return the public object."""
    if actor.role not in STAFF_WHO_PLAN:
        raise Forbidden("Only a chair or an admin can set up a conference.")
    new = parse(ConferenceIn, data)
    settings = la_settings.get(db, actor.council_id)
    kind, local_kind = _kind(settings, new.kind)
    scheduled_for = _scheduled(new.scheduled_for)
    earlier = _carried_forward(db, actor, new.reviews) if new.reviews is not None else None
    if earlier and kind != "review":
        raise Invalid("kind: a conference that reviews another must be a review.", field="kind")
    children = new.children
    family = new.family_members
    if earlier:
        if children is None:
            children = [
                ChildIn(
                    id=c["id"],
                    name=c["name"],
                    date_of_birth=c["date_of_birth"],
                    identifier=c["identifier"],
                    school=c["school"],
                    gp=c["gp"],
                )
                for c in queries.children(db, earlier["id"])
                if c["date_of_birth"]
            ]
            unborn = [
                c["name"] for c in queries.children(db, earlier["id"]) if not c["date_of_birth"]
            ]
            if unborn:
                raise Invalid(
                    f"children: {', '.join(unborn)} was not born yet at the last conference; "
                    "list the children, with the baby's name and date of birth.",
                    field="children",
                )
        if family is None:
            family = [
                FamilyMemberIn(
                    name=m["name"], relationship=m["relationship"], household=bool(m["household"])
                )
                for m in queries.family_members(db, earlier["id"])
            ]
    if not children:
        raise Invalid("children: add at least one child.", field="children")
    if earlier:
        # An id links a child to their record last time; it must be a child of that conference.
        known = {c["id"] for c in queries.children(db, earlier["id"])}
        for index, child in enumerate(children):
            if child.id is not None and child.id not in known:
                raise Invalid(
                    f"children[{index}].id: that child was not in the conference being "
                    "reviewed; leave the id out for a child who is new.",
                    field=f"children[{index}].id",
                )
    _check_children(children)
    now = clock.stamp()
    with transaction(db) as tx:
        conference_id = queries.insert_conference(
            tx.db,
            {
                "council_id": actor.council_id,
                "kind": kind,
                "local_kind": local_kind,
                "title": new.title,
                "scheduled_for": scheduled_for,
                "venue": new.venue or None,
                "join_code": _unused_join_code(tx.db),
                "reviews_id": earlier["id"] if earlier else None,
                "created_by": actor.id,
                "created_at": now,
            },
        )
        child_map: dict[int, int] = {}
        for position, child in enumerate(children):
            row = _child_row(child, position)
            row["conference_id"] = conference_id
            row["carried_from_id"] = child.id if earlier else None
            new_id = queries.insert_child(tx.db, row)
            if earlier and child.id is not None:
                child_map[child.id] = new_id
        _write_family(tx.db, conference_id, family or [])
        audit.record(tx, actor, "conference.create", conference_id, {"kind": kind})
        from . import review  # review builds on this module

        asked = (
            review.carry_forward(tx, actor, earlier, conference_id, child_map) if earlier else []
        )
    out = public(db, queries.conference(db, conference_id))
    # Each professional asked again gets a new private link, shown once (the API adds the URL).
    out["invitations"] = [
        {**invitation_names(db, invitation_id), "token": token} for invitation_id, token in asked
    ]
    return out


def invitation_names(db: Database, invitation_id: int) -> dict:
    invitation = queries.invitation(db, invitation_id)
    return {"id": invitation["id"], "name": invitation["name"], "agency": invitation["agency"]}


def _unused_join_code(db: Database) -> str:
    while True:
        code = new_join_code()
        if queries.conference_by_code(db, code) is None:
            return code


def update(db: Database, actor: Actor, conference_id: int, data: dict) -> dict:
    """Change a conference's details, children or family before it closes."""
    if actor.role not in STAFF_WHO_PLAN:
        raise Forbidden("Only a chair or an admin can change a conference's details.")
    conference = load(db, actor, conference_id)
    require_open(conference)
    changes = parse(ConferenceChanges, data)
    values: dict = {}
    if changes.kind is not None:
        kind, local_kind = _kind(la_settings.get(db, actor.council_id), changes.kind)
        values.update(kind=kind, local_kind=local_kind)
    if changes.scheduled_for is not None:
        values["scheduled_for"] = _scheduled(changes.scheduled_for)
    if changes.title is not None:
        values["title"] = changes.title
    if "venue" in changes.model_fields_set:
        values["venue"] = changes.venue or None
    existing_ids = {child["id"] for child in queries.children(db, conference_id)}
    if changes.children is not None:
        if not changes.children:
            raise Invalid("children: add at least one child.", field="children")
        _check_children(changes.children)
        for index, child in enumerate(changes.children):
            if child.id is not None and child.id not in existing_ids:
                raise Invalid(
                    f"children[{index}].id: that child is not in this conference.",
                    field=f"children[{index}].id",
                )
    with transaction(db) as tx:
        if values:
            queries.update_conference(tx.db, conference_id, values)
        if changes.children is not None:
            keep = []
            for position, child in enumerate(changes.children):
                row = _child_row(child, position)
                if child.id is None:
                    keep.append(
                        queries.insert_child(tx.db, {**row, "conference_id": conference_id})
                    )
                else:
                    queries.update_child(tx.db, child.id, row)
                    keep.append(child.id)
            # Removed children go last, so a new child never takes a removed child's id.
            queries.delete_children(tx.db, conference_id, keep)
        if changes.family_members is not None:
            _write_family(tx.db, conference_id, changes.family_members)
        audit.record(
            tx,
            actor,
            "conference.update",
            conference_id,
            {"fields": sorted(changes.model_fields_set)},
        )
    return public(db, queries.conference(db, conference_id))


def public(db: Database, conference: dict) -> dict:
    """Return the staff view of a conference's set-up details."""
    return {
        "id": conference["id"],
        "kind": conference["kind"],
        "local_kind": conference["local_kind"],
        "title": conference["title"],
        "scheduled_for": conference["scheduled_for"],
        "venue": conference["venue"],
        "join_code": conference["join_code"],
        "stage": conference["stage"],
        "status": conference["status"],
        "reviews": conference["reviews_id"],
        "children": [
            {
                "id": child["id"],
                "name": child["name"],
                "date_of_birth": child["date_of_birth"],
                "expected_date": child["expected_date"],
                "unborn": child["expected_date"] is not None,
                "identifier": child["identifier"],
                "school": child["school"],
                "gp": child["gp"],
            }
            for child in queries.children(db, conference["id"])
        ],
        "family_members": [
            {
                "id": member["id"],
                "name": member["name"],
                "relationship": member["relationship"],
                "household": bool(member["household"]),
            }
            for member in queries.family_members(db, conference["id"])
        ],
    }
