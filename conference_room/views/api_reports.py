"""/api/v1 routes for report invitations, the staff list of reports and council templates."""

from __future__ import annotations

from flask import Blueprint, jsonify, url_for

from .. import openapi, presenters, queries, report_templates
from ..access import Actor
from ..db import get_db
from ..rules.visibility import may_see_report
from ..services import reports
from .api_live import attendee_or_staff, refuse_during_closed_session
from .http import json_body, staff

bp = Blueprint("api_reports", __name__, url_prefix="/api/v1")


@bp.post("/conferences/<int:conference_id>/invitations")
@openapi.documented(
    "Invite a professional to write a report; the answer has their private link.",
    body=reports.InvitationIn,
    status=201,
    who="chair, admin",
)
@staff("chair", "admin")
def create_invitation(actor: Actor, conference_id: int):
    """Invite a professional and return the link they write their report at."""
    invitation, token = reports.invite(get_db(), actor, conference_id, json_body())
    url = url_for("report_writer.page", token=token, _external=True)
    return jsonify({**invitation, "url": url}), 201


@bp.get("/conferences/<int:conference_id>/invitations")
@openapi.documented(
    "The conference's invitations, with due dates and whether each report was sent.",
    who="staff",
)
@staff()
def list_invitations(actor: Actor, conference_id: int):
    """List a conference's invitations (never their links)."""
    return jsonify(reports.invitations(get_db(), actor, conference_id))


@bp.delete("/conferences/<int:conference_id>/invitations/<int:invitation_id>")
@openapi.documented("Withdraw an invitation: its link stops working.", who="chair, admin")
@staff("chair", "admin")
def revoke_invitation(actor: Actor, conference_id: int, invitation_id: int):
    """Withdraw an invitation."""
    return jsonify(reports.revoke(get_db(), actor, conference_id, invitation_id))


@bp.post("/conferences/<int:conference_id>/invitations/<int:invitation_id>/link")
@openapi.documented(
    "Make a new private link for an invitation; the old link stops working.", who="chair, admin"
)
@staff("chair", "admin")
def new_invitation_link(actor: Actor, conference_id: int, invitation_id: int):
    """Replace an invitation's link (lost, or carried forward to a review without one)."""
    invitation, token = reports.new_link(get_db(), actor, conference_id, invitation_id)
    url = url_for("report_writer.page", token=token, _external=True)
    return jsonify({**invitation, "url": url})


@bp.get("/conferences/<int:conference_id>/reports")
@openapi.documented(
    "The reports: for staff every report in full with status, version and late flag; for an "
    "admitted participant only the reports they may read, filtered for them.",
    who="admitted participants, staff",
)
def list_reports(conference_id: int):
    """List a conference's reports, filtered for whoever is asking."""
    db, actor, conference = attendee_or_staff(conference_id)
    if actor.is_staff:
        return jsonify(reports.for_staff(db, actor, conference_id))
    refuse_during_closed_session(actor, conference)
    return jsonify(
        [
            presenters.report_body(db, report, actor.audience, conference["council_id"])
            for report in queries.reports(db, conference_id)
            if may_see_report(report, actor.audience)
        ]
    )


@bp.post("/templates")
@openapi.documented(
    "Add a council report template.",
    body=report_templates.Template,
    answer=report_templates.Template,
    status=201,
    who="admin",
)
@staff("admin")
def add_template(actor: Actor):
    """Add a council's own report template."""
    return jsonify(reports.add_template(get_db(), actor, json_body()).model_dump()), 201
