"""The pages of the plan, the decision and closing: the minutes page, the console's record parts,
the phone's outcome parts, the shared screen's scripts, and the page a phone sees after closing.

Pages are read as HTML through the Flask test client; every id a page's scripts look up with
getElementById must be in the page, and every module a script imports must be served.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conference_room import councils
from conference_room.plain_english import check_text, load_jargon
from conference_room.rules.plan import KIND_FAMILY_TITLES
from conference_room.services import accounts
from tests.conftest import PASSWORD, Staff
from tests.live_helpers import Phone, admit, drain, latest

JS = Path(__file__).resolve().parent.parent / "static" / "js"


class Page(HTMLParser):
    """The parts of a page these tests look at: ids, scripts, inline styles and handlers."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.scripts: list[dict] = []
        self.inline_script = False
        self.inline_attributes: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for name in attributes:
            if name == "style" or name.startswith("on"):
                self.inline_attributes.append(f"<{tag} {name}>")
        if tag == "script":
            self.scripts.append(attributes)
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_script = True


def page(client, url: str) -> tuple[Page, str]:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code, answer.headers.get("Location"))
    html = answer.get_data(as_text=True)
    return Page(html), html


def ids_looked_up(*scripts: str) -> set[str]:
    """Every id the named scripts fetch with document.getElementById("…")."""
    found: set[str] = set()
    for name in scripts:
        found |= set(re.findall(r'getElementById\("([^"]+)"\)', (JS / name).read_text()))
    return found


def assert_no_inline_code(parsed: Page) -> None:
    assert not parsed.inline_script, "an inline <script> (the CSP forbids it)"
    assert all(script.get("src") for script in parsed.scripts)
    assert parsed.inline_attributes == [], parsed.inline_attributes


@pytest.fixture
def minute_taker(staff):
    return staff("minute_taker")


# -- the minutes page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["minute_taker", "chair", "admin"])
def test_staff_of_the_council_open_the_minutes_page(staff, room_conference, role):
    parsed, html = page(staff(role).client, f"/c/{room_conference['id']}/minutes")
    assert "Notes: The Example family" in html
    assert "minutes.js" in " ".join(s["src"] for s in parsed.scripts)


def test_the_minutes_page_is_not_for_attendees_or_strangers(app, client, chair, room_conference):
    cid = room_conference["id"]
    pro = Phone(app, room_conference["join_code"], "Pat", role="professional", agency="School")
    mum = Phone(app, room_conference["join_code"], "Jo", relationship="Mum")
    for person in (pro, mum):
        admit(chair, room_conference, person)
    for http in (client, pro.http, mum.http):
        answer = http.get(f"/c/{cid}/minutes")
        assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def test_a_chair_of_another_council_gets_no_minutes_page(app, db, room_conference):
    other = councils.ensure(db, "Elsewhere Council")
    user = accounts.create_user(
        db,
        other,
        {"email": "c@elsewhere.example", "name": "Cleo", "role": "chair", "password": PASSWORD},
    )
    elsewhere = Staff(app.test_client(), {**user, "email": "c@elsewhere.example"}).sign_in()
    assert elsewhere.get(f"/c/{room_conference['id']}/minutes").status_code == 404


def test_a_minute_taker_following_the_meeting_link_lands_on_the_minutes(
    minute_taker, room_conference
):
    cid = room_conference["id"]
    answer = minute_taker.get(f"/c/{cid}")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/c/{cid}/minutes"


def test_the_minutes_page_has_the_note_form_plan_editor_and_exports(minute_taker, room_conference):
    cid = room_conference["id"]
    parsed, html = page(minute_taker.client, f"/c/{cid}/minutes")
    assert_no_inline_code(parsed)
    assert ids_looked_up("minutes.js", "plan.js", "record-final.js") <= parsed.ids
    # The stage defaults to the current one; the child is optional and lists every child.
    assert re.search(r'<option value="lobby"\s+selected>Lobby</option>', html)
    assert '<option value="">The whole family</option>' in html
    for child in room_conference["children"]:
        assert f'<option value="{child["id"]}">{child["name"]}</option>' in html
    # The shared plan editor is the same partial as the console's.
    assert {"plan-add-form", "plan-what", "plan-who", "plan-by-when", "plan-how"} <= parsed.ids
    assert {"plan-child", "plan-kind", "plan-kind-contingency", "plan-kind-long-term"} <= parsed.ids
    # Exports: the two Word documents first, then every document in every format.
    links = re.findall(r'href="(/api/v1/conferences/\d+/export\?[^"]+)"', html)
    assert links[:2] == [
        f"/api/v1/conferences/{cid}/export?format=docx&amp;audience=full&amp;document=decision",
        f"/api/v1/conferences/{cid}/export?format=docx&amp;audience=family&amp;document=decision",
    ]
    combos = {
        re.search(r"format=(\w+)&amp;audience=(\w+)&amp;document=(\w+)", link).groups()
        for link in links
    }
    assert combos == {
        (f, a, d)
        for f in ("md", "html", "docx", "json", "csv")
        for a in ("full", "family")
        for d in ("decision", "record")
    }
    assert ">Decision letter (Word)<" in html and ">Family version (Word)<" in html
    # The correction form is there for the chair's page script to show after closing.
    assert {"correction-form", "correction-note", "correction-text"} <= parsed.ids


def test_the_minutes_page_defaults_to_the_stage_the_meeting_is_at(app, chair, room_conference):
    from tests.live_helpers import Socket

    console = Socket(app, chair.client)
    assert console.emit("conference.join", {"conference_id": room_conference["id"]})["ok"]
    assert console.emit("stage.set", {"stage": "decision"})["ok"]
    _, html = page(chair.client, f"/c/{room_conference['id']}/minutes")
    assert re.search(r'<option value="decision"\s+selected>Decision</option>', html)
    assert re.search(r'<strong id="current-stage">Decision</strong>', html)


# -- the console, the phone and the screen --------------------------------------------------


def test_the_console_has_the_plan_recommendations_decision_and_closing(chair, room_conference):
    parsed, _ = page(chair.client, f"/c/{room_conference['id']}/chair")
    assert_no_inline_code(parsed)
    needed = ids_looked_up("chair.js", "plan.js", "decision.js", "record-final.js")
    assert needed <= parsed.ids, needed - parsed.ids
    assert {"close-start", "close-confirm", "close-yes", "close-no", "record-final"} <= parsed.ids


def test_the_phone_has_the_plan_decisions_and_the_finished_message(app, chair, room_conference):
    cid = room_conference["id"]
    pro = Phone(app, room_conference["join_code"], "Pat", role="professional", agency="School")
    mum = Phone(app, room_conference["join_code"], "Jo", relationship="Mum")
    for person in (pro, mum):
        admit(chair, room_conference, person)
    pro_page, pro_html = page(pro.http, f"/c/{cid}")
    mum_page, mum_html = page(mum.http, f"/c/{cid}")
    for parsed in (pro_page, mum_page):
        assert_no_inline_code(parsed)
        assert {"decided", "decided-list", "agreed-plan", "agreed-plan-list", "finished"} <= (
            parsed.ids
        )
        assert ids_looked_up("phone.js") <= parsed.ids
    # Only professionals recommend; only the family is told to tell the chair instead.
    assert ids_looked_up("phone-record.js") <= pro_page.ids
    assert "recommend-forms" not in mum_page.ids and "decided-family-help" in mum_page.ids
    assert "decided-family-help" not in pro_page.ids
    assert "The chair will send you a letter with the decision" in mum_html
    assert 'href="#agreed-plan"' in mum_html


def test_the_screen_page_loads_its_scripts_without_inline_code(chair, room_conference):
    parsed, _ = page(chair.client, f"/c/{room_conference['id']}/screen")
    assert_no_inline_code(parsed)
    assert ids_looked_up("screen.js") <= parsed.ids


def test_every_module_the_pages_import_is_served(client):
    for script in sorted(JS.glob("*.js")):
        for target in re.findall(r'from "(/static/[^"]+)"', script.read_text()):
            answer = client.get(target)
            answer.close()
            assert answer.status_code == 200, f"{script.name} imports {target}"


def test_the_family_sees_plain_titles_for_the_kinds_of_action(room):
    console = room.console
    kinds = ("immediate", "contingency", "long_term")
    for kind in kinds:
        action = {"what": f"Something {kind}", "who": "Gran", "by_when": "Friday", "kind": kind}
        assert console.emit("action.add", action)["ok"]
    seen = drain(room)
    for name in ("mum", "screen"):
        titles = [a["kind_family_title"] for a in latest(seen[name])["plan"]]
        assert titles == [KIND_FAMILY_TITLES[k] for k in kinds]
    staff_titles = [a["kind_title"] for a in latest(seen["console"])["plan"]]
    assert staff_titles[1] == "What if… (contingency)"


@pytest.mark.parametrize("title", sorted(KIND_FAMILY_TITLES.values()))
def test_the_family_titles_have_no_jargon(title):
    assert check_text(title, load_jargon()) == []
    assert "contingency" not in title.lower()


# -- after closing --------------------------------------------------------------------------


def close(room) -> None:
    for child_id in room.child_ids:
        decision = {"child_id": child_id, "outcome": "cin_plan", "reasons": "Help is in place."}
        assert room.console.emit("decision.record", decision)["ok"]
    assert room.console.emit("conference.close", {})["ok"]


def test_a_phone_coming_back_after_closing_sees_that_the_meeting_has_finished(room):
    cid = room.conference["id"]
    close(room)
    for phone in (room.mum, room.pro):
        parsed, html = page(phone.http, f"/c/{cid}")
        assert_no_inline_code(parsed)
        assert "The meeting has finished" in html
        assert "The chair will send you a letter with the decision" in html
        assert "Exit this page" in html
        assert "Reconnecting" not in html


def test_strangers_still_go_to_join_after_closing(app, room):
    close(room)
    answer = app.test_client().get(f"/c/{room.conference['id']}")
    assert answer.status_code == 302 and answer.headers["Location"] == "/j"


def test_a_removed_person_goes_to_join_while_the_meeting_runs(room):
    cid = room.conference["id"]
    removed = room.chair.post(f"/api/v1/conferences/{cid}/participants/{room.dad.id}/remove")
    assert removed.status_code == 200
    answer = room.dad.get(f"/c/{cid}")
    assert answer.status_code == 302 and answer.headers["Location"] == "/j"


def test_after_closing_the_console_and_minutes_pages_still_open(room, minute_taker):
    cid = room.conference["id"]
    close(room)
    for client, url in ((room.chair.client, "chair"), (minute_taker.client, "minutes")):
        parsed, html = page(client, f"/c/{cid}/{url}")
        assert "record-final" in parsed.ids
        assert "This conference is closed and its record is final." in html


def form_fields(html: str, form_id: str) -> tuple[set[str], set[str]]:
    """The names a form sends and the data-field names its questions are marked with."""
    form = re.search(rf'<form id="{form_id}".*?</form>', html, re.S).group(0)
    names = set(re.findall(r'\bname="([a-z_]+)"', form))
    return names, set(re.findall(r'data-field="([a-z_]+)"', form))


def test_the_forms_send_the_fields_their_events_take(minute_taker, room_conference):
    from conference_room.services.plan import ActionIn
    from conference_room.services.record import CorrectionIn, NoteIn

    _, html = page(minute_taker.client, f"/c/{room_conference['id']}/minutes")
    # Every field of an action but "restricted" (set by the closed session), each marked so an
    # error from the server is shown at its question.
    names, marked = form_fields(html, "plan-add-form")
    assert names == marked == set(ActionIn.model_fields) - {"restricted"}
    names, marked = form_fields(html, "note-form")
    assert names == marked == set(NoteIn.model_fields)
    names, marked = form_fields(html, "correction-form")
    assert names == marked == set(CorrectionIn.model_fields)
