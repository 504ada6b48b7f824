"""Guessing is rate limited: wrong join codes, wrong passwords, wrong report links."""

import pytest

from conference_room.errors import TooManyRequests
from conference_room.rate_limits import RULES, Limiter


def test_the_limiter_forgets_failures_after_the_window():
    now = [1000.0]
    limits = Limiter(clock=lambda: now[0])
    for _ in range(RULES["join"].failures):
        limits.check("join", "1.2.3.4")
        limits.failed("join", "1.2.3.4")
    with pytest.raises(TooManyRequests, match=r"Try again in \d+ seconds"):
        limits.check("join", "1.2.3.4")
    limits.check("join", "5.6.7.8")  # another address is not affected
    now[0] += RULES["join"].window
    limits.check("join", "1.2.3.4")


def test_guessing_join_codes_is_stopped_but_the_right_code_still_works_until_then(
    client, make_conference
):
    conference = make_conference()
    for _ in range(RULES["join"].failures):
        wrong = client.post(
            "/api/v1/join", json={"code": "AAAAAAAAAA", "name": "X", "role": "family"}
        )
        assert wrong.status_code == 400
    blocked = client.post(
        "/api/v1/join", json={"code": conference["join_code"], "name": "X", "role": "family"}
    )
    assert blocked.status_code == 429
    assert "Try again in" in blocked.get_json()["error"]["message"]
    assert int(blocked.headers["Retry-After"]) > 0


def test_a_room_of_phones_on_one_address_can_all_join(client, make_conference):
    conference = make_conference()
    for number in range(25):
        answer = client.post(
            "/api/v1/join",
            json={"code": conference["join_code"], "name": f"Person {number}", "role": "family"},
        )
        assert answer.status_code == 201


def test_many_wrong_passwords_from_one_address_are_stopped(client, make_user):
    users = [make_user("chair") for _ in range(5)]
    attempts = 0
    while attempts < RULES["login"].failures:
        user = users[attempts % len(users)]  # spread so no single account locks first
        client.post("/api/v1/session", json={"email": user["email"], "password": "wrong"})
        attempts += 1
    blocked = client.post("/api/v1/session", json={"email": users[0]["email"], "password": "wrong"})
    assert blocked.status_code == 429


def test_guessing_report_links_is_stopped(client):
    for _ in range(RULES["link"].failures):
        assert client.get("/r/not-a-real-token").status_code == 404
    assert client.get("/r/not-a-real-token").status_code == 429
