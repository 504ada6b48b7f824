"""The sign-in page for staff."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from .. import rate_limits, sessions
from ..db import get_db
from ..errors import DomainError
from ..services import accounts

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on POST."""
    error = None
    email = ""
    if request.method == "POST":
        sessions.check_csrf(request.form.get("csrf_token"))
        email = request.form.get("email", "")
        try:
            with rate_limits.guard("login", rate_limits.wrong_password):
                user = accounts.sign_in(
                    get_db(), {"email": email, "password": request.form.get("password", "")}
                )
        except DomainError as failure:
            error = failure.message
        else:
            sessions.sign_in(user)
            return redirect(url_for("dashboard.index"))
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, email=email), status


@bp.post("/logout")
def logout():
    """Sign out and go back to the sign-in page."""
    sessions.check_csrf(request.form.get("csrf_token"))
    sessions.sign_out()
    return redirect(url_for("auth.login"))
