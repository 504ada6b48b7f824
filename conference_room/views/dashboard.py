"""The staff dashboard: the council's conferences and where their reports stand."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from .. import sessions
from ..db import get_db
from ..services import conferences, dashboard

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    """List upcoming conferences soonest first, then the recently closed ones."""
    db = get_db()
    actor = sessions.current_user_actor(db)
    if not actor.is_staff:
        return redirect(url_for("auth.login"))
    return render_template(
        "dashboard/index.html",
        actor=actor,
        upcoming=dashboard.upcoming(db, actor),
        closed=dashboard.recently_closed(db, actor),
        may_plan=actor.role in conferences.STAFF_WHO_PLAN,
    )
