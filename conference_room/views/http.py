"""What every JSON view needs: the request body, and the staff guard with its CSRF check."""

from __future__ import annotations

from functools import wraps

from flask import request

from .. import sessions
from ..db import get_db
from ..errors import Forbidden, Invalid, Unauthorized
from ..schemas import TOO_DEEP, check_shape

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def json_body() -> dict:
    """Return the request's JSON object, or refuse it with a clear message."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes: refuse it, cheaply
        raise Invalid(TOO_DEEP, field="body") from None
    check_shape(data)
    if data is None:
        raise Invalid("Send a JSON object with the header Content-Type: application/json.")
    if not isinstance(data, dict):
        raise Invalid("Send a JSON object (in curly brackets), not a list or a single value.")
    return data


def staff(*roles: str, csrf: bool = True):
    """Let only signed-in staff with one of ``roles`` through; check CSRF on writes."""

    def wrap(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            actor = sessions.current_user_actor(get_db())
            if not actor.is_staff:
                raise Unauthorized("Sign in first.")
            if roles and actor.role not in roles:
                raise Forbidden("Your role may not do this.")
            if csrf and request.method in STATE_CHANGING:
                sessions.check_csrf(request.headers.get("X-CSRF-Token"))
            return view(actor, *args, **kwargs)

        return guarded

    return wrap
