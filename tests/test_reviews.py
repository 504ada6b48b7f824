"""Review conferences: carried forward, plan progress, the scale trend, the decision in context."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from conference_room import queries
from conference_room.rules import review as rules
from tests.conftest import child, conference_payload
from tests.live_helpers import Phone, Socket, admit, drain, everything, latest
from tests.test_plan_and_decision import ok, refused

RESTRICTED_ACTION = "ZZ-REVIEW-RESTRICTED-ACTION-3f1c"


def _meeting(app, chair, conference) -> SimpleNamespace:
    console = Socket(app, chair.client)
    ok(console, "conference.join", {"conference_id": conference["id"]})
    mum = Phone(app, conference["join_code"], "Jo Example", relationship="Mum")
    pro = Phone(app, conference["join_code"], "Sam Nurse", role="professional", agency="Health")
    for phone in (mum, pro):
        admit(chair, conference, phone)
        assert phone.join()["ok"]
    return SimpleNamespace(console=console, mum=mum, pro=pro, conference=conference)


def _scale(room, child_id, mum_score, pro_score) -> None:
    round_id = ok(room.console, "scale.open", {"child_id": child_id})["round_id"]
    ok(room.mum.socket, "scale.submit", {"round_id": round_id, "score": mum_score, "reason": "m"})
    ok(room.pro.socket, "scale.submit", {"round_id": round_id, "score": pro_score, "reason": "p"})
    ok(room.console, "scale.close", {"round_id": round_id})
    ok(room.console, "scale.reveal", {"round_id": round_id})


@pytest.fixture
def initial(app, chair):
    """A closed initial conference: two children, a plan, two agencies asked, scales, decisions."""
    answer = chair.post(
        "/api/v1/conferences",
        json=conference_payload(
            scheduled_for="2029-02-06T10:00",
            children=[
                child("Amy Example", identifier="NHS 111 222 3333"),
                child("Ben Example", date_of_birth="2020-02-02"),
            ],
        ),
    )
    assert answer.status_code == 201, answer.get_json()
    conference = answer.get_json()
    cid = conference["id"]
    amy, ben = (c["id"] for c in conference["children"])
    for name, agency in (("Sam Nurse", "Health"), ("Pat Teacher", "School"), ("Old", "Gone")):
        made = chair.post(
            f"/api/v1/conferences/{cid}/invitations", json={"name": name, "agency": agency}
        )
        assert made.status_code == 201
    gone = [
        i
        for i in chair.get(f"/api/v1/conferences/{cid}/invitations").get_json()
        if i["agency"] == "Gone"
    ]
    assert chair.delete(f"/api/v1/conferences/{cid}/invitations/{gone[0]['id']}").status_code == 200
    room = _meeting(app, chair, conference)
    kinds = ("immediate", "contingency", "long_term")
    for what, child_id, kind in (
        ("Gran collects Amy from school each day", amy, "immediate"),
        ("If Dad comes home drunk, Mum calls Gran", None, "contingency"),
        ("Ben goes to nursery four mornings a week", ben, "long_term"),
    ):
        assert kind in kinds
        ok(
            room.console,
            "action.add",
            {"what": what, "who": "Mum", "by_when": "weekly", "child_id": child_id, "kind": kind},
        )
    ok(room.console, "closed_session.start")
    ok(room.console, "action.add", {"what": RESTRICTED_ACTION, "kind": "immediate"})
    ok(room.console, "closed_session.end")
    _scale(room, amy, 2, 3)
    _scale(room, ben, 5, 6)
    ok(
        room.console,
        "decision.record",
        {
            "child_id": amy,
            "outcome": "cp_plan",
            "categories": ["neglect"],
            "reasons": "Not safe yet.",
        },
    )
    ok(
        room.console,
        "decision.record",
        {"child_id": ben, "outcome": "cin_plan", "reasons": "Support."},
    )
    ok(room.console, "conference.close")
    return conference


@pytest.fixture
def review(chair, initial):
    answer = chair.post(
        "/api/v1/conferences",
        json={
            "kind": "review",
            "reviews": initial["id"],
            "scheduled_for": "2029-08-06T10:00",
            "title": "The Example family (review)",
        },
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_review_starts_from_the_last_conference(db, chair, client, initial, review):
    assert review["reviews"] == initial["id"]
    assert [c["name"] for c in review["children"]] == ["Amy Example", "Ben Example"]
    rows = queries.children(db, review["id"])
    earlier = {c["name"]: c["id"] for c in queries.children(db, initial["id"])}
    assert {r["name"]: r["carried_from_id"] for r in rows} == earlier
    assert [m["name"] for m in queries.family_members(db, review["id"])] == ["Jo Example"]
    # The last plan, drafts aside, in its order, each linked to the action it continues.
    actions = queries.plan_actions(db, review["id"])
    assert [a["what"] for a in actions][:3] == [
        "Gran collects Amy from school each day",
        "If Dad comes home drunk, Mum calls Gran",
        "Ben goes to nursery four mornings a week",
    ]
    assert all(a["carried_from_id"] for a in actions)
    assert actions[0]["child_id"] == rows[0]["id"] and actions[1]["child_id"] is None
    assert actions[3]["what"] == RESTRICTED_ACTION and actions[3]["restricted"] == 1
    # The same agencies are asked again (not the withdrawn one), each with a working new link.
    asked = review["invitations"]
    assert [(i["name"], i["agency"]) for i in asked] == [
        ("Sam Nurse", "Health"),
        ("Pat Teacher", "School"),
    ]
    page = client.get(asked[0]["url"].replace("http://localhost", ""))
    assert page.status_code == 200
    # The writer of a review report sees the last plan, to say how each action has gone.
    text = page.get_data(as_text=True)
    assert "The plan agreed last time" in text
    assert "Gran collects Amy from school each day" in text and "Not marked yet" in text


def test_a_review_of_an_open_conference_or_another_councils_is_refused(chair, make_conference):
    open_one = make_conference()
    answer = chair.post(
        "/api/v1/conferences", json=conference_payload(kind="review", reviews=open_one["id"])
    )
    assert answer.status_code == 400
    assert "not closed yet" in answer.get_json()["error"]["message"]


def test_a_child_id_from_elsewhere_cannot_be_linked(chair, initial, make_conference):
    stranger = make_conference()["children"][0]["id"]
    answer = chair.post(
        "/api/v1/conferences",
        json=conference_payload(
            kind="review",
            reviews=initial["id"],
            children=[{"name": "Eve", "id": stranger, "date_of_birth": "2019-01-01"}],
        ),
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "children[0].id"


def test_a_new_link_replaces_the_old_one(chair, client, review):
    invitation = review["invitations"][0]
    old_url = invitation["url"].replace("http://localhost", "")
    fresh = chair.post(f"/api/v1/conferences/{review['id']}/invitations/{invitation['id']}/link")
    assert fresh.status_code == 200
    assert client.get(fresh.get_json()["url"].replace("http://localhost", "")).status_code == 200
    assert client.get(old_url).status_code == 404


def _review_room(app, chair, review):
    room = _meeting(app, chair, review)
    room.screen = Socket(app, chair.client)
    ok(room.screen, "conference.join", {"conference_id": review["id"], "view": "screen"})
    room.sockets = {
        "console": room.console,
        "screen": room.screen,
        "mum": room.mum.socket,
        "pro": room.pro.socket,
    }
    drain(room)
    return room


def test_progress_on_the_last_plan_reaches_every_audience(app, chair, db, db_path, review):
    room = _review_room(app, chair, review)
    carried = queries.plan_actions(db, review["id"])[0]
    done = ok(
        room.console,
        "action.progress",
        {"action_id": carried["id"], "progress": "done", "note": "Every day since March"},
    )
    assert done["action"]["progress"] == "done"
    seen = drain(room)
    for name in ("console", "screen", "mum", "pro"):
        shown = latest(seen[name])["plan"][0]
        assert (shown["progress"], shown["progress_title"]) == ("done", "Done"), name
    # The restricted action carried from a closed session still stays away from the family.
    assert RESTRICTED_ACTION in everything(seen["pro"]) and RESTRICTED_ACTION not in everything(
        seen["mum"], seen["screen"]
    )
    new = ok(
        room.console, "action.add", {"what": "Dad joins a parenting group", "kind": "long_term"}
    )["action"]
    refused(
        room.console,
        "action.progress",
        {"action_id": new["id"], "progress": "done"},
        db_path,
        says="new today",
    )
    refused(
        room.console, "action.progress", {"action_id": carried["id"], "progress": "mostly"}, db_path
    )
    refused(
        room.mum.socket,
        "action.progress",
        {"action_id": carried["id"], "progress": "not_done"},
        db_path,
        code="forbidden",
    )


def test_the_scale_trend_then_and_now(app, chair, db_path, review):
    room = _review_room(app, chair, review)
    amy = review["children"][0]["id"]
    _scale(room, amy, 6, 7)
    state = ok(room.console, "conference.join", {"conference_id": review["id"]})["state"]
    trend = next(t for t in state["trends"] if t["child_id"] == amy)
    then, now = trend["then"]["rounds"][0]["groups"], trend["now"]["rounds"][0]["groups"]
    assert (then["family"]["median"], then["professional"]["median"]) == (2, 3)
    assert (now["family"]["median"], now["professional"]["median"]) == (6, 7)
    assert (now["all"]["min"], now["all"]["max"]) == (6, 7)
    assert trend["then"]["date_text"] == "Tuesday 6 February 2029"
    drain(room)
    ok(room.console, "scale.trend", {"child_id": amy})
    seen = drain(room)
    for name in ("screen", "mum", "pro"):
        assert latest(seen[name])["trend"]["child_id"] == amy, name
        assert "trends" not in latest(seen[name])
    ok(room.console, "scale.trend", {"child_id": None})
    assert latest(drain(room)["mum"])["trend"] is None
    refused(room.mum.socket, "scale.trend", {"child_id": amy}, db_path, code="forbidden")
    refused(room.console, "scale.trend", {"child_id": 999999}, db_path, code="not_found")


def test_a_trend_for_a_child_who_was_not_there_last_time_is_refused(app, chair, db_path, review):
    children = [
        {"id": c["id"], "name": c["name"], "date_of_birth": c["date_of_birth"]}
        for c in review["children"]
    ]
    children.append({"name": "Cal Example", "date_of_birth": "2025-06-01"})
    answer = chair.patch(f"/api/v1/conferences/{review['id']}", json={"children": children})
    assert answer.status_code == 200, answer.get_json()
    cal = answer.get_json()["children"][-1]["id"]
    room = _review_room(app, chair, review)
    refused(
        room.console,
        "scale.trend",
        {"child_id": cal},
        db_path,
        says="Cal Example was not in an earlier conference",
    )


def test_the_decision_in_context(app, chair, db_path, review):
    room = _review_room(app, chair, review)
    amy, ben = (c["id"] for c in review["children"])
    state = ok(room.console, "conference.join", {"conference_id": review["id"]})["state"]
    context = {c["child_id"]: c for c in state["decision_context"]}
    assert context[amy]["previous"]["outcome_title"] == "Child protection plan"
    assert context[amy]["previous"]["category_titles"] == ["Neglect"]
    assert context[ben]["previous"]["outcome"] == "cin_plan"
    assert context[amy]["flags"] == []  # six months on a plan: no flag yet
    changed = ok(
        room.console,
        "decision.record",
        {
            "child_id": amy,
            "outcome": "continue_plan",
            "categories": ["emotional"],
            "reasons": "Now emotional harm.",
        },
    )["decision"]
    assert changed["category_changed_from"] == ["neglect"]
    same = ok(
        room.console,
        "decision.record",
        {
            "child_id": amy,
            "outcome": "continue_plan",
            "categories": ["neglect"],
            "reasons": "Still neglect.",
        },
    )["decision"]
    assert same["category_changed_from"] is None
    assert "decision_context" not in room.mum.join()["state"]


def test_a_second_review_flags_a_plan_of_twelve_months(app, chair, review):
    room = _review_room(app, chair, review)
    amy, ben = (c["id"] for c in review["children"])
    ok(
        room.console,
        "decision.record",
        {
            "child_id": amy,
            "outcome": "continue_plan",
            "categories": ["neglect"],
            "reasons": "Still.",
        },
    )
    ok(
        room.console,
        "decision.record",
        {"child_id": ben, "outcome": "discontinue_nfa", "reasons": "Fine."},
    )
    ok(room.console, "conference.close")
    second = chair.post(
        "/api/v1/conferences",
        json={
            "kind": "review",
            "reviews": review["id"],
            "scheduled_for": "2030-02-06T10:00",
            "title": "Again",
        },
    )
    assert second.status_code == 201, second.get_json()
    console = Socket(app, chair.client)
    state = ok(console, "conference.join", {"conference_id": second.get_json()["id"]})["state"]
    flags = {c["child_id"]: c["flags"] for c in state["decision_context"]}
    amy_now = second.get_json()["children"][0]["id"]
    assert flags[amy_now][0].startswith("On a child protection plan since Tuesday 6 February 2029")


def test_unborn_children_must_be_given_again(chair, app):
    conference = chair.post(
        "/api/v1/conferences",
        json=conference_payload(
            kind="pre_birth",
            scheduled_for="2029-02-06T10:00",
            children=[{"name": "Baby Example", "expected_date": "2029-04-01"}],
        ),
    ).get_json()
    console = Socket(app, chair.client)
    ok(console, "conference.join", {"conference_id": conference["id"]})
    ok(
        console,
        "decision.record",
        {
            "child_id": conference["children"][0]["id"],
            "outcome": "cp_plan",
            "categories": ["neglect"],
            "reasons": "r",
        },
    )
    ok(console, "conference.close")
    answer = chair.post(
        "/api/v1/conferences",
        json={
            "kind": "review",
            "reviews": conference["id"],
            "scheduled_for": "2029-08-06T10:00",
            "title": "t",
        },
    )
    assert answer.status_code == 400
    assert "Baby Example was not born yet" in answer.get_json()["error"]["message"]


# -- the rules ------------------------------------------------------------------------------


def test_spread_per_group():
    out = rules.spread([("family", 2), ("family", 5), ("professional", 3), ("child", 8)])
    assert out["family"] == {"count": 3, "median": 5, "min": 2, "max": 8}
    assert out["professional"] == {"count": 1, "median": 3, "min": 3, "max": 3}
    assert out["all"]["median"] == 4


def P(day: str, outcome: str) -> rules.Past:
    return rules.Past(date.fromisoformat(day), outcome)


def test_plan_since_and_history_flags():
    history = [P("2028-01-10", "cp_plan"), P("2028-07-10", "continue_plan")]
    assert rules.plan_since(history) == date(2028, 1, 10)
    assert rules.history_flags(history, date(2028, 12, 11)) == []
    assert "12 months or more" in rules.history_flags(history, date(2029, 1, 10))[0]
    ended = [P("2026-01-10", "cp_plan"), P("2026-07-10", "discontinue_cin")]
    assert rules.plan_since(ended) is None
    assert "a plan today would be their second" in rules.history_flags(ended, date(2028, 1, 1))[0]
    twice = [*ended, P("2027-05-01", "cp_plan")]
    assert rules.history_flags(twice, date(2027, 11, 1)) == [
        "This is the child's second (or later) child protection plan."
    ]
    assert rules.history_flags([], date(2027, 1, 1)) == []


def test_category_change():
    assert rules.category_change(["neglect"], ["emotional"])
    assert not rules.category_change(["neglect"], ["neglect"])
    assert not rules.category_change([], ["neglect"])
    assert not rules.category_change(["neglect"], [])
