"""The plan, recommendations, the decision, dissent, notes and closing, through the live socket.

Each audience's view is read from what its socket is sent; each bad input is checked to change
nothing in the database (the audit log included).
"""

from __future__ import annotations

import sqlite3

import pytest

from conference_room import queries
from tests.conftest import child
from tests.live_helpers import Socket, drain, everything, latest

RESTRICTED_ACTION = "ZZ-ACTION-IN-CLOSED-SESSION-77ab"
RESTRICTED_NOTE = "ZZ-NOTE-IN-CLOSED-SESSION-c3d1"
OPEN_NOTE = "ZZ-NOTE-OPEN-19fe"
REC_REASON = "ZZ-RECOMMENDATION-REASON-5e0a"
DISSENT_REASON = "ZZ-DISSENT-REASON-a2b7"


def fingerprint(db_path) -> dict[str, list]:
    """Every row of every table: what "nothing changed" is checked against."""
    connection = sqlite3.connect(db_path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in tables
        }
    finally:
        connection.close()


def refused(socket, event, payload, db_path, code=None, says=None) -> dict:
    """Send ``event`` and check it is refused with a message, changing nothing at all."""
    before = fingerprint(db_path)
    ack = socket.emit(event, payload)
    assert ack["ok"] is False, ack
    assert ack["error"]["message"], ack
    if code:
        assert ack["error"]["code"] == code, ack
    if says:
        assert says in ack["error"]["message"], ack
    assert fingerprint(db_path) == before, f"{event} changed the database while refusing"
    return ack["error"]


def ok(socket, event, payload=None) -> dict:
    ack = socket.emit(event, payload or {})
    assert ack["ok"], ack
    return ack


def action(what="Gran will collect Amy from school every day", **extra) -> dict:
    return {
        "what": what,
        "who": "Gran",
        "by_when": "every school day",
        "kind": "immediate",
        **extra,
    }


def cp_decision(child_id, **extra) -> dict:
    return {
        "child_id": child_id,
        "outcome": "cp_plan",
        "categories": ["neglect"],
        "reasons": "Amy has often gone without food and warmth; safety is not yet tested.",
        **extra,
    }


# -- the plan -------------------------------------------------------------------------------


def test_an_action_reaches_every_audience_at_once(room):
    added = ok(room.console, "action.add", action(child_id=room.child_ids[0]))["action"]
    assert added["what"].startswith("Gran will collect")
    seen = drain(room)
    for name in ("console", "screen", "mum", "dad", "pro"):
        plan = latest(seen[name])["plan"]
        assert [a["id"] for a in plan] == [added["id"]], name
        assert plan[0]["kind_title"] == "Immediate safety"


def test_the_minute_taker_writes_the_plan_too_and_attendees_cannot(app, room, staff, db_path):
    minutes = Socket(app, staff("minute_taker").client)
    ok(minutes, "conference.join", {"conference_id": room.conference["id"]})
    ok(minutes, "action.add", action())
    for phone in (room.mum, room.pro):
        refused(phone.socket, "action.add", action(), db_path, code="forbidden")


def test_change_reorder_and_remove_actions(room, db_path):
    first = ok(room.console, "action.add", action("Mum will keep the kitchen stocked"))["action"]
    second = ok(room.console, "action.add", action("Dad will not visit after drinking"))["action"]
    changed = ok(room.console, "action.update", {"action_id": first["id"], "who": "Mum"})
    assert changed["action"]["who"] == "Mum"
    assert changed["action"]["what"] == "Mum will keep the kitchen stocked"
    ok(room.console, "action.reorder", {"order": [second["id"], first["id"]]})
    drain(room)
    ok(room.console, "action.remove", {"action_id": second["id"]})
    plan = latest(drain(room)["mum"])["plan"]
    assert [a["id"] for a in plan] == [first["id"]]
    refused(room.console, "action.reorder", {"order": [first["id"], first["id"]]}, db_path)
    refused(room.console, "action.update", {"action_id": first["id"]}, db_path)
    refused(room.console, "action.remove", {"action_id": second["id"]}, db_path, code="not_found")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (action(what=""), "what"),
        (action(what="   "), "what"),
        (action(kind="someday"), "kind"),
        (action(child_id=999999), "child_id"),
        ({"who": "Gran", "kind": "immediate"}, "what"),
        (action(what="x" * 2001), "what"),
        (action(surprise=True), "surprise"),
    ],
)
def test_bad_actions_are_refused_and_change_nothing(room, db_path, payload, field):
    error = refused(room.console, "action.add", payload, db_path)
    assert error["message"].startswith(field), error


def test_an_action_made_in_a_closed_session_stays_with_professionals(room):
    ok(room.console, "closed_session.start")
    # Restricted automatically, even when the chair did not say so.
    assert ok(room.console, "action.add", action(RESTRICTED_ACTION, restricted=False))["action"][
        "restricted"
    ]
    ok(room.console, "closed_session.end")
    ok(room.console, "action.add", action("Visible to all"))
    seen = drain(room)
    assert RESTRICTED_ACTION in everything(seen["console"], seen["pro"])
    assert RESTRICTED_ACTION not in everything(seen["mum"], seen["dad"], seen["screen"])
    # ...also in a fresh snapshot and over HTTP.
    cid = room.conference["id"]
    state = room.mum.socket.emit("conference.join", {"conference_id": cid})["state"]
    assert [a["what"] for a in state["plan"]][-1] == "Visible to all"
    assert RESTRICTED_ACTION not in room.mum.get(f"/api/v1/conferences/{cid}").get_data(True)
    assert RESTRICTED_ACTION in room.pro.get(f"/api/v1/conferences/{cid}").get_data(True)


def test_the_chair_gets_gentle_advice_that_attendees_do_not(room):
    ok(room.console, "action.add", {"what": "Social worker to monitor", "kind": "immediate"})
    ok(room.console, "decision.record", cp_decision(room.child_ids[0]))
    seen = drain(room)
    staff_view = latest(seen["console"])
    assert staff_view["plan"][0]["advice"][0] == "No one is named to do this."
    assert "“monitor”" in staff_view["plan"][0]["advice"][2]
    assert staff_view["plan_advice"] == [
        "Amy Example is on a child protection plan, and the plan has no “what if…” "
        "(contingency) action for them."
    ]
    family_view = latest(seen["mum"])
    assert "advice" not in family_view["plan"][0]
    assert "plan_advice" not in family_view
    ok(
        room.console,
        "action.add",
        action("If Dad comes home drunk, Mum calls Gran", kind="contingency"),
    )
    assert latest(drain(room)["console"])["plan_advice"] == []


def test_draft_actions_from_one_point_up_are_accepted_or_discarded(room):
    round_id = ok(room.console, "scale.open", {"child_id": room.child_ids[0]})["round_id"]
    for phone, step in ((room.mum, "Gran to stay over on Fridays"), (room.pro, "Breakfast club")):
        ok(
            phone.socket,
            "scale.submit",
            {"round_id": round_id, "score": 4, "reason": "r", "next_step": step},
        )
    ok(room.console, "scale.close", {"round_id": round_id})
    ok(room.console, "scale.reveal", {"round_id": round_id})
    console = room.console.emit("conference.join", {"conference_id": room.conference["id"]})
    answers = {a["next_step"]: a["id"] for a in console["state"]["scale"]["rounds"][0]["answers"]}
    drafts = [
        ok(room.console, "action.draft", {"answer_id": answer_id})["action"]["id"]
        for answer_id in answers.values()
    ]
    seen = drain(room)
    assert len(latest(seen["console"])["plan_drafts"]) == 2
    assert latest(seen["mum"])["plan"] == []  # drafts are not the plan yet
    accepted = ok(room.console, "action.accept", {"action_id": drafts[0]})["action"]
    assert accepted["draft"] is False
    ok(room.console, "action.remove", {"action_id": drafts[1]})
    seen = drain(room)
    assert latest(seen["console"])["plan_drafts"] == []
    assert [a["id"] for a in latest(seen["mum"])["plan"]] == [drafts[0]]


# -- recommendations ------------------------------------------------------------------------


def test_a_professional_recommends_and_the_chair_sees_it_by_agency(room, db_path):
    rec = {"child_id": room.child_ids[0], "plan": "cp_plan", "reason": REC_REASON}
    ok(room.pro.socket, "recommendation.submit", rec)
    ok(room.pro.socket, "recommendation.submit", {**rec, "plan": "cin_plan"})  # changes it
    seen = drain(room)
    recs = latest(seen["console"])["recommendations"]
    assert [(r["agency"], r["author_name"], r["plan"]) for r in recs] == [
        ("School", "Pat Teacher", "cin_plan")
    ]
    # The working record stays with staff; the professional sees their own on re-join.
    assert REC_REASON not in everything(seen["mum"], seen["dad"], seen["screen"], seen["pro"])
    mine = room.pro.join()["state"]["viewer"]["my_recommendations"]
    assert mine[str(room.child_ids[0])]["plan"] == "cin_plan"
    error = refused(room.mum.socket, "recommendation.submit", rec, db_path, code="forbidden")
    assert "Family members are asked for their views" in error["message"]
    refused(room.pro.socket, "recommendation.submit", {**rec, "plan": "maybe"}, db_path)
    refused(room.pro.socket, "recommendation.submit", {**rec, "reason": ""}, db_path)
    refused(room.pro.socket, "recommendation.submit", {**rec, "child_id": 424242}, db_path)


def test_the_chair_enters_a_recommendation_for_a_professional(room, db_path):
    rec = {"child_id": room.child_ids[1], "plan": "no_plan", "reason": "Ben is doing well."}
    refused(room.console, "recommendation.submit", rec, db_path, says="say whose it is")
    refused(room.console, "recommendation.submit", {**rec, "on_behalf_of": room.mum.id}, db_path)
    ok(room.console, "recommendation.submit", {**rec, "on_behalf_of": room.pro.id})
    recs = latest(drain(room)["console"])["recommendations"]
    assert recs[0]["entered_by_chair"] is True


# -- the decision ---------------------------------------------------------------------------


def test_a_decision_reaches_everyone_with_proposed_dates(room):
    decision = ok(room.console, "decision.record", cp_decision(room.child_ids[0]))["decision"]
    form = room.console.emit("conference.join", {"conference_id": room.conference["id"]})
    form = form["state"]["decision_form"]
    # Proposed by the rules when the chair leaves them empty.
    assert decision["core_group_on"] == form["core_group_by"]
    assert decision["review_on"] == form["review_by"]
    assert decision["category_code"] == "NEG"
    seen = drain(room)
    for name in ("mum", "dad", "pro", "screen"):
        shown = latest(seen[name])["decisions"][0]
        assert shown["outcome"] == "cp_plan"
        assert shown["outcome_family_title"].startswith("A child protection plan:")
        assert "flags" not in shown
    assert latest(seen["console"])["decisions"][0]["flags"] == []


def test_the_decision_can_be_changed_until_closing(room):
    ok(room.console, "decision.record", cp_decision(room.child_ids[0]))
    ok(
        room.console,
        "decision.record",
        {"child_id": room.child_ids[0], "outcome": "cin_plan", "reasons": "On reflection."},
    )
    decisions = latest(drain(room)["mum"])["decisions"]
    assert [(d["outcome"], d["categories"], d["review_on"]) for d in decisions] == [
        ("cin_plan", [], None)
    ]


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"reasons": ""}, "reasons", "must not be empty"),
        ({"categories": []}, "categories", "needs a category"),
        ({"outcome": "no_further_action"}, "categories", "a category is given only with"),
        ({"categories": ["neglect", "physical"]}, "categories", "one category per child"),
        ({"outcome": "continue_plan"}, "outcome", "not an outcome of an initial-type"),
        ({"outcome": "probably"}, "outcome", "must be one of"),
        ({"core_group_on": "2030-03-01"}, "core_group_on", "must be after the conference"),
        ({"core_group_on": "2030-03-09"}, "core_group_on", "weekend"),
        ({"review_on": "2030-05-06"}, "review_on", "bank holiday"),
        ({"review_on": "6/5/2030"}, "review_on", "year-month-day"),
        ({"child_id": 987654}, "child_id", "no such child"),
    ],
)
def test_bad_decisions_are_refused_and_change_nothing(room, db_path, change, field, says):
    error = refused(
        room.console, "decision.record", {**cp_decision(room.child_ids[0]), **change}, db_path
    )
    assert error["message"].startswith(field) and says in error["message"], error


def test_dates_for_an_outcome_without_a_plan_are_refused(room, db_path):
    payload = {
        "child_id": room.child_ids[0],
        "outcome": "no_further_action",
        "reasons": "Early help is enough.",
        "review_on": "2030-06-03",
    }
    refused(room.console, "decision.record", payload, db_path, says="leave it empty")


def test_only_the_chair_decides(app, room, staff, db_path):
    minutes = Socket(app, staff("minute_taker").client)
    ok(minutes, "conference.join", {"conference_id": room.conference["id"]})
    for socket in (minutes, room.pro.socket, room.mum.socket):
        refused(
            socket, "decision.record", cp_decision(room.child_ids[0]), db_path, code="forbidden"
        )


def test_multiple_categories_where_the_council_allows_them(room, staff):
    admin = staff("admin")
    answer = admin.patch("/api/v1/settings", json={"allow_multiple_categories": True})
    assert answer.status_code == 200, answer.get_json()
    decision = ok(
        room.console,
        "decision.record",
        cp_decision(room.child_ids[0], categories=["neglect", "emotional"]),
    )["decision"]
    assert decision["categories"] == ["neglect", "emotional"]
    assert decision["category_code"] == "MUL"


def test_late_dates_and_an_eighteenth_birthday_are_flagged_to_the_chair(
    make_conference, app, chair
):
    conference = make_conference(children=[child("Kai Example", date_of_birth="2012-04-01")])
    console = Socket(app, chair.client)
    ok(console, "conference.join", {"conference_id": conference["id"]})
    decision = ok(
        console,
        "decision.record",
        cp_decision(conference["children"][0]["id"], review_on="2030-06-03"),
    )["decision"]
    assert any("will be 18 by the review date" in flag for flag in decision["flags"])
    assert decision["review_on_text"] == "Monday 3 June 2030"


def test_a_review_conference_uses_the_review_outcomes(make_conference, app, chair, db_path):
    conference = make_conference(kind="review")
    console = Socket(app, chair.client)
    state = ok(console, "conference.join", {"conference_id": conference["id"]})["state"]
    assert [o["key"] for o in state["decision_form"]["outcomes"]][0] == "continue_plan"
    child_id = conference["children"][0]["id"]
    refused(console, "decision.record", cp_decision(child_id), db_path, says="review conference")
    decision = ok(console, "decision.record", cp_decision(child_id, outcome="continue_plan"))[
        "decision"
    ]
    # A review's next review is within six months, not three.
    assert decision["review_on"] == state["decision_form"]["review_by"]
    assert decision["review_on"] >= "2030-09-01"


# -- dissent --------------------------------------------------------------------------------


def test_a_professional_records_dissent_that_the_chair_sees(room, db_path):
    child_id = room.child_ids[0]
    refused(
        room.pro.socket,
        "dissent.record",
        {"child_id": child_id, "reason": DISSENT_REASON},
        db_path,
        says="no decision for Amy Example yet",
    )
    ok(room.console, "decision.record", cp_decision(child_id))
    drain(room)
    ok(room.pro.socket, "dissent.record", {"child_id": child_id, "reason": DISSENT_REASON})
    seen = drain(room)
    dissent = latest(seen["console"])["dissents"][0]
    assert (dissent["name"], dissent["agency"], dissent["reason"]) == (
        "Pat Teacher",
        "School",
        DISSENT_REASON,
    )
    assert dissent["at"]
    assert DISSENT_REASON not in everything(seen["mum"], seen["screen"])
    # Their own disagreement comes back to their phone after a reload (the join ack only).
    mine = room.pro.join()["state"]["viewer"]["my_dissents"][str(child_id)]
    assert [d["reason"] for d in mine] == [DISSENT_REASON]
    error = refused(
        room.mum.socket, "dissent.record", {"child_id": child_id, "reason": "No"}, db_path
    )
    assert "tell the chair now" in error["message"]
    refused(room.console, "dissent.record", {"child_id": child_id, "reason": "x"}, db_path)
    refused(room.pro.socket, "dissent.record", {"child_id": child_id, "reason": ""}, db_path)


# -- notes ----------------------------------------------------------------------------------


def test_notes_in_a_closed_session_are_restricted_and_stay_with_staff(app, room, staff, db_path):
    minutes = Socket(app, staff("minute_taker").client)
    ok(minutes, "conference.join", {"conference_id": room.conference["id"]})
    ok(minutes, "note.add", {"stage": "sharing", "text": OPEN_NOTE})
    ok(room.console, "closed_session.start")
    note = ok(minutes, "note.add", {"stage": "sharing", "text": RESTRICTED_NOTE})["note"]
    assert note["restricted"] is True
    ok(room.console, "closed_session.end")
    seen = drain(room)
    notes = latest(seen["console"])["notes"]
    assert [(n["text"], n["restricted"]) for n in notes] == [
        (OPEN_NOTE, False),
        (RESTRICTED_NOTE, True),
    ]
    attendees = everything(seen["mum"], seen["dad"], seen["screen"], seen["pro"])
    assert RESTRICTED_NOTE not in attendees and OPEN_NOTE not in attendees
    refused(minutes, "note.add", {"stage": "tea-break", "text": "x"}, db_path, says="stage")
    refused(minutes, "note.add", {"stage": "sharing", "text": " "}, db_path)
    refused(room.pro.socket, "note.add", {"stage": "sharing", "text": "x"}, db_path)


# -- closing --------------------------------------------------------------------------------


def close_ready(room) -> None:
    ok(room.console, "decision.record", cp_decision(room.child_ids[0]))
    ok(
        room.console,
        "decision.record",
        {"child_id": room.child_ids[1], "outcome": "cin_plan", "reasons": "Ben is safe now."},
    )


def test_closing_needs_a_decision_for_every_child(room, db_path):
    ok(room.console, "decision.record", cp_decision(room.child_ids[0]))
    error = refused(room.console, "conference.close", {}, db_path, code="decisions_missing")
    assert error["message"].endswith("Still to decide: Ben Example.")
    refused(room.pro.socket, "conference.close", {}, db_path, code="forbidden")


WRITES = [
    ("stage.set", {"stage": "plan"}),
    ("closed_session.start", {}),
    ("scale.open", {"child_id": None}),
    ("action.add", action()),
    ("decision.record", {"child_id": 1, "outcome": "cin_plan", "reasons": "x"}),
    ("note.add", {"stage": "plan", "text": "after"}),
    ("conference.close", {}),
]


def test_closing_locks_everything(app, room, db, db_path, chair):
    cid = room.conference["id"]
    first = ok(room.console, "action.add", action())["action"]
    close_ready(room)
    drain(room)
    closed = ok(room.console, "conference.close")
    assert closed["status"] == "closed"
    seen = drain(room)
    # Everyone was told (before the phones were cut off)...
    for name in ("mum", "pro", "screen"):
        assert latest(seen[name])["conference"]["stage"] == "closed"
    # ...and every attendee credential stopped working.
    assert not room.mum.socket.io.is_connected()
    assert all(p["token_hash"] is None for p in queries.participants(db, cid))
    assert room.mum.get(f"/api/v1/conferences/{cid}").status_code in (401, 404)
    joined = app.test_client().post(
        "/api/v1/join",
        json={"code": room.conference["join_code"], "name": "Late", "role": "family"},
    )
    assert joined.status_code == 409
    assert "no longer works" in joined.get_json()["error"]["message"]
    # Every later write through the socket is refused with the same clear message.
    for event, payload in WRITES + [
        ("action.update", {"action_id": first["id"], "who": "Gran"}),
        ("action.remove", {"action_id": first["id"]}),
    ]:
        refused(room.console, event, payload, db_path, code="closed", says="record is final")
    # Every other client event, whatever its payload, changes nothing either.
    from conference_room.realtime import EVENTS

    for event in sorted(set(EVENTS) - {"conference.join"}):
        refused(room.console, event, {}, db_path)
    # ...and through HTTP.
    before = fingerprint(db_path)
    for method, url, body in [
        ("PATCH", f"/api/v1/conferences/{cid}", {"title": "Changed"}),
        ("POST", f"/api/v1/conferences/{cid}/invitations", {"name": "A", "agency": "B"}),
        (
            "POST",
            f"/api/v1/conferences/{cid}/reports",
            {
                "author_name": "A",
                "agency": "B",
                "role": "C",
                "sections": {},
                "shared_with_family": True,
            },
        ),
        ("POST", f"/api/v1/conferences/{cid}/participants/{room.mum.id}/remove", None),
    ]:
        answer = chair.client.open(
            url, method=method, json=body, headers={"X-CSRF-Token": chair.csrf}
        )
        assert answer.status_code in (409, 400), (url, answer.get_json())
    assert fingerprint(db_path) == before
    # The closed record is still there to read.
    state = ok(room.console, "conference.join", {"conference_id": cid})["state"]
    assert state["conference"]["status"] == "closed"
    assert len(state["decisions"]) == 2


def test_a_correction_after_closing_sits_beside_the_original(room, app, chair, db_path):
    cid = room.conference["id"]
    note = ok(room.console, "note.add", {"stage": "decision", "text": "Review in May"})["note"]
    url = f"/api/v1/conferences/{cid}/corrections"
    early = chair.post(url, json={"text": "Too early"})
    assert early.status_code == 409
    close_ready(room)
    ok(room.console, "conference.close")
    answer = chair.post(
        url, json={"text": "The review is in June, not May.", "corrects_note_id": note["id"]}
    )
    assert answer.status_code == 201, answer.get_json()
    state = ok(room.console, "conference.join", {"conference_id": cid})["state"]
    texts = [(n["text"], n["corrects_note_id"]) for n in state["notes"]]
    assert texts == [("Review in May", None), ("The review is in June, not May.", note["id"])]
    assert chair.post(url, json={"text": ""}).status_code == 400
    assert chair.post(url, json={"text": "x", "corrects_note_id": 99999}).status_code == 404
