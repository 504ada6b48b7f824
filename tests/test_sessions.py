"""The session cookie is checked once per live connection, and still means what it meant."""

from __future__ import annotations

import time

import pytest
from flask import session
from itsdangerous import URLSafeTimedSerializer
from werkzeug.test import EnvironBuilder

from conference_room import sessions

CONTENTS = {"user_id": 5, "csrf": "abc", "participants": {"3": "token-3"}}


def cookie_for(app, contents) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(contents)


def socket_environ(cookie: str, path: str = "/socket.io/") -> dict:
    """An environ as a socket keeps it: made once at the handshake, reused for every event."""
    headers = {"Cookie": f"conference_room={cookie}"}
    return EnvironBuilder(path=path, headers=headers).get_environ()


@pytest.fixture
def decodes(monkeypatch):
    """Count how many times a cookie's signature is checked and its contents decoded."""
    calls = []
    real = URLSafeTimedSerializer.loads

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", counting)
    return calls


def test_the_app_uses_the_kept_session_interface(app):
    assert isinstance(app.session_interface, sessions.CookieSessions)


def test_a_connection_decodes_its_cookie_once_and_each_event_gets_its_own_copy(app, decodes):
    environ = socket_environ(cookie_for(app, CONTENTS))
    for _ in range(3):
        with app.request_context(environ):
            assert dict(session) == CONTENTS
            session["participants"]["3"] = "changed by a handler"
            session["user_id"] = 99
    assert len(decodes) == 1


def test_each_http_request_decodes_its_own_cookie(app, decodes):
    cookie = cookie_for(app, CONTENTS)
    for _ in range(2):
        with app.request_context(socket_environ(cookie, path="/staff/")):
            assert session["user_id"] == 5
    assert len(decodes) == 2


def test_a_kept_session_expires_when_the_cookie_would(app, monkeypatch):
    cookie = cookie_for(app, CONTENTS)
    environ = socket_environ(cookie)
    with app.request_context(environ):
        assert session["user_id"] == 5
    lifetime = app.permanent_session_lifetime.total_seconds()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + lifetime - 5)
    with app.request_context(environ):
        assert session["user_id"] == 5
    monkeypatch.setattr(time, "time", lambda: now + lifetime + 5)
    with app.request_context(environ):
        assert dict(session) == {}
    with app.request_context(socket_environ(cookie)):  # decoded afresh: the same answer
        assert dict(session) == {}


@pytest.mark.parametrize("cookie", ["", "not-a-signed-value", "e30.AAAAAA.forged"])
def test_a_missing_or_forged_cookie_is_an_empty_session_every_time(app, cookie):
    environ = socket_environ(cookie)
    for _ in range(2):
        with app.request_context(environ):
            assert dict(session) == {}
            assert "user_id" not in session


def test_a_changed_cookie_header_is_decoded_again(app, decodes):
    environ = socket_environ(cookie_for(app, CONTENTS))
    with app.request_context(environ):
        assert session["user_id"] == 5
    environ["HTTP_COOKIE"] = f"conference_room={cookie_for(app, {'user_id': 7})}"
    with app.request_context(environ):
        assert dict(session) == {"user_id": 7}
    assert len(decodes) == 2


def test_a_cookie_signed_with_another_key_is_refused(app):
    other = URLSafeTimedSerializer("another key", salt="cookie-session")
    environ = socket_environ(other.dumps(CONTENTS))
    with app.request_context(environ):
        assert dict(session) == {}
