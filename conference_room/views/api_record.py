"""/api/v1 routes of the record: the chair's corrections after closing (and the exports)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, jsonify, request

from .. import exports, openapi, sessions
from ..access import Actor
from ..db import get_db
from ..services import exports as export_service
from ..services import record
from .http import json_body, staff

bp = Blueprint("api_record", __name__, url_prefix="/api/v1")


@bp.post("/conferences/<int:conference_id>/corrections")
@openapi.documented(
    "Add a correction to a closed conference's record: a new note beside the original, audited.",
    body=record.CorrectionIn,
    status=201,
    who="chair, admin",
)
@staff("chair", "admin")
def add_correction(actor: Actor, conference_id: int):
    """Correct a closed record without changing what it said."""
    return jsonify({"note": record.correct(get_db(), actor, conference_id, json_body())}), 201


def refuse_attendees(view):
    """Answer 403 (not 401) to someone in the meeting asking for a staff-only route."""

    @wraps(view)
    def guarded(conference_id: int):
        actor = sessions.current_actor(get_db(), conference_id)
        if actor.kind == "participant":
            export_service.require_exporter(actor)  # always refuses an attendee
        return view(conference_id=conference_id)

    return guarded


@bp.get("/conferences/<int:conference_id>/export")
@openapi.documented(
    "Download the decision sheet or the full record, for the file or the family, as a file.",
    answer={"type": "string", "format": "binary"},
    who="chair, minute-taker, admin",
    query={
        "format": list(exports.FORMATS),
        "audience": list(exports.AUDIENCES),
        "document": list(exports.DOCUMENTS),
    },
)
@refuse_attendees
@staff(*export_service.EXPORTERS)
def export(actor: Actor, conference_id: int):
    """Send one export as a download, built in the helper process and audited."""
    made = export_service.export(get_db(), actor, conference_id, request.args)
    answer = Response(made.body, content_type=made.media_type)
    answer.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return answer
