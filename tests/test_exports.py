"""GET /api/v1/conferences/{id}/export: who may, bad choices, the DRAFT mark, the real server."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
import requests
from docx import Document

from conference_room import exports, queries
from conference_room.services import record
from tests.conftest import PASSWORD
from tests.export_helpers import FrozenClock, as_text, hold_meeting
from tests.live_helpers import Phone, admit


def url(conference_id: int, fmt="md", audience="full", document="decision", **extra) -> str:
    query = {"format": fmt, "audience": audience, "document": document, **extra}
    return f"/api/v1/conferences/{conference_id}/export?" + "&".join(
        f"{k}={v}" for k, v in query.items() if v is not None
    )


@pytest.fixture
def meeting(db, monkeypatch, staff):
    """The fixed conference held up to its last step, not yet closed; the chair's client."""
    clock = FrozenClock(monkeypatch)
    chair = staff("chair")
    minutes = staff("minute_taker")
    held = hold_meeting(db, clock, chair.actor, minutes.actor, close=False)
    held.chair, held.minutes, held.clock, held.db = chair, minutes, clock, db
    return held


@pytest.mark.parametrize(
    ("change", "field", "allowed"),
    [
        ({"fmt": "pdf"}, "format", "md, html, docx, json, csv"),
        ({"fmt": None}, "format", "md, html, docx, json, csv"),
        ({"audience": "professional"}, "audience", "full, family"),
        ({"audience": None}, "audience", "full, family"),
        ({"document": "minutes"}, "document", "decision, record"),
        ({"document": "DECISION"}, "document", "decision, record"),
    ],
)
def test_an_unknown_choice_is_a_400_naming_the_allowed_values(
    chair, make_conference, db, change, field, allowed
):
    conference = make_conference()
    before = len(queries.audit_events(db))
    answer = chair.get(url(conference["id"], **change))
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["field"] == field and allowed in error["message"]
    assert len(queries.audit_events(db)) == before  # nothing exported, nothing audited


def test_an_unknown_conference_is_a_404(chair, make_conference):
    make_conference()
    assert chair.get(url(999_999)).status_code == 404
    assert chair.get(url(999_999, fmt="pdf")).status_code == 404


def test_a_chair_of_another_council_is_told_there_is_no_such_conference(
    app, chair, make_conference, db
):
    from conference_room import councils
    from conference_room.services import accounts
    from tests.conftest import Staff

    conference = make_conference()
    elsewhere = councils.ensure(db, "Elsewhere Council")
    stranger = accounts.create_user(
        db,
        elsewhere,
        {"email": "c@elsewhere.example", "name": "Other", "role": "chair", "password": PASSWORD},
    )
    other = Staff(app.test_client(), {**stranger, "email": "c@elsewhere.example"}).sign_in()
    assert other.get(url(conference["id"])).status_code == 404


def test_people_in_the_meeting_get_a_403_and_strangers_a_401(app, chair, make_conference):
    conference = make_conference()
    family = Phone(app, conference["join_code"], "Jo Example", relationship="Mum")
    pro = Phone(app, conference["join_code"], "Pat Teacher", role="professional", agency="School")
    for phone in (family, pro):
        admit(chair, conference, phone)
        for audience in exports.AUDIENCES:
            answer = phone.get(url(conference["id"], audience=audience))
            assert answer.status_code == 403, answer.get_json()
            assert "chair or the minute-taker" in answer.get_json()["error"]["message"]
    assert app.test_client().get(url(conference["id"])).status_code == 401


@pytest.mark.parametrize("role", ["chair", "minute_taker", "admin"])
def test_the_chair_the_minute_taker_and_an_admin_export(staff, make_conference, role):
    conference = make_conference()
    answer = staff(role).get(url(conference["id"], fmt="docx", audience="family"))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == exports.KINDS["docx"].media_type
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="example-2030-03-05-decision-family.docx"'
    )
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    Document(io.BytesIO(answer.get_data()))  # a real DOCX


def draft_marks(fmt: str, body: bytes) -> list[str]:
    """Return where ``body`` says DRAFT, in the ways the README promises for ``fmt``."""
    found = []
    if fmt == "docx":
        doc = Document(io.BytesIO(body))
        for section in doc.sections:
            if "DRAFT" in section.header.paragraphs[0].text:
                found.append("header")
            if "DRAFT" in section.footer.paragraphs[0].text:
                found.append("footer")
        if any(p.text.startswith("DRAFT:") and p.runs[0].bold for p in doc.paragraphs):
            found.append("banner")
    elif fmt == "html":
        html = body.decode()
        css = re.search(r"<style>(.*?)</style>", html, flags=re.S).group(1)
        found += ["@page top"] if re.search(r"@top-center \{ content: \"[^\"]*DRAFT", css) else []
        found += (
            ["@page bottom"] if re.search(r"@bottom-center \{ content: \"[^\"]*DRAFT", css) else []
        )
        found += ["banner"] if '<p class="banner">DRAFT:' in html else []
    elif fmt == "md":
        lines = body.decode().splitlines()
        found += ["first line"] if "DRAFT" in lines[0] else []
        found += ["last line"] if "DRAFT" in lines[-1] else []
    elif fmt == "json":
        found += ["draft"] if json.loads(body)["draft"] is True else []
    elif fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
                statuses = {row[0] for row in rows[1:]}
                if rows[0][0] == "document_status" and statuses <= {"DRAFT"}:
                    found.append(name)
    return found


EVERY_MARK = {
    "docx": ["header", "footer", "banner"],
    "html": ["@page top", "@page bottom", "banner"],
    "md": ["first line", "last line"],
    "json": ["draft"],
}


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_every_export_says_draft_until_the_conference_is_closed_and_not_after(meeting, fmt):
    for document in exports.DOCUMENTS:
        for audience in exports.AUDIENCES:
            answer = meeting.chair.get(url(meeting.id, fmt, audience, document))
            assert answer.status_code == 200
            marks = draft_marks(fmt, answer.get_data())
            if fmt == "csv":
                with zipfile.ZipFile(io.BytesIO(answer.get_data())) as archive:
                    assert marks == archive.namelist()
            else:
                assert marks == EVERY_MARK[fmt], (document, audience)
    meeting.clock.at("11:45")
    record.close(meeting.db, meeting.chair.actor, meeting.id)
    for document in exports.DOCUMENTS:
        for audience in exports.AUDIENCES:
            body = meeting.chair.get(url(meeting.id, fmt, audience, document)).get_data()
            assert draft_marks(fmt, body) == []
            if fmt != "json":
                assert "DRAFT" not in as_text(fmt, body)


def test_an_export_from_the_real_eventlet_server_is_a_whole_docx(
    db, db_path, server, make_user, monkeypatch
):
    from conference_room.access import user_actor

    clock = FrozenClock(monkeypatch)
    chair_user = make_user("chair")
    held = hold_meeting(db, clock, user_actor(chair_user), user_actor(make_user("minute_taker")))
    monkeypatch.undo()  # the server process has its own clock
    web = requests.Session()
    signed = web.post(
        server.url + "/api/v1/session",
        json={"email": chair_user["email"], "password": PASSWORD},
        timeout=10,
    )
    assert signed.status_code == 200
    answer = web.get(server.url + url(held.id, "docx", "family", "record"), timeout=30)
    assert answer.status_code == 200, answer.text
    text = as_text("docx", answer.content)
    assert "[Title] Record of the meeting" in text
    assert web.get(server.url + "/healthz", timeout=5).status_code == 200
