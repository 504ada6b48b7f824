"""The writer's page at /r/<token>: drafts, autosave, submit, versions, and who may touch what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from report_helpers import Writer, complete_report

from conference_room import clock, queries
from conference_room.db import transaction
from conference_room.realtime import socketio
from conference_room.rules import dates
from conference_room.services.reports import MAX_REPORT_CHARS


@pytest.fixture
def conference(make_conference) -> dict:
    return make_conference()


@pytest.fixture
def invite(app, chair):
    """Invite a professional: invite(conference, name=...) -> Writer."""

    def make(conference: dict, name: str = "Sam Teacher", agency: str = "Hill School"):
        answer = chair.post(
            f"/api/v1/conferences/{conference['id']}/invitations",
            json={"name": name, "agency": agency},
        )
        assert answer.status_code == 201, answer.get_json()
        writer = Writer(app, answer.get_json()["url"])
        writer.invitation_id = answer.get_json()["id"]
        return writer

    return make


@pytest.fixture
def writer(invite, conference) -> Writer:
    return invite(conference)


def staff_reports(chair, conference: dict) -> list[dict]:
    return chair.get(f"/api/v1/conferences/{conference['id']}/reports").get_json()


def start(app, chair, conference: dict) -> None:
    """Start the meeting the way the chair does: join and move past the lobby."""
    io = socketio.test_client(app, flask_test_client=chair.client)
    assert io.emit("conference.join", {"conference_id": conference["id"]}, callback=True)["ok"]
    assert io.emit("stage.set", {"stage": "welcome"}, callback=True)["ok"]
    io.disconnect()


def close(db, conference: dict) -> None:
    # Closing for real needs a decision for every child (the live meeting's tests cover it);
    # here only the closed state matters.
    with transaction(db) as tx:
        queries.update_conference(
            tx.db, conference["id"], {"status": "closed", "closed_at": clock.stamp()}
        )


def test_the_page_shows_the_conference_due_date_and_every_section(writer):
    page = writer.page()
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The Example family" in text
    assert "Tuesday 5 March 2030, 10:00" in text
    assert "Friday 1 March 2030" in text  # due: two working days before
    assert "What are we worried about?" in text
    assert "How often do you see each child and each adult?" in text  # a prompt, as a hint
    assert 'href="#section-worries"' in text  # the contents list
    assert "Only the chair and the minute-taker will see what you write here" in text
    assert 'aria-live="polite"' in text
    assert "Late" not in text


def test_the_page_allows_no_inline_script_or_style_and_keeps_the_link_private(writer):
    page = writer.page()
    text = page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert all(' src="' in tag for tag in re.findall(r"<script[^>]*>", text))
    assert " style=" not in text and "<style" not in text
    assert 'src="/static/js/report-editor.js"' in text
    assert page.headers["Referrer-Policy"] == "same-origin"


def test_draft_autosave_submit_edit_resubmit_then_read_only(app, chair, conference, writer, db):
    # Autosave twice: the page shows the latest draft; staff see nothing of it yet.
    first = writer.autosave(complete_report(sections={"worries": "First thoughts"}))
    assert first.status_code == 200 and first.get_json()["saved_at"]
    second = writer.autosave(complete_report(sections={"worries": "Second thoughts"}))
    assert second.status_code == 200
    text = writer.text()
    assert "Second thoughts" in text and "First thoughts" not in text
    assert staff_reports(chair, conference)[0]["sections"] == {}

    # Submit through the form (no JavaScript needed): version 1.
    answer = writer.submit_form(complete_report(sections={"worries": "Version one"}))
    assert answer.status_code == 303
    assert "Your report has been sent" in writer.client.get(answer.location).get_data(True)
    [report] = staff_reports(chair, conference)
    assert (report["status"], report["version"]) == ("submitted", 1)
    assert report["sections"]["worries"] == "Version one"
    assert "Sent (version 1)" in writer.text()

    # Edit: the draft does not change what the room reads until it is sent again.
    writer.autosave(complete_report(sections={"worries": "Version two"}))
    assert staff_reports(chair, conference)[0]["sections"]["worries"] == "Version one"
    assert "Version two" in writer.text()
    assert "changes that you have not sent yet" in writer.text()
    assert writer.submit(complete_report(sections={"worries": "Version two"})).status_code == 200
    [report] = staff_reports(chair, conference)
    assert report["version"] == 2 and report["sections"]["worries"] == "Version two"
    versions = queries.report_versions(db, report["id"])
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["body"]["sections"]["worries"] for v in versions] == ["Version one", "Version two"]

    # The conference starts: the page is read-only and every write is refused.
    start(app, chair, conference)
    page = writer.text()
    assert "can no longer be changed" in page and "Version two" in page
    assert "<textarea" not in page
    assert writer.autosave(complete_report()).status_code == 409
    assert writer.submit(complete_report()).status_code == 409
    assert writer.submit_form(complete_report()).status_code == 409
    assert len(queries.report_versions(db, report["id"])) == 2


def test_the_save_draft_button_works_without_javascript(writer):
    answer = writer.save_form(complete_report(sections={"worries": "Typed on an old phone"}))
    assert answer.status_code == 303
    page = writer.client.get(answer.location).get_data(as_text=True)
    assert "Your draft is saved" in page and "Typed on an old phone" in page


def test_sending_an_unchanged_report_again_adds_no_version(chair, conference, writer):
    writer.submit(complete_report())
    answer = writer.submit_form(complete_report())
    assert "Nothing had changed" in writer.client.get(answer.location).get_data(True)
    assert staff_reports(chair, conference)[0]["version"] == 1


def test_missing_required_sections_are_each_named_and_nothing_is_saved(chair, conference, writer):
    body = {**complete_report(shared_with_family=None), "sections": {"worries": "Only this"}}
    answer = writer.submit_form(body)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "govuk-error-summary" in text
    for title in ("Your agency&#39;s involvement", "What&#39;s working well?"):
        assert f"“{title}” needs an answer." in text
    assert 'href="#field-sections-agency_involvement"' in text
    assert "Say whether you have gone through the report with the family." in text
    assert "Only this" in text  # what they typed is still in the form
    [report] = staff_reports(chair, conference)
    assert report["status"] == "draft" and report["version"] == 0
    assert report["draft_saved_at"] is None


def test_the_json_submit_lists_every_problem(writer):
    answer = writer.submit({**complete_report(), "sections": {}})
    error = answer.get_json()["error"]
    assert answer.status_code == 400
    fields = [problem["field"] for problem in error["problems"]]
    assert "sections.worries" in fields and "sections.agency_involvement" in fields
    assert "sections.complicating_factors" not in fields  # optional


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"shared_with_family": True, "shared_on": None}, "shared_on"),
        ({"shared_with_family": False, "not_shared_reason": ""}, "not_shared_reason"),
    ],
)
def test_the_sharing_question_needs_its_details(writer, changes, field):
    answer = writer.submit(complete_report(**changes))
    assert answer.status_code == 400
    assert [p["field"] for p in answer.get_json()["error"]["problems"]] == [field]


def test_a_sharing_date_in_the_future_is_refused(writer):
    tomorrow = (dates.today_london() + timedelta(days=1)).isoformat()
    answer = writer.autosave(complete_report(shared_on=tomorrow))
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "shared_on"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sections": {"not_a_section": "text"}}, "sections.not_a_section"),
        ({"sections": {"worries": 5}}, "sections.worries"),
        ({"shared_with_family": "maybe"}, "shared_with_family"),
        ({"shared_on": "next Tuesday"}, "shared_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_drafts_are_refused_naming_the_field_and_nothing_is_saved(
    chair, conference, writer, body, field
):
    answer = writer.autosave(body)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field
    assert staff_reports(chair, conference)[0]["draft_saved_at"] is None


def test_a_report_over_the_size_limit_is_refused_and_nothing_is_saved(chair, conference, writer):
    writer.autosave(complete_report(sections={"worries": "A short draft"}))
    huge = "x" * (MAX_REPORT_CHARS + 1)
    answer = writer.autosave(complete_report(sections={"worries": huge}))
    error = answer.get_json()["error"]
    assert answer.status_code == 400
    assert error["field"] == "sections.worries" and "200,000" in error["message"]
    assert "Nothing was saved" in error["message"]
    assert writer.submit_form(complete_report(restricted=huge)).status_code == 400
    assert "A short draft" in writer.text()
    assert staff_reports(chair, conference)[0]["status"] == "draft"


def test_a_wrong_token_is_a_404_page(app):
    stranger = Writer(app, "http://localhost/r/not-a-real-token")
    page = stranger.page()
    assert page.status_code == 404
    assert "This link does not work" in page.get_data(as_text=True)
    assert stranger.autosave(complete_report()).status_code == 404
    assert stranger.submit_form(complete_report()).status_code == 404
    assert stranger.preview("hello").status_code == 404


def test_a_withdrawn_invitation_is_a_410_saying_whom_to_contact(chair, conference, writer):
    writer.autosave(complete_report())
    chair.delete(f"/api/v1/conferences/{conference['id']}/invitations/{writer.invitation_id}")
    page = writer.page()
    text = page.get_data(as_text=True)
    assert page.status_code == 410
    assert "This link no longer works" in text and "withdrawn" in text
    assert chair.user["name"] in text and chair.user["email"] in text
    assert writer.autosave(complete_report()).status_code == 410
    assert writer.submit(complete_report()).status_code == 410


def test_a_closed_conference_is_a_410(db, conference, writer):
    writer.submit(complete_report())
    close(db, conference)
    page = writer.page()
    assert page.status_code == 410
    assert "the conference has finished" in page.get_data(as_text=True)


def test_an_unsent_report_after_the_start_says_whom_to_contact(app, chair, conference, writer):
    start(app, chair, conference)
    text = writer.text()
    assert "no report was sent through this link" in text and chair.user["name"] in text
    answer = chair.post(
        f"/api/v1/conferences/{conference['id']}/invitations",
        json={"name": "Late Person", "agency": "Police"},
    )
    assert answer.status_code == 409


def test_one_link_cannot_read_or_write_another_report(
    chair, invite, make_conference, conference, db
):
    mine = invite(conference, name="Sam Teacher")
    theirs = invite(conference, name="Pat Nurse", agency="Health visiting")
    elsewhere = invite(make_conference(title="The Other family"), name="Lou Police")
    theirs.autosave(complete_report(sections={"worries": "Pat's private draft"}))
    mine.submit(complete_report(sections={"worries": "Sam's report"}))

    assert "Pat's private draft" not in mine.text()
    assert "Sam's report" not in theirs.text()
    assert "The Other family" not in mine.text()
    assert "Sam's report" not in elsewhere.text()
    reports = {r["author_name"]: r for r in staff_reports(chair, conference)}
    assert reports["Pat Nurse"]["status"] == "draft"
    assert reports["Sam Teacher"]["sections"]["worries"] == "Sam's report"
    # The link is the only way in: there is no report id to change in the address.
    assert mine.client.get(mine.path + "/../" + str(reports["Pat Nurse"]["id"])).status_code == 404


def test_posts_from_another_website_are_refused(chair, conference, writer):
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
    ):
        answer = writer.autosave(complete_report(), headers=headers)
        assert answer.status_code == 403, headers
        assert writer.submit_form(complete_report(), headers=headers).status_code == 403
    assert staff_reports(chair, conference)[0]["draft_saved_at"] is None
    same_site = {"Origin": "http://localhost", "Referer": writer.url}
    assert writer.autosave(complete_report(), headers=same_site).status_code == 200


def test_drafts_are_not_audited_but_each_submit_is(db, writer):
    writer.autosave(complete_report())
    writer.autosave(complete_report(role="Head teacher"))
    writer.submit(complete_report())
    events = list(db.query("SELECT * FROM audit_events WHERE action LIKE 'report.%'"))
    assert [e["action"] for e in events] == ["report.submit"]
    assert events[0]["actor_type"] == "invitee"
    assert events[0]["actor_name"] == ""  # only staff are named in the log (see audit.py)
    assert events[0]["actor_id"] is not None


def test_the_page_flags_a_late_report(invite, make_conference):
    tomorrow = (dates.today_london() + timedelta(days=1)).isoformat() + "T10:00"
    writer = invite(make_conference(scheduled_for=tomorrow))
    text = writer.text()
    assert "govuk-tag--red" in text and "Late" in text
    assert "send your report as soon as you can" in text


def test_the_preview_renders_markdown_safely(writer):
    answer = writer.preview("**Mum** was <b>calm</b>")
    assert answer.status_code == 200
    html = answer.get_json()["html"]
    assert "<strong>Mum</strong>" in html
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_the_preview_flags_jargon_including_the_councils_own(staff, writer):
    staff("admin").patch(
        "/api/v1/settings", json={"jargon": [{"term": "TAF", "plain": "team around the family"}]}
    )
    answer = writer.preview("The ICPC agreed a TAF.")
    findings = " ".join(str(finding) for finding in answer.get_json()["findings"])
    assert "ICPC" in findings and "TAF" in findings


def test_the_preview_refuses_oversized_text(writer):
    answer = writer.preview("x" * (MAX_REPORT_CHARS + 1))
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == "text"


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_every_xss_corpus_entry_comes_out_inert(app, chair, conference, writer):
    corpus = pytest.importorskip("tests.xss_corpus")
    for entry in corpus.XSS_CORPUS:
        corpus.assert_inert(writer.preview(entry).get_json()["html"])
        # The same text in a section, the restricted field and the family's comments...
        fits = 3 * len(entry) < MAX_REPORT_CHARS - 1000
        body = complete_report(
            sections={"worries": entry},
            restricted=entry if fits else "",
            family_comments=entry if fits else "",
        )
        if not fits:
            body["sections"] = {"worries": entry}
        answer = writer.autosave(body)
        # Text that is not valid Unicode (a lone surrogate) is refused, naming the field.
        assert answer.status_code == 200 or answer.get_json()["error"]["field"], entry[:80]
        corpus.assert_inert(writer.text())  # ...back in the form as a saved draft
    # Everything that fits in one report, sent, then shown read-only as Markdown.
    joined = "\n\n".join(
        e for e in corpus.XSS_CORPUS if 3 * len(e) < MAX_REPORT_CHARS // 2 and _is_unicode(e)
    )
    body = complete_report(sections={"worries": joined}, restricted=joined, family_comments=joined)
    assert writer.submit(body).status_code == 200
    start(app, chair, conference)
    page = writer.text()
    assert "can no longer be changed" in page and "What are we worried about?" in page
    assert "What the family said" in page and "Restricted information" in page
    corpus.assert_inert(page)
