"""The signed session cookie: who is signed in, attendees' tokens, CSRF tokens.

Used by HTTP views and Socket.IO handlers alike (a socket event sees the cookie of its
handshake; changes made to ``session`` inside a socket handler never reach HTTP).
"""

from __future__ import annotations

import hmac
import secrets

from flask import session
from sqlite_utils import Database

from .access import ANONYMOUS, Actor, user_actor
from .errors import Forbidden
from .services import accounts


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
