"""The pages of a review conference: plan progress, the scale last time and today, and the
decision in context, on the console, the minutes page, the phones and the shared screen.

Uses the demo's review of the Marlow family (seeded through the real services). Pages are read
as HTML through the Flask test client, as in test_record_pages.py; the snapshot fields and the
event payloads the review scripts use are checked against the real server.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from conference_room import demo, queries
from conference_room.rules import review as review_rules
from conference_room.services.review import ProgressIn, TrendIn
from tests.conftest import Staff
from tests.live_helpers import Phone, Socket, admit, drain, latest
from tests.test_record_pages import JS, assert_no_inline_code, ids_looked_up, page


@pytest.fixture
def marlow(app, db):
    """The demo's review of the Marlow family, its chair signed in, a mum and a nurse let in."""
    demo.seed(db)
    review = next(iter(db.query("SELECT * FROM conferences WHERE kind = 'review'")))
    chair = Staff(app.test_client(), {"email": "chair@northmere.example"})
    signed_in = chair.client.post(
        "/api/v1/session",
        json={"email": "chair@northmere.example", "password": demo.DEMO_PASSWORD},
    )
    assert signed_in.status_code == 200, signed_in.get_json()
    chair.csrf = signed_in.get_json()["csrf_token"]
    conference = {"id": review["id"], "join_code": review["join_code"]}
    mum = Phone(app, review["join_code"], "Kerry Marlow", relationship="Mum")
    nurse = Phone(app, review["join_code"], "Sam Nurse", role="professional", agency="Health")
    for phone in (mum, nurse):
        admit(chair, conference, phone)
    return SimpleNamespace(app=app, chair=chair, id=review["id"], mum=mum, nurse=nurse)


def sent_fields(script: str, event: str) -> set[str]:
    """The payload keys a script sends with ``event`` (send("event", { key: …, … }))."""
    found = re.search(rf'send\("{re.escape(event)}", \{{ (.*?) \}}\)', (JS / script).read_text())
    assert found, f"{script} does not send {event}"
    return set(re.findall(r"(\w+):", found.group(1)))


# -- the pages ------------------------------------------------------------------------------


def test_the_review_console_has_the_progress_trend_and_context_parts(marlow):
    parsed, html = page(marlow.chair.client, f"/c/{marlow.id}/chair")
    assert_no_inline_code(parsed)
    needed = ids_looked_up("chair.js", "plan.js", "decision.js", "trend.js", "record-final.js")
    assert needed <= parsed.ids, needed - parsed.ids
    assert "The Marlow family (review)" in html


def test_the_review_minutes_page_has_the_plan_editor_with_progress(marlow):
    parsed, _ = page(marlow.chair.client, f"/c/{marlow.id}/minutes")
    assert_no_inline_code(parsed)
    assert ids_looked_up("minutes.js", "plan.js") <= parsed.ids


@pytest.mark.parametrize("who", ["mum", "nurse"])
def test_a_review_phone_page_renders_with_a_hidden_trend_panel(marlow, who):
    phone = getattr(marlow, who)
    parsed, html = page(phone.http, f"/c/{marlow.id}")
    assert_no_inline_code(parsed)
    scripts = ("phone.js",) + (("phone-record.js",) if who == "nurse" else ())
    assert {"trend", "trend-body"} <= ids_looked_up("phone.js")
    assert ids_looked_up(*scripts) <= parsed.ids
    # Hidden until the chair shows a trend; the script fills it from the snapshot.
    assert re.search(r'<section id="trend" hidden aria-labelledby="trend-title"', html)


def test_the_review_screen_page_loads_its_scripts(marlow):
    parsed, _ = page(marlow.chair.client, f"/c/{marlow.id}/screen")
    assert_no_inline_code(parsed)
    assert ids_looked_up("screen.js") <= parsed.ids


# -- what the scripts send and read ---------------------------------------------------------


def test_the_scripts_send_the_fields_the_review_events_take():
    assert sent_fields("plan.js", "action.progress") == set(ProgressIn.model_fields)
    assert sent_fields("trend.js", "scale.trend") == set(TrendIn.model_fields)


def test_the_plan_editor_offers_the_four_statuses_in_the_servers_words():
    block = re.search(r"const PROGRESS = \{(.*?)\};", (JS / "plan.js").read_text(), re.S)
    offered = dict(re.findall(r'(\w+): "([^"]+)"', block.group(1)))
    assert offered == review_rules.PROGRESS


def test_the_snapshots_carry_what_the_review_scripts_read(marlow, db):
    console = Socket(marlow.app, marlow.chair.client)
    state = console.emit("conference.join", {"conference_id": marlow.id})["state"]
    for phone in (marlow.mum, marlow.nurse):
        assert phone.join()["ok"]
    room = SimpleNamespace(sockets={"console": console, "mum": marlow.mum.socket})
    # The console: every child's trend (then and now, per group) and decision context.
    trend = state["trends"][0]
    groups = trend["then"]["rounds"][-1]["groups"]
    for group in ("family", "professional", "all"):
        assert set(groups[group]) == {"count", "median", "min", "max"}
    assert trend["then"]["date_text"] and trend["now"]["rounds"] == []
    previous = state["decision_context"][0]["previous"]
    assert (previous["outcome_title"], previous["category_titles"]) == (
        "Child protection plan",
        ["Neglect"],
    )
    assert {c["key"]: c["title"] for c in state["decision_form"]["categories"]}["neglect"] == (
        "Neglect"
    )
    # The chair marks a carried action and shows the trend: the family's phone gets both.
    carried = queries.plan_actions(db, marlow.id)[0]
    progress = {"action_id": carried["id"], "progress": "in_progress", "note": "Most weeks"}
    assert console.emit("action.progress", progress)["ok"]
    assert console.emit("scale.trend", {"child_id": trend["child_id"]})["ok"]
    mum = latest(drain(room)["mum"])
    shown = next(a for a in mum["plan"] if a["id"] == carried["id"])
    assert shown["carried_from_id"] and shown["progress_title"] == "Started, not finished"
    assert shown["progress_note"] == "Most weeks"
    assert mum["trend"]["child_name"] == trend["child_name"] and "trends" not in mum
    assert mum["trend"]["then"]["rounds"][-1]["groups"] == groups
