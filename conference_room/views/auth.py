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
    error, wait = None, None
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
            wait = getattr(failure, "retry_after", None)
        else:
            sessions.sign_in(user)
            return redirect(url_for("dashboard.index"))
    page = render_template("auth/login.html", error=error, email=email)
    if wait is not None:  # the address or the account is locked for now
        return page, 429, {"Retry-After": str(wait)}
    return page, (401 if error else 200)


@bp.post("/logout")
def logout():
    """Sign out and go back to the sign-in page."""
    sessions.check_csrf(request.form.get("csrf_token"))
    sessions.sign_out()
    return redirect(url_for("auth.login"))
