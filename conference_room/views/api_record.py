"""/api/v1 routes of the record: the chair's corrections after closing (and the exports)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .. import openapi
from ..access import Actor
from ..db import get_db
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
