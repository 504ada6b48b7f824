"""/api/v1 routes for setting up conferences and their reports."""

from __future__ import annotations

from flask import Blueprint, jsonify, url_for

from .. import openapi
from ..access import Actor
from ..db import get_db
from ..services import conferences, reports
from .http import json_body, staff

bp = Blueprint("api_conferences", __name__, url_prefix="/api/v1")


@bp.post("/conferences")
@openapi.documented(
    "Create a conference with its children and family.",
    body=conferences.ConferenceIn,
    status=201,
    who="chair, admin",
)
@staff("chair", "admin")
def create_conference(actor: Actor):
    """Create a conference."""
    created = conferences.create(get_db(), actor, json_body())
    # A review asks the same professionals again: each new private link is shown once, here.
    for invitation in created["invitations"]:
        token = invitation.pop("token")
        invitation["url"] = url_for("report_writer.page", token=token, _external=True)
    return jsonify(created), 201


@bp.patch("/conferences/<int:conference_id>")
@openapi.documented(
    "Change a conference's details, children or family.",
    body=conferences.ConferenceChanges,
    who="chair, admin",
)
@staff("chair", "admin")
def update_conference(actor: Actor, conference_id: int):
    """Change a conference before it closes."""
    return jsonify(conferences.update(get_db(), actor, conference_id, json_body()))


@bp.get("/templates")
@openapi.documented("The report templates.", who="staff")
@staff()
def list_templates(actor: Actor):
    """Return the report templates with their sections."""
    return jsonify(
        [template.model_dump() for template in reports.templates(get_db(), actor.council_id)]
    )


@bp.post("/conferences/<int:conference_id>/reports")
@openapi.documented(
    "Enter a report received outside the app.",
    body=reports.ReportIn,
    status=201,
    who="chair, admin, minute-taker",
)
@staff("chair", "admin", "minute_taker")
def add_report(actor: Actor, conference_id: int):
    """Enter a report for a conference."""
    return jsonify(reports.add(get_db(), actor, conference_id, json_body())), 201
