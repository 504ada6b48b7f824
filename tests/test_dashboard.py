"""The chair's dashboard (/): what is coming up, and which reports are in, late or not shared."""

from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta

import pytest
from report_helpers import Writer, complete_report

from conference_room import clock, queries
from conference_room.db import transaction
from conference_room.rules import dates
from conference_room.services import dashboard


def text(answer) -> str:
    return html.unescape(answer.get_data(as_text=True))


def _tomorrow_at_ten() -> str:
    # Reports are due at least two working days before, so tomorrow's are already overdue.
    day = dates.today_london() + timedelta(days=1)
    return dates.to_iso(datetime.combine(day, time(10, 0), tzinfo=dates.LONDON))


def _close(db, conference_id: int) -> None:
    with transaction(db) as tx:
        queries.update_conference(
            tx.db, conference_id, {"status": "closed", "closed_at": clock.stamp()}
        )


def invite(chair, conference_id: int, agency: str) -> str:
    answer = chair.post(
        f"/api/v1/conferences/{conference_id}/invitations",
        json={"name": f"Someone from {agency}", "agency": agency},
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["url"]


def send(app, url: str, **changes) -> None:
    answer = Writer(app, url).submit(complete_report(**changes))
    assert answer.status_code == 200, answer.get_json()


def enter_report(chair, conference_id: int, agency: str, shared: bool = True) -> None:
    answer = chair.post(
        f"/api/v1/conferences/{conference_id}/reports",
        json={
            "author_name": f"Someone from {agency}",
            "agency": agency,
            "sections": {},
            "shared_with_family": shared,
        },
    )
    assert answer.status_code == 201, answer.get_json()


NOT_SHARED = {"shared_with_family": False, "not_shared_reason": "Mum was in hospital."}


def test_upcoming_conferences_come_soonest_first_then_recently_closed(chair, db, make_conference):
    make_conference(title="The Later family", scheduled_for="2031-01-07T10:00")
    make_conference(title="The Sooner family", scheduled_for="2030-01-08T10:00")
    done = make_conference(title="The Done family", scheduled_for="2029-01-09T10:00")
    _close(db, done["id"])

    assert [c["title"] for c in dashboard.upcoming(db, chair.actor)] == [
        "The Sooner family",
        "The Later family",
    ]
    assert [c["title"] for c in dashboard.recently_closed(db, chair.actor)] == ["The Done family"]
    page = text(chair.get("/"))
    order = ["The Sooner family", "The Later family", "Recently closed", "The Done family"]
    assert [page.index(words) for words in order] == sorted(page.index(w) for w in order)
    assert "Tuesday 8 January 2030, 10:00" in page
    assert f'href="/conferences/{done["id"]}/edit"' not in page  # closed: no edit link


def test_reports_in_out_of_invited_with_the_unshared_ones_named(app, chair, db, make_conference):
    conference = make_conference()  # 5 March 2030: nothing is due yet
    send(app, invite(chair, conference["id"], "Hill Primary School"))
    send(app, invite(chair, conference["id"], "Health visiting"), **NOT_SHARED)
    invite(chair, conference["id"], "Police")
    enter_report(chair, conference["id"], "Adult services", shared=False)

    (summary,) = dashboard.upcoming(db, chair.actor)
    assert (summary["reports_in"], summary["reports_expected"]) == (3, 4)
    assert summary["due_date"] == "2030-03-01"  # two working days before Tuesday 5 March
    assert summary["late"] == []
    assert summary["waiting"] == ["Police"]
    assert sorted(summary["not_shared"]) == ["Adult services", "Health visiting"]

    page = text(chair.get("/"))
    assert "Reports due Friday 1 March 2030" in page
    assert "3 of 4 in" in " ".join(page.replace("<strong>", "").replace("</strong>", "").split())
    assert "Waiting for: Police" in page
    assert "Not shared with the family: " in page and "Health visiting" in page
    assert "Late" not in page.split("<tbody")[1].split("</tbody>")[0]


def test_a_report_not_in_by_the_due_date_is_late(app, chair, db, make_conference):
    conference = make_conference(scheduled_for=_tomorrow_at_ten())
    invite(chair, conference["id"], "Police")
    send(app, invite(chair, conference["id"], "Hill Primary School"))  # sent today: too late
    far_off = make_conference(title="The Far family")
    invite(chair, far_off["id"], "Police")

    soon, later = dashboard.upcoming(db, chair.actor)
    assert date.fromisoformat(soon["due_date"]) < dates.today_london()
    assert soon["late"] == [
        {"agency": "Hill Primary School", "submitted": True},
        {"agency": "Police", "submitted": False},
    ]
    assert (soon["reports_in"], soon["reports_expected"]) == (1, 2)
    assert later["late"] == [] and later["waiting"] == ["Police"]

    row = text(chair.get("/")).split(f'id="conference-{conference["id"]}"')[1].split("</tr>")[0]
    assert "Late" in row
    assert "Hill Primary School (sent late)" in row and "Police (not in)" in row


def test_a_report_entered_by_staff_after_the_due_date_is_late(chair, db, make_conference):
    conference = make_conference(scheduled_for=_tomorrow_at_ten())
    enter_report(chair, conference["id"], "Adult services")
    (summary,) = dashboard.upcoming(db, chair.actor)
    assert summary["late"] == [{"agency": "Adult services", "submitted": True}]
    assert summary["reports_in"] == 1


@pytest.mark.parametrize(
    ("first_submitted", "today", "standing"),
    [
        (None, date(2027, 3, 1), "waiting"),
        (None, date(2027, 3, 2), "waiting"),  # due today: not late until the day is over
        (None, date(2027, 3, 3), "late"),
        (date(2027, 3, 2), date(2027, 3, 9), "in"),
        (date(2027, 3, 3), date(2027, 3, 9), "in_late"),
    ],
)
def test_where_a_report_stands(first_submitted, today, standing):
    assert dashboard.report_standing(date(2027, 3, 2), first_submitted, today) == standing


def test_the_kind_is_shown_in_the_councils_words(chair, make_conference):
    make_conference(kind="pre_birth")
    assert "Pre-birth child protection conference" in text(chair.get("/"))


def test_a_chair_gets_the_create_edit_and_console_links(chair, make_conference):
    conference = make_conference()
    page = text(chair.get("/"))
    assert 'href="/conferences/new"' in page and "New conference" in page
    assert f'href="/conferences/{conference["id"]}/edit"' in page
    assert f'href="/c/{conference["id"]}/chair"' in page


def test_a_minute_taker_sees_the_list_but_cannot_create_or_edit(staff, make_conference):
    conference = make_conference()
    page = text(staff("minute_taker").get("/"))
    assert "The Example family" in page
    assert "New conference" not in page and "/conferences/new" not in page
    assert f"/conferences/{conference['id']}/edit" not in page


def test_nobody_signed_in_is_sent_to_sign_in(client):
    answer = client.get("/")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/login")


def test_only_the_councils_own_conferences_are_listed(app, db, make_conference):
    from test_conferences_api import _other_council_chair

    make_conference()
    client, _ = _other_council_chair(app, db)
    page = text(client.get("/"))
    assert "The Example family" not in page
    assert "There are no conferences coming up." in page
