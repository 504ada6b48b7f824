"""The chair's pages to set up a conference and to change it (/conferences/...)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from conftest import child

from conference_room import clock, queries
from conference_room.db import transaction
from conference_room.rules import dates
from conference_room.views import conference_form


class FormReader(HTMLParser):
    """Collect what a browser would send for the page's main form (no buttons)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            else:
                self.fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(page: str) -> dict[str, str]:
    """Return the fields of the page's main form (the last form: the header has sign-out)."""
    reader = FormReader()
    reader.feed(page[page.rindex("<form") :])
    return reader.fields


def text(answer) -> str:
    return html.unescape(answer.get_data(as_text=True))


def _in(days: int):
    return dates.today_london() + timedelta(days=days)


def _date_fields(prefix: str, day) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def filled_form(page: str, **changes: str) -> dict[str, str]:
    """Return the new-conference form filled in for the Pennicks: two children, one unborn."""
    form = form_of(page)
    form.update(
        {
            "kind": "initial",
            "date-day": "2",
            "date-month": "7",
            "date-year": "2030",
            "time-hour": "10",
            "time-minute": "30",
            "venue-type": "in_person",
            "venue": "Northmere Civic Centre, Room 4",
            "title": "The Pennick family",
            "child-0-name": "Amy Pennick",
            "child-0-born": "born",
            **_date_fields("child-0-dob", _in(-2000)),
            "child-0-identifier": "943 476 5919",
            "child-0-school": "Hill Primary School",
            "child-0-gp": "Dr Shah, Riverside Surgery",
            "child-1-name": "Baby Pennick",
            "child-1-born": "unborn",
            **_date_fields("child-1-expected", _in(70)),
            "member-0-name": "Jo Pennick",
            "member-0-relationship": "mother",
            "member-0-household": "yes",
            "member-1-name": "Sam Pennick",
            "member-1-relationship": "father",
            "member-1-household": "no",
            "action": "save",
        }
    )
    form.update(changes)
    return form


def _count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _close(db, conference_id: int) -> None:
    with transaction(db) as tx:
        queries.update_conference(
            tx.db, conference_id, {"status": "closed", "closed_at": clock.stamp()}
        )


def test_the_new_page_offers_the_councils_kinds_and_two_empty_rows(chair):
    answer = chair.get("/conferences/new")
    assert answer.status_code == 200
    page = text(answer)
    assert "Pre-birth child protection conference" in page
    form = form_of(page)
    assert form["child_rows"] == "2" and form["member_rows"] == "2"
    assert form["child-1-name"] == "" and "child-2-name" not in form
    assert 'class="govuk-date-input"' in page
    assert "<script>" not in page and "style=" not in page


def test_a_chair_sets_up_a_conference_through_the_page(chair, db, council_id):
    page = text(chair.get("/conferences/new"))
    answer = chair.client.post("/conferences/new", data=filled_form(page))
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/")

    dashboard = text(chair.get("/"))
    assert "The Pennick family is set up for Tuesday 2 July 2030, 10:30." in dashboard
    assert "is set up" not in text(chair.get("/"))  # the banner shows once

    (conference,) = queries.conferences_for_council(db, council_id)
    assert conference["scheduled_for"] == "2030-07-02T09:30:00Z"  # 10:30 British Summer Time
    assert conference["venue"] == "Northmere Civic Centre, Room 4"
    assert conference["kind"] == "initial"
    amy, baby = queries.children(db, conference["id"])
    assert (amy["name"], amy["date_of_birth"], amy["expected_date"]) == (
        "Amy Pennick",
        _in(-2000).isoformat(),
        None,
    )
    assert (amy["identifier"], amy["school"], amy["gp"]) == (
        "943 476 5919",
        "Hill Primary School",
        "Dr Shah, Riverside Surgery",
    )
    assert (baby["name"], baby["date_of_birth"], baby["expected_date"]) == (
        "Baby Pennick",
        None,
        _in(70).isoformat(),
    )
    members = queries.family_members(db, conference["id"])
    assert [(m["name"], m["relationship"], m["household"]) for m in members] == [
        ("Jo Pennick", "mother", 1),
        ("Sam Pennick", "father", 0),
    ]
    actions = [e["action"] for e in queries.audit_events(db, conference["id"])]
    assert actions == ["conference.create"]


def test_the_page_and_the_api_save_the_same_conference(chair, db):
    page = text(chair.get("/conferences/new"))
    chair.client.post("/conferences/new", data=filled_form(page, **{"venue-type": "online"}))
    (conference,) = db.query("SELECT * FROM conferences")
    answer = chair.patch(f"/api/v1/conferences/{conference['id']}", json={"title": "Renamed"})
    body = answer.get_json()
    assert body["venue"] == "Online"
    assert [c["unborn"] for c in body["children"]] == [False, True]


def test_blank_rows_are_left_out(chair, db):
    page = text(chair.get("/conferences/new"))
    form = filled_form(page)
    for name in list(form):
        if name.startswith(("child-1-", "member-1-")):
            form[name] = ""
    chair.client.post("/conferences/new", data=form)
    (conference,) = db.query("SELECT id FROM conferences")
    assert [c["name"] for c in queries.children(db, conference["id"])] == ["Amy Pennick"]
    assert [m["name"] for m in queries.family_members(db, conference["id"])] == ["Jo Pennick"]


def test_add_another_child_shows_one_more_row_and_keeps_what_was_typed(chair, db):
    page = text(chair.get("/conferences/new"))
    answer = chair.client.post("/conferences/new", data=filled_form(page, action="add_child"))
    assert answer.status_code == 200
    form = form_of(text(answer))
    assert form["child_rows"] == "3"
    assert form["child-2-name"] == ""
    assert form["child-0-name"] == "Amy Pennick"
    assert form["child-1-born"] == "unborn"
    assert form["title"] == "The Pennick family"
    assert _count(db, "conferences") == 0

    answer = chair.client.post("/conferences/new", data={**form, "action": "add_member"})
    assert form_of(text(answer))["member_rows"] == "3"


def _unborn(**dates_typed: str) -> dict[str, str]:
    return {"child-0-born": "unborn", "child-0-dob-day": "", **dates_typed}


BAD_FORMS = [
    pytest.param(
        _date_fields("child-0-dob", _in(3)),
        "child-0-dob-day",
        "Child 1's date of birth: The date of birth is in the future",
        id="date of birth in the future",
    ),
    pytest.param(
        _date_fields("child-1-expected", _in(-3)),
        "child-1-expected-day",
        "Child 2's expected date of birth: The expected date is in the past",
        id="expected date in the past",
    ),
    pytest.param(
        {"child-0-dob-day": "31", "child-0-dob-month": "2", "child-0-dob-year": "2019"},
        "child-0-dob-day",
        "Child 1's date of birth must be a real date: there is no 31/2/2019",
        id="31 February",
    ),
    pytest.param(
        {"date-day": "fifth"},
        "date-day",
        "Date of the conference must be written in numbers",
        id="letters in a date",
    ),
    pytest.param(
        {"child-0-dob-month": ""},
        "child-0-dob-day",
        "Child 1's date of birth must include a month",
        id="month missing",
    ),
    pytest.param(
        {"date-year": "30"},
        "date-day",
        "the year must have 4 numbers",
        id="two-digit year",
    ),
    pytest.param(
        {"time-hour": "25"},
        "time-hour",
        "Time must be a real time",
        id="hour 25",
    ),
    pytest.param({"title": "  "}, "title", "Enter the family name", id="no title"),
    pytest.param({"kind": ""}, "kind", "Choose the kind of conference", id="no kind"),
    pytest.param(
        {"venue-type": "in_person", "venue": ""},
        "venue",
        "Enter where the conference is held",
        id="no venue",
    ),
    pytest.param(
        {"child-0-name": ""}, "child-0-name", "Enter child 1's name", id="child without a name"
    ),
    pytest.param(
        {"member-1-relationship": ""},
        "member-1-relationship",
        "Enter family member 2's relationship to the children",
        id="no relationship",
    ),
    pytest.param(
        _unborn(**{"child-0-dob-month": "", "child-0-dob-year": ""}),
        "child-0-born",
        "Child 1: Give the child's date of birth, or the expected date",
        id="unborn without an expected date",
    ),
]


@pytest.mark.parametrize(("changes", "target", "message"), BAD_FORMS)
def test_bad_input_is_shown_at_the_field_and_nothing_is_saved(chair, db, changes, target, message):
    page = text(chair.get("/conferences/new"))
    form = filled_form(page, **changes)
    answer = chair.client.post("/conferences/new", data=form)
    assert answer.status_code == 400
    shown = text(answer)
    summary = shown[shown.index("govuk-error-summary") : shown.index("</ul>")]
    assert f'href="#{target}"' in summary
    assert message in summary
    assert f'id="{target}-error"' in shown  # the field itself is marked
    assert f'id="{target}"' in shown  # and the link lands on it
    assert shown.startswith("<!doctype html>") and "<title>Error: " in shown
    assert _count(db, "conferences") == 0
    # Everything typed is still there, the bad part included.
    again = form_of(shown)
    for name, value in form.items():
        if name not in ("action", "csrf_token"):
            assert again.get(name, "") == value, name


def test_every_problem_is_listed_at_once_in_page_order(chair, db):
    page = text(chair.get("/conferences/new"))
    form = filled_form(
        page,
        kind="",
        title="",
        **{"date-month": "13", "child-1-name": "", "member-0-relationship": ""},
    )
    answer = chair.client.post("/conferences/new", data=form)
    assert answer.status_code == 400
    shown = text(answer)
    summary = shown[shown.index("govuk-error-summary") : shown.index("</ul>")]
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["kind", "date-day", "title", "child-1-name", "member-0-relationship"]
    assert _count(db, "conferences") == 0


def test_a_conference_with_no_children_is_refused(chair, db):
    page = text(chair.get("/conferences/new"))
    form = filled_form(page)
    for name in list(form):
        if name.startswith("child-"):
            form[name] = ""
    answer = chair.client.post("/conferences/new", data=form)
    assert answer.status_code == 400
    shown = text(answer)
    assert '<a href="#child-0-name">Add at least one child</a>' in shown
    assert form_of(shown)["title"] == "The Pennick family"
    assert _count(db, "conferences") == 0


def test_the_edit_page_shows_the_conference_and_saves_it_unchanged(chair, db, make_conference):
    created = make_conference(
        venue="Online",
        children=[child(), {"name": "Baby Example", "expected_date": _in(40).isoformat()}],
    )
    page = text(chair.get(f"/conferences/{created['id']}/edit"))
    form = form_of(page)
    assert form["title"] == "The Example family"
    assert form["kind"] == "initial"
    assert (form["date-day"], form["date-month"], form["date-year"]) == ("5", "3", "2030")
    assert (form["time-hour"], form["time-minute"]) == ("10", "00")
    assert form["venue-type"] == "online"
    assert form["child-0-id"] == str(created["children"][0]["id"])
    assert form["child-1-born"] == "unborn"
    assert form["child_rows"] == "4"  # two children and two empty rows
    assert form["member-0-household"] == "yes"

    answer = chair.client.post(f"/conferences/{created['id']}/edit", data=form)
    assert answer.status_code == 302
    assert "Changes to The Example family" in text(chair.get("/"))
    after = chair.patch(f"/api/v1/conferences/{created['id']}", json={}).get_json()
    assert after["children"] == created["children"]
    assert after["scheduled_for"] == created["scheduled_for"]
    assert after["venue"] == "Online"


def test_editing_keeps_child_ids_and_adds_a_new_child(chair, db, make_conference):
    created = make_conference()
    amy_id = created["children"][0]["id"]
    form = form_of(text(chair.get(f"/conferences/{created['id']}/edit")))
    form.update(
        {
            "child-0-name": "Amy Example-Jones",
            "child-1-name": "Ben Example",
            "child-1-born": "born",
            **_date_fields("child-1-dob", _in(-400)),
            "title": "The Example-Jones family",
        }
    )
    answer = chair.client.post(f"/conferences/{created['id']}/edit", data=form)
    assert answer.status_code == 302
    children = queries.children(db, created["id"])
    assert [(c["id"], c["name"]) for c in children][0] == (amy_id, "Amy Example-Jones")
    assert children[1]["name"] == "Ben Example" and children[1]["id"] != amy_id
    assert queries.conference(db, created["id"])["title"] == "The Example-Jones family"


def test_an_edit_with_a_mistake_changes_nothing(chair, db, make_conference):
    created = make_conference()
    form = form_of(text(chair.get(f"/conferences/{created['id']}/edit")))
    form.update({"title": "Renamed", "child-0-dob-day": "32"})
    answer = chair.client.post(f"/conferences/{created['id']}/edit", data=form)
    assert answer.status_code == 400
    assert "Child 1's date of birth must be a real date" in text(answer)
    assert queries.conference(db, created["id"])["title"] == "The Example family"


def test_a_closed_conference_cannot_be_edited(chair, db, make_conference):
    created = make_conference()
    _close(db, created["id"])
    answer = chair.get(f"/conferences/{created['id']}/edit")
    assert answer.status_code == 409
    assert "This conference is closed" in text(answer)
    form = {"csrf_token": chair.csrf, "title": "Changed", "action": "save"}
    assert chair.client.post(f"/conferences/{created['id']}/edit", data=form).status_code == 409
    assert queries.conference(db, created["id"])["title"] == "The Example family"


@pytest.mark.parametrize("path", ["/conferences/new", "/conferences/{id}/edit"])
def test_a_minute_taker_is_refused(staff, make_conference, path):
    created = make_conference()
    minute_taker = staff("minute_taker")
    url = path.format(id=created["id"])
    assert minute_taker.get(url).status_code == 403
    answer = minute_taker.client.post(url, data={"csrf_token": minute_taker.csrf, "title": "X"})
    assert answer.status_code == 403


def test_an_admin_may_set_up_a_conference(staff, db):
    admin = staff("admin")
    page = text(admin.get("/conferences/new"))
    assert admin.client.post("/conferences/new", data=filled_form(page)).status_code == 302
    assert _count(db, "conferences") == 1


@pytest.mark.parametrize("path", ["/conferences/new", "/conferences/1/edit"])
def test_nobody_signed_in_is_sent_to_sign_in(client, path):
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/login")


def test_a_form_without_its_security_token_is_refused(chair, db):
    page = text(chair.get("/conferences/new"))
    answer = chair.client.post("/conferences/new", data=filled_form(page, csrf_token="wrong"))
    assert answer.status_code == 403
    assert _count(db, "conferences") == 0


def test_another_councils_conference_is_not_found(app, db, make_conference):
    from test_conferences_api import _other_council_chair

    created = make_conference()
    client, _ = _other_council_chair(app, db)
    assert client.get(f"/conferences/{created['id']}/edit").status_code == 404


def test_a_review_set_up_on_the_page_copies_the_children(chair, db, make_conference):
    earlier = make_conference()
    _close(db, earlier["id"])
    page = text(chair.get("/conferences/new"))
    assert "The Example family" in page  # offered in the list of conferences to review
    form = filled_form(page, kind="review", reviews=str(earlier["id"]))
    for name in list(form):
        if re.match(r"(child|member)-\d+-", name):
            form[name] = ""
    answer = chair.client.post("/conferences/new", data=form)
    assert answer.status_code == 302, text(answer)
    (review,) = db.query("SELECT * FROM conferences WHERE reviews_id = ?", [earlier["id"]])
    assert [c["name"] for c in queries.children(db, review["id"])] == ["Amy Example"]
    assert [m["name"] for m in queries.family_members(db, review["id"])] == ["Jo Example"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ({"dob-day": "", "dob-month": "", "dob-year": ""}, (None, "")),
        ({"dob-day": "4", "dob-month": "3", "dob-year": "2027"}, ("2027-03-04", "")),
        ({"dob-day": "04", "dob-month": "03", "dob-year": "2027"}, ("2027-03-04", "")),
        ({"dob-day": "29", "dob-month": "2", "dob-year": "2027"}, (None, "must be a real date")),
        (
            {"dob-day": "", "dob-month": "3", "dob-year": ""},
            (None, "must include a day and a year"),
        ),
        ({"dob-day": "4", "dob-month": "March", "dob-year": "2027"}, (None, "in numbers")),
        ({"dob-day": "4", "dob-month": "3", "dob-year": "٢٠٢٧"}, (None, "in numbers")),
    ],
)
def test_dates_typed_in_parts(typed, expected):
    iso, problem = conference_form._date_from_parts(typed, "dob", "Date of birth")
    assert iso == expected[0]
    assert expected[1] in problem


def test_a_chair_asks_for_a_report_on_a_page_and_sees_the_link_once(chair, make_conference):
    conference = make_conference()
    url = f"/conferences/{conference['id']}/invitations"
    page = chair.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = chair.client.post(
        url, data={"csrf_token": token, "name": "Sam Teacher", "agency": "Oak School"}
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200
    link = re.search(r'id="invite-link" readonly value="([^"]+)"', body).group(1)
    assert "/r/" in link and chair.get(link.split("localhost")[-1]).status_code == 200
    again = chair.get(url).get_data(as_text=True)
    assert "Sam Teacher" in again and link not in again


def test_asking_for_a_report_without_an_organisation_names_the_field(chair, make_conference):
    conference = make_conference()
    url = f"/conferences/{conference['id']}/invitations"
    page = chair.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = chair.client.post(url, data={"csrf_token": token, "name": "Sam", "agency": ""})
    assert answer.status_code == 400
    assert "agency" in answer.get_data(as_text=True) and 'value="Sam"' in answer.get_data(
        as_text=True
    )
