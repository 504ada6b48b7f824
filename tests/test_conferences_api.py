"""POST and PATCH /api/v1/conferences: set up and change a conference; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import PASSWORD, child, conference_payload

from conference_room import clock, councils, queries
from conference_room.db import transaction
from conference_room.rules import dates
from conference_room.services import accounts

TABLES = ("conferences", "children", "family_members", "audit_events")


def _counts(db) -> dict[str, int]:
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


def _day(offset: int) -> str:
    return (dates.today_london() + timedelta(days=offset)).isoformat()


def _close(db, conference_id: int) -> None:
    with transaction(db) as tx:
        queries.update_conference(
            tx.db, conference_id, {"status": "closed", "closed_at": clock.stamp()}
        )


def test_a_chair_creates_a_conference_with_an_unborn_baby(chair, db):
    answer = chair.post(
        "/api/v1/conferences",
        json=conference_payload(
            children=[child(), {"name": "Baby Example", "expected_date": _day(60)}],
            venue="Online",
        ),
    )
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert [c["unborn"] for c in body["children"]] == [False, True]
    assert body["venue"] == "Online"
    assert body["join_code"]
    assert queries.conference(db, body["id"])["title"] == "The Example family"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "secret_meeting"}, "kind"),
        ({"children": [child(date_of_birth=_day(1))]}, "children[0].date_of_birth"),
        (
            {"children": [{"name": "Baby Example", "expected_date": _day(-1)}]},
            "children[0].expected_date",
        ),
        ({"children": [child(expected_date=_day(30))]}, "children[0]"),
        ({"children": [{"name": "Amy Example"}]}, "children[0].date_of_birth"),
        ({"children": []}, "children"),
        ({"children": [child(f"Child {n}") for n in range(16)]}, "children"),
        ({"title": ""}, "title"),
        ({"scheduled_for": "2030-02-30T10:00"}, "scheduled_for"),
        ({"scheduled_for": "2030-03-05"}, "scheduled_for"),
        ({"family_members": [{"name": "Jo", "household": True}]}, "family_members[0].relationship"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(chair, db, change, field):
    before = _counts(db)
    answer = chair.post("/api/v1/conferences", json=conference_payload(**change))
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["field"] == field
    assert error["message"]
    assert _counts(db) == before


def test_a_review_carries_the_children_and_family_forward(chair, db, make_conference):
    earlier = make_conference()
    _close(db, earlier["id"])
    payload = conference_payload(kind="review", reviews=earlier["id"])
    del payload["children"], payload["family_members"]
    answer = chair.post("/api/v1/conferences", json=payload)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["reviews"] == earlier["id"]
    assert [c["name"] for c in body["children"]] == ["Amy Example"]
    assert [m["name"] for m in body["family_members"]] == ["Jo Example"]


def test_a_review_of_a_conference_that_is_not_closed_is_refused(chair, db, make_conference):
    earlier = make_conference()
    before = _counts(db)
    answer = chair.post(
        "/api/v1/conferences", json=conference_payload(kind="review", reviews=earlier["id"])
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "reviews"
    assert _counts(db) == before


def _other_council_chair(app, db):
    other = councils.ensure(db, "Otherham Council")
    accounts.create_user(
        db,
        other,
        {"email": "chair@otherham.example", "name": "Olu", "role": "chair", "password": PASSWORD},
    )
    client = app.test_client()
    answer = client.post(
        "/api/v1/session", json={"email": "chair@otherham.example", "password": PASSWORD}
    )
    return client, answer.get_json()["csrf_token"]


def test_a_review_of_another_councils_conference_is_refused(app, chair, db):
    client, csrf = _other_council_chair(app, db)
    theirs = client.post(
        "/api/v1/conferences", json=conference_payload(), headers={"X-CSRF-Token": csrf}
    ).get_json()
    _close(db, theirs["id"])
    before = _counts(db)
    answer = chair.post(
        "/api/v1/conferences", json=conference_payload(kind="review", reviews=theirs["id"])
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "reviews"
    assert _counts(db) == before


def test_a_review_must_be_of_the_review_kind(chair, db, make_conference):
    earlier = make_conference()
    _close(db, earlier["id"])
    answer = chair.post(
        "/api/v1/conferences", json=conference_payload(kind="initial", reviews=earlier["id"])
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "kind"


def test_a_minute_taker_may_not_create_a_conference(staff, db):
    minute_taker = staff("minute_taker")
    before = _counts(db)
    answer = minute_taker.post("/api/v1/conferences", json=conference_payload())
    assert answer.status_code == 403
    assert _counts(db) == before


# -- PATCH ----------------------------------------------------------------------------------


def test_patch_changes_the_details_and_is_audited(chair, db, make_conference):
    created = make_conference()
    answer = chair.patch(
        f"/api/v1/conferences/{created['id']}",
        json={"title": "The Sample family", "venue": "Room 4", "scheduled_for": "2030-07-02T10:00"},
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["title"] == "The Sample family"
    assert body["venue"] == "Room 4"
    assert body["scheduled_for"] == "2030-07-02T09:00:00Z"  # 10:00 British Summer Time
    assert body["children"] == created["children"]
    actions = [e["action"] for e in queries.audit_events(db, created["id"])]
    assert actions == ["conference.create", "conference.update"]


def test_patch_keeps_the_ids_of_children_it_names_and_adds_new_ones(chair, db, make_conference):
    created = make_conference(children=[child("Amy Example"), child("Ben Example")])
    amy, ben = created["children"]
    answer = chair.patch(
        f"/api/v1/conferences/{created['id']}",
        json={
            "children": [
                {**child("Amy Example-Jones"), "id": amy["id"], "school": "Hill Primary"},
                {"name": "Baby Example", "expected_date": _day(90)},
            ]
        },
    )
    assert answer.status_code == 200, answer.get_json()
    children = answer.get_json()["children"]
    assert children[0]["id"] == amy["id"]
    assert children[0]["name"] == "Amy Example-Jones"
    assert children[0]["school"] == "Hill Primary"
    assert children[1]["unborn"] and children[1]["id"] not in (amy["id"], ben["id"])
    assert [c["id"] for c in queries.children(db, created["id"])] == [c["id"] for c in children]


def test_patch_replaces_the_family_members(chair, make_conference):
    created = make_conference()
    answer = chair.patch(
        f"/api/v1/conferences/{created['id']}",
        json={
            "family_members": [
                {"name": "Sam Example", "relationship": "father", "household": False},
                {"name": "Pat Example", "relationship": "grandmother", "household": True},
            ]
        },
    )
    members = answer.get_json()["family_members"]
    assert [(m["name"], m["household"]) for m in members] == [
        ("Sam Example", False),
        ("Pat Example", True),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "secret_meeting"}, "kind"),
        ({"title": ""}, "title"),
        ({"children": []}, "children"),
        ({"children": [child(date_of_birth=_day(2))]}, "children[0].date_of_birth"),
        ({"children": [{**child(), "id": 999_999}]}, "children[0].id"),
        ({"scheduled_for": "next Tuesday"}, "scheduled_for"),
        ({"colour": "pink"}, "colour"),
    ],
)
def test_patch_bad_input_is_refused_and_nothing_changes(chair, db, make_conference, change, field):
    created = make_conference()
    before = _counts(db), queries.conference(db, created["id"]), queries.children(db, created["id"])
    answer = chair.patch(f"/api/v1/conferences/{created['id']}", json=change)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field
    after = _counts(db), queries.conference(db, created["id"]), queries.children(db, created["id"])
    assert after == before


def test_patch_cannot_take_a_child_from_another_conference(chair, db, make_conference):
    first, second = make_conference(), make_conference()
    stranger = second["children"][0]["id"]
    answer = chair.patch(
        f"/api/v1/conferences/{first['id']}", json={"children": [{**child(), "id": stranger}]}
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "children[0].id"
    assert queries.children(db, second["id"])[0]["id"] == stranger


def test_a_closed_conference_cannot_be_changed(chair, db, make_conference):
    created = make_conference()
    _close(db, created["id"])
    answer = chair.patch(f"/api/v1/conferences/{created['id']}", json={"title": "Changed"})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "closed"
    assert queries.conference(db, created["id"])["title"] == "The Example family"


def test_a_minute_taker_may_not_change_a_conference(staff, make_conference):
    created = make_conference()
    answer = staff("minute_taker").patch(
        f"/api/v1/conferences/{created['id']}", json={"title": "Changed"}
    )
    assert answer.status_code == 403


def test_another_councils_chair_cannot_see_or_change_it(app, db, make_conference):
    created = make_conference()
    client, csrf = _other_council_chair(app, db)
    answer = client.patch(
        f"/api/v1/conferences/{created['id']}",
        json={"title": "Changed"},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 404
    assert queries.conference(db, created["id"])["title"] == "The Example family"


def test_patch_needs_the_csrf_token(chair, make_conference):
    created = make_conference()
    answer = chair.client.patch(f"/api/v1/conferences/{created['id']}", json={"title": "Changed"})
    assert answer.status_code == 403
