"""The XSS corpus (tests/xss_corpus.py) through every text field, shown inert on every page.

One meeting holds every corpus entry in every field people type into: conference titles and
venues, children's and family members' names, attendees' names, organisations and job titles,
report authors, sections and restricted text, invitations, apologies, scale round labels,
reasons and "one point up", plan actions, notes, recommendations, decisions and dissent, and the
council's statements. Every HTML page of the app (taken from ``app.url_map``, so a new page is
checked without being added here) is then opened by every kind of person and must be inert;
so must the sanitised HTML the API returns. An entry longer than a field allows is refused
(400), never a server error. Exports: see ``test_html_exports_are_inert``.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from conference_room import councils, create_app
from conference_room import db as database
from conference_room.realtime import socketio
from conference_room.services import accounts
from tests.conftest import PASSWORD, conference_payload
from tests.security_helpers import csrf_from_page
from tests.xss_corpus import XSS_CORPUS, assert_inert


def _fits(entry: str, limit: int) -> bool:
    try:
        entry.encode("utf-8")
    except UnicodeEncodeError:
        return False  # lone surrogates are refused at the door; tested separately below
    return len(entry.strip()) <= limit


class Writer:
    """A signed-in browser that sends JSON writes and counts which were accepted."""

    def __init__(self, client, csrf: str):
        self.client, self.csrf = client, csrf
        self.accepted: dict[str, int] = {}

    def send(self, what: str, method: str, url: str, body: dict) -> dict | None:
        answer = self.client.open(
            url, method=method, json=body, headers={"X-CSRF-Token": self.csrf}
        )
        assert answer.status_code < 500, (what, answer.data[:300])
        if answer.status_code >= 400:
            assert answer.get_json()["error"]["message"], answer.data[:300]
            return None
        self.accepted[what] = self.accepted.get(what, 0) + 1
        return answer.get_json()


def _sign_in(app, email: str):
    client = app.test_client()
    answer = client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.get_json()
    return Writer(client, answer.get_json()["csrf_token"])


def _join(app, code: str, body: dict):
    client = app.test_client()
    answer = client.post("/api/v1/join", json={"code": code, **body})
    assert answer.status_code < 500, answer.data[:300]
    return (client, answer.get_json()) if answer.status_code == 201 else (None, None)


SHORT = [entry for entry in XSS_CORPUS if _fits(entry, 120)]
CHUNK = 16  # entries per live conference: a real meeting's size, so each broadcast stays small


@pytest.fixture(scope="module")
def meeting(tmp_path_factory):
    """A council whose every text field holds the corpus (see the module's docstring)."""
    path = tmp_path_factory.mktemp("xss") / "xss.db"
    db = database.connect(path)
    database.upgrade(db)
    council = councils.ensure(db, "Testshire Council")
    for role in ("admin", "chair", "minute_taker"):
        email = f"{role}@t.example"
        user = {"email": email, "name": "Staff", "role": role, "password": PASSWORD}
        accounts.create_user(db, council, user)
    db.conn.close()
    app = create_app(
        {"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "xss", "ASYNC_MODE": "threading"}
    )
    staff = {
        role: _sign_in(app, f"{role}@t.example") for role in ("admin", "chair", "minute_taker")
    }
    chair = staff["chair"]
    settings = {"statements": [], "complaints_text": SHORT[0], "protective_marking": SHORT[1]}
    for number, entry in enumerate(SHORT[:20]):
        settings["statements"].append({"key": f"s{number}", "title": entry, "text": entry})
    assert staff["admin"].send("settings", "PATCH", "/api/v1/settings", settings), "settings"

    # One conference per entry: its title, venue, child and family member.
    titled = []
    for entry in XSS_CORPUS:
        body = conference_payload(
            title=entry,
            venue=entry,
            children=[{"name": entry, "date_of_birth": "2018-05-01", "school": entry}],
            family_members=[{"name": entry, "relationship": entry, "household": True}],
        )
        created = chair.send("conference", "POST", "/api/v1/conferences", body)
        if created:
            titled.append(created["id"])
    rooms = [
        _room(app, staff, XSS_CORPUS[start : start + CHUNK])
        for start in range(0, len(XSS_CORPUS), CHUNK)
    ]
    return SimpleNamespace(app=app, staff=staff, chair=chair, titled=titled, rooms=rooms)


def _room(app, staff: dict[str, Writer], entries: list[str]) -> SimpleNamespace:
    """A live conference whose reports, people and record hold ``entries``."""
    chair = staff["chair"]
    main = chair.send(
        "conference", "POST", "/api/v1/conferences", conference_payload(title="The Example family")
    )
    cid = main["id"]
    base = f"/api/v1/conferences/{cid}"
    links = []
    for number, entry in enumerate(entries):
        report = {
            "author_name": entry,
            "agency": entry,
            "role": entry,
            "sections": {"worries": entry},
            "restricted": entry,
            "shared_with_family": number % 2 == 0,
            **({} if number % 2 == 0 else {"not_shared_reason": entry}),
        }
        chair.send("report", "POST", f"{base}/reports", report)
        invitation = {"name": entry, "agency": entry}
        invited = chair.send("invitation", "POST", f"{base}/invitations", invitation)
        if invited:
            links.append(urlsplit(invited["url"]).path)
        apology = {"name": entry, "role": "professional", "agency": entry}
        chair.send("apologies", "POST", f"{base}/apologies", apology)
    phones = []
    for number, entry in enumerate(entries):
        if number % 2:
            person = {"name": entry, "role": "professional", "agency": entry, "job_title": entry}
        else:
            person = {"name": entry, "role": "family", "relationship": entry[:60]}
        client, joined = _join(app, main["join_code"], person)
        if client is None:
            continue
        pid = joined["participant"]["id"]
        assert chair.send("admit", "POST", f"{base}/participants/{pid}/admit", {})
        phones.append(SimpleNamespace(client=client, role=person["role"], entry=entry))
    # Both kinds of phone, even when every entry of this room was too long for a name.
    for role, extra in (("family", {}), ("professional", {"agency": "School"})):
        client, joined = _join(app, main["join_code"], {"name": "Sam", "role": role, **extra})
        pid = joined["participant"]["id"]
        assert chair.send("admit", "POST", f"{base}/participants/{pid}/admit", {})
        phones.append(SimpleNamespace(client=client, role=role, entry="Sam's reason"))
    _live(app, chair, staff["minute_taker"], phones, cid, main["children"][0]["id"], entries)
    return SimpleNamespace(cid=cid, links=links, phones=phones)


def _live(app, chair: Writer, minutes: Writer, phones, cid: int, child_id: int, entries) -> None:
    """The meeting's live part: rounds, answers, plan, notes, recommendations, the decision."""
    console = socketio.test_client(app, flask_test_client=chair.client)
    notes = socketio.test_client(app, flask_test_client=minutes.client)
    for socket in (console, notes):
        assert socket.emit("conference.join", {"conference_id": cid}, callback=True)["ok"]

    def emit(socket, event: str, payload: dict) -> dict:
        ack = socket.emit(event, payload, callback=True)
        assert ack["ok"] or ack["error"]["code"] != "server_error", (event, ack)
        if ack["ok"]:
            chair.accepted[event] = chair.accepted.get(event, 0) + 1
        return ack

    for entry in entries[:4]:
        opened = emit(console, "scale.open", {"child_id": None, "label": entry})
        if opened["ok"]:
            emit(console, "scale.close", {"round_id": opened["round_id"]})
            emit(console, "scale.reveal", {"round_id": opened["round_id"], "show_names": True})
    round_id = emit(console, "scale.open", {"child_id": child_id})["round_id"]
    for phone in phones:
        phone.socket = socketio.test_client(app, flask_test_client=phone.client)
        assert phone.socket.emit("conference.join", {"conference_id": cid}, callback=True)["ok"]
        answer = {"round_id": round_id, "score": 5, "reason": phone.entry, "next_step": phone.entry}
        emit(phone.socket, "scale.submit", answer)
    emit(console, "scale.close", {"round_id": round_id})
    emit(console, "scale.reveal", {"round_id": round_id, "show_names": True})
    for entry in entries:
        action = {"what": entry, "who": entry, "by_when": entry, "how_we_know": entry}
        emit(console, "action.add", {**action, "kind": "immediate"})
        emit(notes, "note.add", {"stage": "sharing", "text": entry})
    for phone in phones:
        if phone.role == "professional":
            recommendation = {"child_id": child_id, "plan": "cin_plan", "reason": phone.entry}
            emit(phone.socket, "recommendation.submit", recommendation)
    named = [entry for entry in entries if _fits(entry, 200)]
    decision = {
        "child_id": child_id,
        "outcome": "cin_plan",
        "categories": [],
        "reasons": "\n".join(named) or "Reasons",
        "lead_social_worker": named[0] if named else None,
        "core_group_members": named[:10],
    }
    assert emit(console, "decision.record", decision)["ok"]
    for phone in phones:
        if phone.role == "professional":
            emit(phone.socket, "dissent.record", {"child_id": child_id, "reason": phone.entry})
    for socket in (console, notes, *(phone.socket for phone in phones)):
        socket.disconnect()


def test_the_corpus_really_went_into_the_fields(meeting):
    accepted = meeting.chair.accepted
    for what in ("conference", "report", "invitation", "apologies", "admit"):
        assert accepted.get(what, 0) >= 100, (what, accepted)
    for event in ("scale.submit", "action.add", "recommendation.submit", "dissent.record"):
        assert accepted.get(event, 0) >= 50, (event, accepted)
    assert accepted.get("note.add", 0) >= 100 and accepted.get("scale.open", 0) >= 20
    assert sum(len(room.phones) for room in meeting.rooms) >= 100


def _page_rules(app) -> list[str]:
    """Every HTML page that takes at most a conference id (new pages are picked up here)."""
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static/")):
            continue
        if set(rule.arguments) <= {"conference_id"} and not rule.rule.endswith(".svg"):
            rules.append(rule.rule)
    return sorted(rules)


def _check(answer, where: str) -> None:
    assert answer.status_code < 500, (where, answer.data[:300])
    if answer.status_code == 200 and answer.mimetype == "text/html":
        assert_inert(answer.get_data(as_text=True), page=True)


def test_every_page_is_inert_for_every_kind_of_person(meeting):
    rules = _page_rules(meeting.app)
    assert "/c/<int:conference_id>/chair" in rules and "/" in rules
    shown = 0
    for room in meeting.rooms:
        viewers = {role: writer.client for role, writer in meeting.staff.items()}
        for kind in ("family", "professional"):
            viewers[kind] = next(p for p in room.phones if p.role == kind).client
        for role, client in viewers.items():
            for rule in rules:
                url = rule.replace("<int:conference_id>", str(room.cid))
                answer = client.get(url)
                _check(answer, f"{url} as {role}")
                shown += answer.status_code == 200
    assert shown >= 10 * len(meeting.rooms)


def test_every_title_name_and_place_is_inert_on_the_staff_pages(meeting):
    chair = meeting.chair.client
    rules = [rule for rule in _page_rules(meeting.app) if "<int:conference_id>" in rule]
    for cid in meeting.titled:
        for rule in rules:
            url = rule.replace("<int:conference_id>", str(cid))
            _check(chair.get(url), url)
    for role, writer in meeting.staff.items():
        _check(writer.client.get("/"), f"the dashboard as {role}")


def test_the_report_links_pages_are_inert(meeting):
    writer = meeting.app.test_client()
    links = [link for room in meeting.rooms for link in room.links]
    assert len(links) >= 100
    for link in links:
        _check(writer.get(link), link)


def test_sanitised_html_from_the_api_is_inert(meeting):
    for room in meeting.rooms:
        base = f"/api/v1/conferences/{room.cid}/reports"
        family = next(p for p in room.phones if p.role == "family")
        for client in (meeting.chair.client, family.client):
            for report in client.get(base).get_json():
                body = client.get(f"{base}/{report['id']}").get_json()
                for section in body["sections"]:
                    assert_inert(section["html"])
                assert_inert(body.get("restricted_html") or "")


def test_forms_show_hostile_input_back_inert(meeting):
    """A form sent back with its mistakes shows what was typed, inert (join, sign-in, new)."""
    client = meeting.app.test_client()
    token = csrf_from_page(client.get("/login").get_data(as_text=True))
    for entry in XSS_CORPUS[:60]:
        form = {"csrf_token": token, "code": entry, "name": entry, "who": entry}
        _check(client.post("/j", data=form), "POST /j")
        _check(client.post("/login", data={**form, "email": entry, "password": "x"}), "/login")
    chair = meeting.chair.client
    token = csrf_from_page(chair.get("/conferences/new").get_data(as_text=True))
    for entry in XSS_CORPUS[:60]:
        form = {"csrf_token": token, "title": entry, "venue": entry, "child_name_0": entry}
        _check(chair.post("/conferences/new", data=form), "POST /conferences/new")


def test_text_that_is_not_unicode_is_cleaned_or_refused_never_a_server_error(meeting):
    broken = [entry for entry in XSS_CORPUS if not _fits(entry, 10**9)]
    assert broken, "the corpus has lone surrogates"
    for entry in broken:
        body = conference_payload(title=entry[:200], venue=entry[:200])
        created = meeting.chair.send("surrogates", "POST", "/api/v1/conferences", body)
        if created:  # stored without the lone surrogates, which no page could show
            text = created["title"] + (created.get("venue") or "")
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text), text


def test_html_exports_are_inert(meeting):
    """HOOK for the exports (another engineer's work in progress): once GET
    /api/v1/conferences/{id}/export exists, its HTML and Markdown, in both audiences, must be
    inert; until then this checks that the route is really absent."""
    paths = meeting.chair.client.get("/api/v1/openapi.json").get_json()["paths"]
    export = next((p for p in paths if re.search(r"/export$", p)), None)
    if export is None:
        assert not any("export" in p for p in paths)
        return
    for audience in ("full", "family"):
        for document in ("decision", "record"):
            answer = meeting.chair.client.get(
                f"/api/v1/conferences/{meeting.rooms[0].cid}/export",
                query_string={"format": "html", "audience": audience, "document": document},
            )
            assert answer.status_code == 200, answer.data[:300]
            # The export's <head> is its own fixed furniture (a hashed <style>, its own policy);
            # everything people typed is in the <body>.
            document = answer.get_data(as_text=True)
            body = re.sub(r"(?is)^.*?</head>", "", document, count=1)
            assert body != document and "<body" in body
            assert_inert(body, page=False)
