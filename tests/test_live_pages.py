"""The pages of the live room: join form, phone, console, screen and QR code."""

import re

from tests.live_helpers import Phone


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_joining_through_the_form_lands_in_the_waiting_room(client, make_conference):
    conference = make_conference()
    page = client.get(f"/j/{conference['join_code']}").get_data(as_text=True)
    assert conference["join_code"] in page  # prefilled from the QR link
    answer = client.post(
        f"/j/{conference['join_code']}",
        data={
            "csrf_token": _csrf(page),
            "code": conference["join_code"],
            "name": "Leanne",
            "who": "mum",
        },
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/c/{conference['id']}"
    phone_page = client.get(f"/c/{conference['id']}").get_data(as_text=True)
    assert "Exit this page" in phone_page and "Words we use" in phone_page
    # Coming back to the join link on the same phone goes straight to the meeting.
    again = client.get(f"/j/{conference['join_code']}")
    assert again.status_code == 302 and again.headers["Location"] == f"/c/{conference['id']}"


def test_the_join_form_explains_mistakes_and_keeps_what_was_typed(client, make_conference):
    make_conference()
    page = client.get("/j").get_data(as_text=True)
    answer = client.post(
        "/j", data={"csrf_token": _csrf(page), "code": "NOPE", "name": "Leanne", "who": "mum"}
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "join code is not right" in body and 'value="Leanne"' in body


def test_a_professional_phone_has_no_exit_button(app, chair, make_conference):
    conference = make_conference()
    pro = Phone(app, conference["join_code"], "Pat", role="professional", agency="School")
    page = pro.get(f"/c/{conference['id']}").get_data(as_text=True)
    assert "Exit this page" not in page


def test_strangers_are_sent_to_join_and_staff_to_the_console(client, chair, make_conference):
    conference = make_conference()
    assert client.get(f"/c/{conference['id']}").headers["Location"] == "/j"
    assert chair.get(f"/c/{conference['id']}").headers["Location"] == (
        f"/c/{conference['id']}/chair"
    )


def test_console_and_screen_are_for_the_chair(client, chair, staff, make_conference):
    conference = make_conference()
    for page in ("chair", "screen"):
        assert chair.get(f"/c/{conference['id']}/{page}").status_code == 200
        assert client.get(f"/c/{conference['id']}/{page}").headers["Location"] == "/login"
        assert staff("minute_taker").get(f"/c/{conference['id']}/{page}").status_code == 403


def test_the_qr_code_is_an_svg_of_the_join_link(chair, make_conference):
    conference = make_conference()
    answer = chair.get(f"/c/{conference['id']}/qr.svg")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.get_data(as_text=True).startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in answer.get_data(as_text=True)


def test_a_closed_conference_join_code_no_longer_works(client, db, make_conference):
    conference = make_conference()
    db.execute("UPDATE conferences SET status = 'closed' WHERE id = ?", [conference["id"]])
    answer = client.post(
        "/api/v1/join", json={"code": conference["join_code"], "name": "Jo", "role": "family"}
    )
    assert answer.status_code == 409
    assert "finished" in answer.get_json()["error"]["message"]
