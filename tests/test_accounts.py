"""Staff accounts and sessions: sign in and out, generic failures, lockout, CSRF, the page."""

import re

import pytest

from conference_room.services import accounts
from tests.conftest import PASSWORD


def test_a_chair_signs_in_and_gets_a_csrf_token(client, make_user):
    user = make_user("chair")
    answer = client.post("/api/v1/session", json={"email": user["email"], "password": PASSWORD})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["user"] == {"id": user["id"], "name": user["name"], "role": "chair"}
    assert len(body["csrf_token"]) >= 32
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_email_is_not_case_sensitive(client, make_user):
    make_user("chair", email="Chair.Person@Testshire.example")
    answer = client.post(
        "/api/v1/session", json={"email": "chair.person@testshire.example", "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.get_json()


@pytest.mark.parametrize("which", ["password", "email"])
def test_a_wrong_login_gets_401_without_saying_which_part(client, make_user, which):
    user = make_user("chair")
    creds = {"email": user["email"], "password": PASSWORD}
    creds[which] = "wrong" + creds[which]
    answer = client.post("/api/v1/session", json=creds)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["message"] == accounts.WRONG_LOGIN


def test_repeated_failures_lock_the_account(client, make_user):
    user = make_user("chair")
    for _ in range(accounts.MAX_FAILURES):
        client.post("/api/v1/session", json={"email": user["email"], "password": "nope"})
    locked = client.post("/api/v1/session", json={"email": user["email"], "password": PASSWORD})
    assert locked.status_code == 429
    assert re.search(r"Try again in \d+ seconds", locked.get_json()["error"]["message"])
    assert int(locked.headers["Retry-After"]) > 0


def test_session_read_and_sign_out(chair):
    assert chair.get("/api/v1/session").get_json()["user"]["role"] == "chair"
    assert chair.delete("/api/v1/session").status_code == 204
    assert chair.get("/api/v1/session").status_code == 401


def test_sign_out_without_the_csrf_token_is_refused(chair):
    answer = chair.client.delete("/api/v1/session")
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "csrf"
    assert chair.get("/api/v1/session").status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"password": PASSWORD}, "email"),
        ({"email": "a@b.example"}, "password"),
        ({"email": 7, "password": PASSWORD}, "email"),
    ],
)
def test_a_malformed_sign_in_is_400_naming_the_field(client, payload, field):
    answer = client.post("/api/v1/session", json=payload)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field


def test_the_login_page_signs_in_and_shows_the_dashboard(client, make_user):
    user = make_user("chair")
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    answer = client.post(
        "/login", data={"email": user["email"], "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "Conferences" in client.get("/").get_data(as_text=True)


def test_the_login_page_shows_a_plain_error(client, make_user):
    user = make_user("chair")
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    answer = client.post(
        "/login", data={"email": user["email"], "password": "nope", "csrf_token": token}
    )
    assert answer.status_code == 401
    assert "is not right" in answer.get_data(as_text=True)


def test_the_dashboard_sends_strangers_to_sign_in(client):
    answer = client.get("/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def test_passwords_are_stored_as_argon2id(db, make_user):
    user = make_user("chair")
    stored = db.execute("SELECT password_hash FROM users WHERE id = ?", [user["id"]]).fetchone()
    assert stored[0].startswith("$argon2id$")
    assert PASSWORD not in stored[0]


def test_a_short_password_is_refused_and_nothing_is_saved(db, council_id):
    from conference_room.errors import Invalid

    with pytest.raises(Invalid, match="password: must be at least 12 characters"):
        accounts.create_user(
            db,
            council_id,
            {"email": "x@y.example", "name": "X", "role": "chair", "password": "short"},
        )
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0
