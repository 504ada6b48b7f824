"""The JSON API under /api/v1: parse, call a service, answer. No rules here."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel

from .. import la_settings, openapi, rate_limits, sessions
from ..access import Actor
from ..db import get_db
from ..services import accounts
from .http import json_body, staff

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class UserOut(BaseModel):
    id: int
    name: str
    role: str


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str


@bp.post("/session")
@openapi.documented(
    "Sign in as staff; sets the session cookie.",
    body=accounts.Credentials,
    answer=SessionOut,
    who="staff",
)
def create_session():
    """Sign a staff member in."""
    with rate_limits.guard("login", rate_limits.wrong_password):
        user = accounts.sign_in(get_db(), json_body())
    token = sessions.sign_in(user)
    return jsonify({"user": accounts.public_user(user), "csrf_token": token})


@bp.get("/session")
@openapi.documented("Who is signed in, and the CSRF token.", answer=SessionOut, who="signed in")
@staff()
def read_session(actor: Actor):
    """Return the signed-in user and the current CSRF token."""
    user = {"id": actor.id, "name": actor.name, "role": actor.role}
    return jsonify({"user": user, "csrf_token": sessions.csrf_token()})


@bp.delete("/session")
@openapi.documented("Sign out.", status=204, who="signed in")
@staff()
def delete_session(actor: Actor):
    """Sign out."""
    sessions.sign_out()
    return "", 204


@bp.get("/settings")
@openapi.documented("The council's settings.", answer=la_settings.LASettings, who="staff")
@staff()
def read_settings(actor: Actor):
    """Return the council's settings."""
    return jsonify(la_settings.get(get_db(), actor.council_id).model_dump(mode="json"))


@bp.patch("/settings")
@openapi.documented(
    "Change some of the council's settings.",
    body={"type": "object"},
    answer=la_settings.LASettings,
    who="admin",
)
@staff("admin")
def update_settings(actor: Actor):
    """Change some of the council's settings."""
    changed = la_settings.update(get_db(), actor, json_body())
    return jsonify(changed.model_dump(mode="json"))


@bp.get("/openapi.json")
@openapi.documented("This description of the API.", who="anyone")
def openapi_document():
    """Return the OpenAPI description of every /api/v1 route."""
    return jsonify(openapi.build(current_app))
