"""The pages of the live room: join (/j), the phone (/c/<id>), the chair's console, the screen."""

from __future__ import annotations

import io
import json
from importlib import resources

import segno
from flask import Blueprint, Response, redirect, render_template, request, url_for

from .. import queries, rate_limits, sessions
from ..db import get_db
from ..errors import DomainError, Forbidden, TooManyRequests
from ..rules.stages import STAGES
from ..services import conferences, live

bp = Blueprint("live", __name__)

# The exports the minutes page links to (GET /api/v1/conferences/<id>/export): the two Word
# documents most often sent the same day come first, then every document in every format.
EXPORT_DOCUMENTS = (
    ("decision", "full", "Decision sheet"),
    ("decision", "family", "Decision sheet, family version"),
    ("record", "full", "Full record"),
    ("record", "family", "Record, family version"),
)
EXPORT_FORMATS = (
    ("docx", "Word"),
    ("html", "Web page to print"),
    ("md", "Markdown"),
    ("json", "JSON"),
    ("csv", "CSV"),
)

RELATIONSHIPS = (
    ("mum", "Mum", "family"),
    ("dad", "Dad", "family"),
    ("carer", "Carer or step-parent", "family"),
    ("grandparent", "Grandparent or other relative", "family"),
    ("young_person", "I am the young person this meeting is about", "child"),
    ("advocate", "Advocate (I am here to support the family)", "advocate"),
    ("interpreter", "Interpreter", "interpreter"),
)


def _glossary() -> dict:
    text = (resources.files("conference_room") / "data" / "glossary.json").read_text("utf-8")
    return json.loads(text)


def _join_payload(form: dict) -> dict:
    """Turn the join form into the payload of POST /api/v1/join."""
    who = form.get("who", "")
    payload: dict = {"code": form.get("code", ""), "name": form.get("name", "")}
    if who == "professional":
        payload.update(
            role="professional",
            agency=form.get("agency", ""),
            job_title=form.get("job_title", "") or None,
        )
        return payload
    for key, label, role in RELATIONSHIPS:
        if who == key:
            payload.update(role=role, relationship=label.split(" (")[0])
            return payload
    payload["role"] = who or "missing"
    return payload


@bp.route("/j", methods=["GET", "POST"])
@bp.route("/j/<code>", methods=["GET", "POST"])
def join(code: str = ""):
    """Show the join form (the QR code points here); join on POST.

    A code in the link is checked as one typed into the form is: a wrong one counts against
    this connection's guesses, and a connection that has guessed too often is not told whether
    a code is right, nor whether its meeting has finished.
    """
    db = get_db()
    error, form, conference = None, {"code": code}, None
    if request.method == "GET" and code:
        try:
            with rate_limits.guard("join", rate_limits.wrong_code):
                conference = live.conference_for_code(db, code)
        except DomainError as failure:
            error = failure
        else:
            token = sessions.participant_token(conference["id"])
            if live.find_participant(db, conference["id"], token):
                return redirect(url_for("live.phone", conference_id=conference["id"]))
    if request.method == "POST":
        sessions.check_csrf(request.form.get("csrf_token"))
        form = request.form.to_dict()
        try:
            with rate_limits.guard("join", rate_limits.wrong_code):
                participant, token = live.join(db, _join_payload(form), rate_limits.one_more_join)
        except DomainError as failure:
            error = failure
        else:
            sessions.remember_participant(participant["conference_id"], token)
            return redirect(url_for("live.phone", conference_id=participant["conference_id"]))
    page = render_template(
        "live/join.html",
        form=form,
        error=error,
        relationships=RELATIONSHIPS,
        closed=bool(conference and conference["status"] == "closed"),
    )
    if isinstance(error, TooManyRequests):
        return page, 429, {"Retry-After": str(error.retry_after)}
    return page, (400 if error else 200)


@bp.get("/c/<int:conference_id>")
def phone(conference_id: int):
    """The phone view for an attendee (staff go to their own pages)."""
    db = get_db()
    actor = sessions.current_actor(db, conference_id)
    if actor.is_staff:
        page = "live.minutes" if actor.role == "minute_taker" else "live.chair"
        return redirect(url_for(page, conference_id=conference_id))
    if actor.kind != "participant":
        return _finished(db, conference_id) or redirect(url_for("live.join"))
    conference = conferences.load(db, actor, conference_id)
    return render_template(
        "live/phone.html",
        conference=conference,
        actor=None,
        participant=actor,
        family=actor.audience == "family",
        professional=actor.role == "professional",
        glossary=_glossary(),
    )


def _finished(db, conference_id: int):
    """The "meeting has finished" page, for a phone whose cookie the closing revoked."""
    conference = queries.conference(db, conference_id)
    if conference is None or conference["status"] != "closed":
        return None
    if not sessions.participant_token(conference_id):
        return None  # never part of it: the join page, as for any stranger
    return render_template("live/finished.html", conference=conference, actor=None)


def _staff_page(
    conference_id: int,
    template: str,
    roles=("chair", "admin"),
    who: str = "the chair",
    **context,
):
    db = get_db()
    actor = sessions.current_user_actor(db)
    if not actor.is_staff:
        return redirect(url_for("auth.login"))
    if actor.role not in roles:
        raise Forbidden(f"Only {who} can open this page.")
    conference = conferences.load(db, actor, conference_id)
    return render_template(template, conference=conference, actor=actor, **context)


@bp.get("/c/<int:conference_id>/chair")
def chair(conference_id: int):
    """The chair's console."""
    return _staff_page(conference_id, "live/chair.html")


@bp.get("/c/<int:conference_id>/screen")
def screen(conference_id: int):
    """The shared screen, opened by the chair on the projector."""
    return _staff_page(conference_id, "live/screen.html")


@bp.get("/c/<int:conference_id>/minutes")
def minutes(conference_id: int):
    """The minute-taker's page: notes by stage, the plan, and the exports."""
    db = get_db()
    return _staff_page(
        conference_id,
        "live/minutes.html",
        roles=("chair", "admin", "minute_taker"),
        who="the minute-taker or the chair",
        stages=STAGES,
        children=queries.children(db, conference_id),
        export_documents=EXPORT_DOCUMENTS,
        export_formats=EXPORT_FORMATS,
    )


@bp.get("/c/<int:conference_id>/qr.svg")
def qr_code(conference_id: int):
    """The QR code of the join link, as SVG, for the shared screen."""
    db = get_db()
    actor = sessions.current_user_actor(db)
    if not actor.is_staff:
        raise Forbidden("Only staff can show the join code.")
    conference = conferences.load(db, actor, conference_id)
    link = url_for("live.join", code=conference["join_code"], _external=True)
    out = io.BytesIO()
    segno.make(link, error="m").save(
        out,
        kind="svg",
        scale=8,
        border=2,
        dark="#0b0c0c",
        light="#ffffff",
        title="QR code to join",
        xmldecl=False,
    )
    return Response(out.getvalue(), mimetype="image/svg+xml")
