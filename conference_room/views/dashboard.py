"""The staff dashboard: the council's conferences."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from .. import queries, sessions
from ..db import get_db

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    """List the council's conferences, soonest first."""
    db = get_db()
    actor = sessions.current_user_actor(db)
    if not actor.is_staff:
        return redirect(url_for("auth.login"))
    conferences = queries.conferences_for_council(db, actor.council_id)
    return render_template("dashboard/index.html", actor=actor, conferences=conferences)
