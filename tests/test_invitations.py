"""Invitations to write a report, due dates, the staff list of reports, and council templates."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from report_helpers import Writer, complete_report

from conference_room.rules import dates


def soon() -> str:
    """Return tomorrow at 10:00: its reports were due before today."""
    return (dates.today_london() + timedelta(days=1)).isoformat() + "T10:00"


@pytest.fixture
def invite(app, chair):
    """Invite a professional to a conference: invite(conference, name=...) -> (answer, Writer)."""

    def make(conference: dict, name: str = "Sam Teacher", agency: str = "Hill School", **extra):
        answer = chair.post(
            f"/api/v1/conferences/{conference['id']}/invitations",
            json={"name": name, "agency": agency, **extra},
        )
        assert answer.status_code == 201, answer.get_json()
        body = answer.get_json()
        return body, Writer(app, body["url"])

    return make


def test_a_chair_invites_a_professional_and_gets_their_private_link(
    chair, make_conference, invite, db
):
    conference = make_conference()
    body, _ = invite(conference, email="sam@hill.example")
    assert body["url"].startswith("http://localhost/r/")
    assert body["name"] == "Sam Teacher" and body["agency"] == "Hill School"
    assert body["due"] == "2030-03-01"  # two working days before Tuesday 5 March 2030
    token = body["url"].rsplit("/", 1)[1]
    stored = db.execute("SELECT token_hash FROM invitations").fetchone()[0]
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in "\n".join(db.conn.iterdump())


def test_an_invitation_is_audited(make_conference, invite, db):
    conference = make_conference()
    invite(conference)
    actions = [row["action"] for row in db.query("SELECT action FROM audit_events")]
    assert "invitation.create" in actions


@pytest.mark.parametrize(
    ("kind", "scheduled_for", "due"),
    [
        # Tuesday after Easter 2030: Easter Monday and Good Friday are skipped, and the weekend.
        ("initial", "2030-04-23T10:00", "2030-04-17"),
        ("review", "2030-04-23T10:00", "2030-04-12"),
        # A Monday: the weekend is skipped.
        ("initial", "2030-03-04T10:00", "2030-02-28"),
    ],
)
def test_the_due_date_is_counted_in_working_days(make_conference, invite, kind, scheduled_for, due):
    conference = make_conference(kind=kind, scheduled_for=scheduled_for)
    body, _ = invite(conference)
    assert body["due"] == due


def test_the_due_date_skips_the_councils_closure_days(staff, make_conference, invite):
    staff("admin").patch("/api/v1/settings", json={"closure_days": ["2030-04-17"]})
    conference = make_conference(scheduled_for="2030-04-23T10:00")
    body, _ = invite(conference)
    assert body["due"] == "2030-04-16"


def test_a_minute_taker_may_not_invite(staff, make_conference):
    conference = make_conference()
    answer = staff("minute_taker").post(
        f"/api/v1/conferences/{conference['id']}/invitations",
        json={"name": "Sam", "agency": "School"},
    )
    assert answer.status_code == 403


def test_an_invitation_needs_the_csrf_token(chair, make_conference):
    conference = make_conference()
    answer = chair.client.post(
        f"/api/v1/conferences/{conference['id']}/invitations",
        json={"name": "Sam", "agency": "School"},
    )
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "csrf"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"agency": "School"}, "name"),
        ({"name": "Sam", "agency": ""}, "agency"),
        ({"name": "Sam", "agency": "School", "email": "not an address"}, "email"),
        ({"name": "Sam", "agency": "School", "template": "nope"}, "template"),
        ({"name": "Sam", "agency": "School", "colour": "red"}, "colour"),
    ],
)
def test_bad_invitations_are_refused_naming_the_field_and_nothing_is_saved(
    chair, make_conference, body, field
):
    conference = make_conference()
    url = f"/api/v1/conferences/{conference['id']}/invitations"
    answer = chair.post(url, json=body)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field
    assert chair.get(url).get_json() == []
    assert chair.get(f"/api/v1/conferences/{conference['id']}/reports").get_json() == []


def test_staff_list_invitations_without_their_links(staff, make_conference, invite):
    conference = make_conference()
    body, _ = invite(conference)
    token = body["url"].rsplit("/", 1)[1]
    answer = staff("minute_taker").get(f"/api/v1/conferences/{conference['id']}/invitations")
    assert answer.status_code == 200
    [listed] = answer.get_json()
    assert listed["name"] == "Sam Teacher" and listed["due"] == "2030-03-01"
    assert listed["submitted"] is False and listed["late"] is False
    assert "url" not in listed and token not in answer.get_data(as_text=True)


def test_another_councils_chair_cannot_see_or_invite(app, db, make_conference):
    from conftest import PASSWORD, Staff

    from conference_room import councils
    from conference_room.services import accounts

    conference = make_conference()
    other = councils.ensure(db, "Elsewhere Council")
    user = accounts.create_user(
        db,
        other,
        {"email": "x@else.example", "name": "X", "role": "chair", "password": PASSWORD},
    )
    outsider = Staff(app.test_client(), {**user, "email": "x@else.example"}).sign_in()
    url = f"/api/v1/conferences/{conference['id']}/invitations"
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, json={"name": "Sam", "agency": "School"}).status_code == 404
    assert outsider.get(f"/api/v1/conferences/{conference['id']}/reports").status_code == 404


def test_withdrawing_an_invitation_is_audited_and_listed(chair, make_conference, invite, db):
    conference = make_conference()
    body, _ = invite(conference)
    url = f"/api/v1/conferences/{conference['id']}/invitations/{body['id']}"
    answer = chair.delete(url)
    assert answer.status_code == 200 and answer.get_json()["revoked_at"]
    assert "invitation.revoke" in [r["action"] for r in db.query("SELECT action FROM audit_events")]
    assert chair.delete(f"{url}9").status_code == 404


# -- the staff list of reports --------------------------------------------------------------


def test_staff_see_every_report_in_full_with_late_flags(staff, chair, make_conference, invite):
    conference = make_conference(scheduled_for=soon())
    sent_late, writer = invite(conference, name="Sam Teacher")
    invite(conference, name="Pat Nurse", agency="Health visiting")
    assert writer.submit(complete_report(restricted="Only for the chair")).status_code == 200
    chair.post(
        f"/api/v1/conferences/{conference['id']}/reports",
        json={"author_name": "Dr Lee", "agency": "GP", "sections": {"worries": "By email."}},
    )
    answer = staff("minute_taker").get(f"/api/v1/conferences/{conference['id']}/reports")
    assert answer.status_code == 200
    reports = {report["author_name"]: report for report in answer.get_json()}
    assert reports["Sam Teacher"]["status"] == "submitted"
    assert reports["Sam Teacher"]["version"] == 1
    assert reports["Sam Teacher"]["restricted"] == "Only for the chair"
    assert reports["Sam Teacher"]["submitted_at"]
    assert reports["Sam Teacher"]["late"] is True  # sent after the due date
    assert reports["Pat Nurse"]["status"] == "draft"
    assert reports["Pat Nurse"]["late"] is True  # not sent, and the due date has passed
    assert reports["Dr Lee"]["late"] is True
    assert {report["due"] for report in reports.values()} == {sent_late["due"]}


def test_reports_in_good_time_are_not_late(chair, make_conference, invite):
    conference = make_conference(scheduled_for="2030-03-05T10:00")
    _, writer = invite(conference, name="Sam Teacher")
    invite(conference, name="Pat Nurse", agency="Health visiting")
    writer.submit(complete_report())
    reports = chair.get(f"/api/v1/conferences/{conference['id']}/reports").get_json()
    assert [report["late"] for report in reports] == [False, False]
    invitations = chair.get(f"/api/v1/conferences/{conference['id']}/invitations").get_json()
    assert [i["submitted"] for i in invitations] == [True, False]


def test_the_staff_list_never_shows_a_draft(chair, make_conference, invite):
    conference = make_conference()
    _, writer = invite(conference)
    writer.autosave(complete_report(sections={"worries": "half-written thought"}))
    answer = chair.get(f"/api/v1/conferences/{conference['id']}/reports")
    [report] = answer.get_json()
    assert report["status"] == "draft" and report["sections"] == {}
    assert report["draft_saved_at"]
    assert "half-written thought" not in answer.get_data(as_text=True)


def test_a_withdrawn_invitation_is_no_longer_expected(chair, make_conference, invite):
    conference = make_conference()
    body, _ = invite(conference)
    chair.delete(f"/api/v1/conferences/{conference['id']}/invitations/{body['id']}")
    assert chair.get(f"/api/v1/conferences/{conference['id']}/reports").get_json() == []


def test_attendees_and_strangers_cannot_list_reports_in_full(client, make_conference):
    conference = make_conference()
    assert client.get(f"/api/v1/conferences/{conference['id']}/reports").status_code in (401, 404)


# -- council templates ----------------------------------------------------------------------


def council_template(**changes) -> dict:
    template = {
        "key": "safer_me_plus",
        "name": "Safer Me Plus report",
        "kinds": ["initial"],
        "restricted_prompt": "Only what must not be shared with the family, and why.",
        "sharing_prompt": "Go through the report with the family first.",
        "sections": [
            {
                "key": "worries",
                "title": "What worries you?",
                "family_title": "What we are worried about",
                "prompts": ["Say what you saw and what you were told."],
                "required": True,
            },
            {
                "key": "strengths",
                "title": "What is going well?",
                "family_title": "What is going well",
            },
        ],
    }
    template.update(changes)
    return template


def test_an_admin_adds_a_council_template_used_for_new_invitations(
    staff, chair, make_conference, invite, db
):
    admin = staff("admin")
    answer = admin.post("/api/v1/templates", json=council_template())
    assert answer.status_code == 201, answer.get_json()
    keys = [t["key"] for t in chair.get("/api/v1/templates").get_json()]
    assert keys == ["multi_agency", "review", "safer_me_plus"]
    body, writer = invite(make_conference())
    assert body["template"] == "safer_me_plus"
    assert "What worries you?" in writer.text()
    assert "template.add" in [r["action"] for r in db.query("SELECT action FROM audit_events")]


def test_a_chair_may_still_choose_a_built_in_template(staff, make_conference, invite):
    staff("admin").post("/api/v1/templates", json=council_template())
    body, _ = invite(make_conference(), template="multi_agency")
    assert body["template"] == "multi_agency"


@pytest.mark.parametrize(
    ("template", "field"),
    [
        (council_template(key="multi_agency"), "key"),
        (council_template(key="Bad Key"), "key"),
        (council_template(kinds=["wedding"]), "kinds"),
        (council_template(sections=[]), "sections"),
        (council_template(sections=[{"key": "x", "title": "X"}]), "sections[0].family_title"),
        (council_template(colour="red"), "colour"),
        ({"key": "empty"}, "name"),
    ],
)
def test_bad_templates_are_refused_naming_the_field(staff, template, field):
    admin = staff("admin")
    answer = admin.post("/api/v1/templates", json=template)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field
    assert len(admin.get("/api/v1/templates").get_json()) == 2


def test_a_council_template_key_cannot_be_used_twice(staff):
    admin = staff("admin")
    assert admin.post("/api/v1/templates", json=council_template()).status_code == 201
    answer = admin.post("/api/v1/templates", json=council_template(name="Again"))
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == "key"


def test_only_an_admin_adds_templates(chair):
    assert chair.post("/api/v1/templates", json=council_template()).status_code == 403


def test_the_settings_route_cannot_sneak_in_a_clashing_template(staff):
    admin = staff("admin")
    answer = admin.patch(
        "/api/v1/settings", json={"report_templates": [council_template(key="review")]}
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "report_templates"
