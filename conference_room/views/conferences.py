"""The chair's pages to set up a conference and to change its details."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for

from .. import la_settings, sessions
from ..access import Actor
from ..db import get_db
from ..errors import DomainError, Forbidden, Invalid
from ..rules import dates
from ..services import conferences, reports
from . import conference_form
from .conference_form import FormState

bp = Blueprint("conferences", __name__, url_prefix="/conferences")

ADD_ROW = ("add_child", "add_member")


def _planner() -> Actor | None:
    """Return the signed-in chair or admin; None when nobody is signed in."""
    actor = sessions.current_user_actor(get_db())
    if not actor.is_staff:
        return None
    if actor.role not in conferences.STAFF_WHO_PLAN:
        raise Forbidden("Only a chair or an admin can set up or change a conference.")
    return actor


def _page(
    actor: Actor,
    state: FormState,
    conference: dict | None = None,
    errors: dict[str, str] | None = None,
):
    db = get_db()
    return render_template(
        "conferences/form.html",
        actor=actor,
        form=state,
        conference=conference,
        errors=errors or {},
        kinds=la_settings.get(db, actor.council_id).conference_kinds,
        reviewable=[] if conference else conferences.reviewable(db, actor),
        max_children=conference_form.MAX_CHILD_ROWS,
        max_members=conference_form.MAX_MEMBER_ROWS,
    ), (400 if errors else 200)


def _submit(actor: Actor, conference: dict | None, save: Callable[[dict], dict]):
    """Handle a POST of the form: add a row, or save through ``save`` and go to the dashboard."""
    sessions.check_csrf(request.form.get("csrf_token"))
    state = conference_form.read_form(request.form)
    action = request.form.get("action", "save")
    if action in ADD_ROW:
        return _page(actor, conference_form.add_row(state, action), conference)
    parsed = conference_form.to_payload(state, creating=conference is None)
    if not parsed.problems:
        try:
            saved = save(parsed.payload)
        except Invalid as error:
            parsed.problems.update([conference_form.page_error(error, state, parsed)])
        else:
            when = dates.format_datetime(dates.parse_iso_datetime(saved["scheduled_for"]))
            if conference is None:
                flash(f"{saved['title']} is set up for {when}.", "success")
                if saved.get("invitations"):
                    # Links are never kept: the chair makes each one on the reports page.
                    flash(
                        f"{len(saved['invitations'])} professionals asked last time are asked "
                        "again. Make each a new link below and send it to them.",
                        "success",
                    )
                    return redirect(url_for("conferences.invitations", conference_id=saved["id"]))
            else:
                flash(f"Changes to {saved['title']} ({when}) are saved.", "success")
            return redirect(url_for("dashboard.index"))
    return _page(actor, state, conference, conference_form.in_page_order(parsed.problems))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Show the form for a new conference; create it on POST."""
    actor = _planner()
    if actor is None:
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return _page(actor, conference_form.blank_state())
    return _submit(actor, None, lambda payload: conferences.create(get_db(), actor, payload))


@bp.route("/<int:conference_id>/edit", methods=["GET", "POST"])
def edit(conference_id: int):
    """Show a conference's details to change; save them on POST."""
    actor = _planner()
    if actor is None:
        return redirect(url_for("auth.login"))
    db = get_db()
    conference = conferences.load(db, actor, conference_id)
    conferences.require_open(conference)
    if request.method == "GET":
        kind = conferences.kind_of(la_settings.get(db, actor.council_id), conference)
        state = conference_form.state_from_conference(
            conferences.public(db, conference), kind.key if kind else ""
        )
        return _page(actor, state, conference)
    return _submit(
        actor, conference, lambda payload: conferences.update(db, actor, conference_id, payload)
    )


@bp.route("/<int:conference_id>/invitations", methods=["GET", "POST"])
def invitations(conference_id: int):
    """Invite professionals to write their reports; show each private link once."""
    actor = _planner()
    if actor is None:
        return redirect(url_for("auth.login"))
    db = get_db()
    conference = conferences.load(db, actor, conference_id)
    error, created, form = None, None, {}
    if request.method == "POST":
        sessions.check_csrf(request.form.get("csrf_token"))
        form = request.form.to_dict()
        payload = {key: form.get(key, "") for key in ("name", "agency")}
        if form.get("email", "").strip():
            payload["email"] = form["email"]
        try:
            if form.get("invitation_id", "").isdigit():
                invitation, token = reports.new_link(
                    db, actor, conference_id, int(form["invitation_id"])
                )
            else:
                invitation, token = reports.invite(db, actor, conference_id, payload)
        except DomainError as failure:
            error = failure
        else:
            created = {
                **invitation,
                "url": url_for("report_writer.page", token=token, _external=True),
            }
            form = {}
    return render_template(
        "conferences/invitations.html",
        actor=actor,
        conference=conference,
        invitations=reports.invitations(db, actor, conference_id),
        created=created,
        error=error,
        form=form,
    ), (400 if error else 200)
