"""Attendee credentials: tokens random (>= 128 bits), stored hashed, bound to one conference,
revoked on removal, turning away and close; report links likewise; join codes long enough that
guessing is hopeless under the rate limit (the arithmetic is in the README's Security section).
"""

from __future__ import annotations

import base64
import hashlib
import math

import pytest

from conference_room import rate_limits
from conference_room.realtime import socketio
from conference_room.services.conferences import JOIN_ALPHABET, JOIN_LENGTH
from tests.security_helpers import COOKIE, dump


def _cookie(client) -> dict:
    """Return what this browser's session cookie holds (as the server reads it)."""
    app = client.application
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(client.get_cookie(COOKIE).value)


def _forge(client, session: dict) -> None:
    """Give the browser a cookie holding ``session``, signed as the server would sign it."""
    app = client.application
    serializer = app.session_interface.get_signing_serializer(app)
    client.set_cookie(COOKIE, serializer.dumps(session))


def _join(app, conference: dict, name: str = "Jo", role: str = "family"):
    phone = app.test_client()
    body = {"code": conference["join_code"], "name": name, "role": role}
    answer = phone.post("/api/v1/join", json=body)
    assert answer.status_code == 201, answer.get_json()
    token = _cookie(phone)["participants"][str(conference["id"])]
    return phone, answer.get_json()["participant"]["id"], token


def _everything_stored(db_path) -> str:
    return repr(dump(db_path))


def _decoded(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def test_attendee_tokens_are_random_and_at_least_128_bits(app, make_conference):
    conference = make_conference()
    tokens = [_join(app, conference, f"Person {n}")[2] for n in range(40)]
    assert len(set(tokens)) == len(tokens)
    raw = [_decoded(token) for token in tokens]
    assert min(len(r) for r in raw) * 8 >= 128
    # 40 tokens of random bytes use nearly every byte value; a counter or a clock would not.
    assert len(set(b"".join(raw))) > 200


def test_attendee_tokens_are_stored_only_as_their_sha256(app, db, db_path, make_conference):
    conference = make_conference()
    joined = [_join(app, conference, f"Person {n}") for n in range(5)]
    stored = _everything_stored(db_path)
    for _phone, pid, token in joined:
        assert token not in stored
        row = db.execute("SELECT token_hash FROM participants WHERE id = ?", [pid]).fetchone()
        assert row[0] == hashlib.sha256(token.encode()).hexdigest()


def test_a_token_works_for_its_own_conference_only(app, chair, make_conference):
    mine, other = make_conference(), make_conference(title="The Other family")
    phone, pid, token = _join(app, mine)
    chair.post(f"/api/v1/conferences/{mine['id']}/participants/{pid}/admit")
    assert phone.get(f"/api/v1/conferences/{mine['id']}").status_code == 200
    assert phone.get(f"/api/v1/conferences/{other['id']}").status_code == 401
    # Even a cookie that files this token under the other conference gets nothing there:
    # the server checks which conference the token belongs to.
    session = _cookie(phone)
    _forge(phone, {**session, "participants": {str(other["id"]): token}})
    for url in (f"/api/v1/conferences/{other['id']}", f"/api/v1/conferences/{other['id']}/reports"):
        assert phone.get(url).status_code == 401, url
    socket = socketio.test_client(app, flask_test_client=phone)
    ack = socket.emit("conference.join", {"conference_id": other["id"]}, callback=True)
    assert ack["error"]["code"] == "not_found"
    socket.disconnect()


@pytest.mark.parametrize("verb", ["remove", "turn_away"])
def test_removing_or_turning_away_revokes_the_token(app, db, chair, make_conference, verb):
    conference = make_conference()
    phone, pid, token = _join(app, conference)
    if verb == "remove":
        chair.post(f"/api/v1/conferences/{conference['id']}/participants/{pid}/admit")
    answer = chair.post(f"/api/v1/conferences/{conference['id']}/participants/{pid}/{verb}")
    assert answer.status_code == 200
    stored = db.execute("SELECT token_hash FROM participants WHERE id = ?", [pid]).fetchone()
    assert stored[0] is None
    assert phone.get(f"/api/v1/conferences/{conference['id']}").status_code == 401
    assert not socketio.test_client(app, flask_test_client=phone).is_connected()
    # Joining again is a new person in the waiting room, not the old seat back.
    again, new_pid, new_token = _join(app, conference)
    assert new_pid != pid and new_token != token


def test_closing_the_conference_revokes_every_attendee_token(app, db, chair, make_conference):
    conference = make_conference()
    phone, pid, _token = _join(app, conference)
    chair.post(f"/api/v1/conferences/{conference['id']}/participants/{pid}/admit")
    console = socketio.test_client(app, flask_test_client=chair.client)
    assert console.emit("conference.join", {"conference_id": conference["id"]}, callback=True)["ok"]
    decision = {
        "child_id": conference["children"][0]["id"],
        "outcome": "cin_plan",
        "categories": [],
        "reasons": "Help is in place.",
    }
    assert console.emit("decision.record", decision, callback=True)["ok"]
    assert console.emit("conference.close", {}, callback=True)["ok"]
    console.disconnect()
    rows = db.execute(
        "SELECT count(*) FROM participants WHERE conference_id = ? AND token_hash IS NOT NULL",
        [conference["id"]],
    ).fetchone()
    assert rows[0] == 0
    assert phone.get(f"/api/v1/conferences/{conference['id']}").status_code == 401
    assert not socketio.test_client(app, flask_test_client=phone).is_connected()


def test_report_links_are_random_256_bits_and_stored_only_as_their_sha256(
    chair, db, db_path, make_conference
):
    conference = make_conference()
    tokens = []
    for number in range(5):
        answer = chair.post(
            f"/api/v1/conferences/{conference['id']}/invitations",
            json={"name": f"Writer {number}", "agency": "School"},
        )
        tokens.append(answer.get_json()["url"].rsplit("/", 1)[1])
    assert len(set(tokens)) == 5 and min(len(_decoded(t)) for t in tokens) * 8 >= 256
    stored = _everything_stored(db_path)
    hashes = {row[0] for row in db.execute("SELECT token_hash FROM invitations")}
    for token in tokens:
        assert token not in stored
        assert hashlib.sha256(token.encode()).hexdigest() in hashes


def test_join_codes_are_long_enough_that_guessing_is_hopeless_under_the_rate_limit(
    make_conference,
):
    codes = [make_conference()["join_code"] for _ in range(30)]
    assert all(len(code) == JOIN_LENGTH and set(code) <= set(JOIN_ALPHABET) for code in codes)
    assert len(set(codes)) == len(codes)
    bits = JOIN_LENGTH * math.log2(len(JOIN_ALPHABET))
    assert bits >= 46

    # The README's arithmetic: one address may get `limit` codes wrong per `window`, and every
    # address together `join_everyone.limit` per window, however many addresses there are.
    def years_to_even_odds(rule: rate_limits.Rule) -> float:
        guesses_per_year = rule.limit * (365 * 24 * 3600 / rule.window)
        live_codes = 1000  # far more conferences open at once than any council holds
        return (len(JOIN_ALPHABET) ** JOIN_LENGTH / live_codes) / 2 / guesses_per_year

    assert years_to_even_odds(rate_limits.RULES["join"]) > 90_000
    assert years_to_even_odds(rate_limits.RULES["join_everyone"]) > 900
