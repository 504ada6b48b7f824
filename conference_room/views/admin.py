"""The admin's page for the council's settings."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for

from .. import la_settings, sessions
from ..db import get_db
from ..errors import DomainError, Forbidden

bp = Blueprint("admin", __name__, url_prefix="/admin")

SCALE_TEXTS = (
    "zero",
    "ten",
    "zero_family",
    "ten_family",
    "question",
    "question_family",
    "one_point_up",
    "one_point_up_family",
)


def _whole_number(form: dict, name: str) -> int | str:
    value = form.get(name, "").strip()
    return int(value) if re.fullmatch(r"-?\d{1,3}", value) else value


def form_to_changes(form: dict) -> dict:
    """Turn the settings form into a settings object for la_settings.update."""
    statements = []
    for index in range(int(form.get("statement_count", "0") or 0) + 1):
        title = form.get(f"statement_title_{index}", "").strip()
        text = form.get(f"statement_text_{index}", "").strip()
        key = (
            form.get(f"statement_key_{index}", "").strip()
            or re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40]
        )
        if title or text:
            statements.append({"key": key or "statement", "title": title, "text": text})
    return {
        "report_deadline_days": {
            kind: _whole_number(form, f"deadline_{kind}")
            for kind in ("initial", "pre_birth", "transfer_in", "review")
        },
        "scale": {
            **{name: form.get(f"scale_{name}", "") for name in SCALE_TEXTS},
            "threshold": _whole_number(form, "scale_threshold"),
            "reversed": form.get("scale_reversed") == "yes",
        },
        "allow_multiple_categories": form.get("allow_multiple_categories") == "yes",
        "protective_marking": form.get("protective_marking", ""),
        "complaints_text": form.get("complaints_text", ""),
        "statements": statements,
        "closure_days": [
            line.strip() for line in form.get("closure_days", "").splitlines() if line.strip()
        ],
    }


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Show the council's settings; save them on POST."""
    db = get_db()
    actor = sessions.current_user_actor(db)
    if not actor.is_staff:
        return redirect(url_for("auth.login"))
    if actor.role != "admin":
        raise Forbidden("Only an admin can change the council's settings.")
    error, saved = None, False
    if request.method == "POST":
        sessions.check_csrf(request.form.get("csrf_token"))
        try:
            la_settings.update(db, actor, form_to_changes(request.form.to_dict()))
            saved = True
        except DomainError as failure:
            error = failure
    current = la_settings.get(db, actor.council_id)
    status = 400 if error else 200
    return render_template(
        "admin/settings.html",
        actor=actor,
        settings=current,
        error=error,
        saved=saved,
        scale_texts=SCALE_TEXTS,
    ), status
