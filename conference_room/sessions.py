"""The signed session cookie: who is signed in, attendees' tokens, CSRF tokens.

Used by HTTP views and Socket.IO handlers alike (a socket event sees the cookie of its
handshake; changes made to ``session`` inside a socket handler never reach HTTP).
"""

from __future__ import annotations

import copy
import hmac
import secrets
import time
from typing import Any

from flask import Flask, Request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature
from sqlite_utils import Database

from .access import ANONYMOUS, Actor, user_actor
from .errors import Forbidden
from .services import accounts


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie, checked once per live connection instead of once per event.

    Flask opens the session for every request context, and Flask-SocketIO pushes one for
    every event of a socket with its handshake's environ: the same cookie, its signature
    checked and its contents decoded again each time. The first opening keeps the contents,
    and the moment the cookie expires, in that environ (an HTTP request's environ lives for
    one request, a socket's for its connection); a later event gets its own copy, or an empty
    session once the cookie has expired, as decoding it again would give.
    """

    KEPT = "conference_room.session"  # environ key: (cookie header, expires at, contents)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        environ = request.environ
        header = environ.get("HTTP_COOKIE", "")
        kept = environ.get(self.KEPT)
        if kept is None or kept[0] != header:
            signer = self.get_signing_serializer(app)
            if signer is None:
                return None
            kept = environ[self.KEPT] = (header, *self._decode(app, request, signer))
        _, expires, data = kept
        if data is None or int(time.time()) > expires:
            return self.session_class()
        return self.session_class(copy.deepcopy(data))

    def _decode(self, app: Flask, request: Request, signer: Any) -> tuple[int, Any]:
        """Return (expires at, contents) of the request's cookie; contents None if none holds."""
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return 0, None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed = signer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:  # wrong, altered or expired: an empty session, as Flask's
            return 0, None
        # itsdangerous refuses a cookie once its whole seconds of age pass max_age.
        return int(signed.timestamp()) + max_age, data


def sign_in(user: dict) -> str:
    """Start a staff session for ``user`` and return its CSRF token."""
    session.clear()
    session["user_id"] = user["id"]
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True
    return session["csrf"]


def sign_out() -> None:
    """End the session."""
    session.clear()


def csrf_token() -> str:
    """Return the session's CSRF token, creating one if needed."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf(sent: str | None) -> None:
    """Refuse a state-changing call whose CSRF token is missing or wrong."""
    expected = session.get("csrf")
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise Forbidden(
            "This request is missing its security token. Reload the page and try again.",
            code="csrf",
        )


def current_user_actor(db: Database) -> Actor:
    """Return the signed-in staff member, or the anonymous actor."""
    user = accounts.current_user(db, session.get("user_id"))
    return user_actor(user) if user else ANONYMOUS


def remember_participant(conference_id: int, token: str) -> str:
    """Keep an attendee's token for ``conference_id`` in the cookie; return the CSRF token."""
    tokens = dict(session.get("participants") or {})
    tokens[str(conference_id)] = token
    session["participants"] = tokens
    session.permanent = True
    return csrf_token()


def participant_token(conference_id: int) -> str | None:
    """Return this browser's attendee token for ``conference_id``, if it has one."""
    return (session.get("participants") or {}).get(str(conference_id))


def current_actor(db: Database, conference_id: int) -> Actor:
    """Return staff if signed in, else this browser's attendee of ``conference_id``, else anon."""
    from .services import live

    user = current_user_actor(db)
    if user.is_staff:
        return user
    return live.find_participant(db, conference_id, participant_token(conference_id)) or ANONYMOUS
