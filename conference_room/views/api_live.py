"""/api/v1 routes of the live room: joining, admission, the viewer's snapshot, reading reports."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from .. import openapi, presenters, queries, rate_limits, sessions
from ..db import get_db
from ..errors import Forbidden, NotFound, Unauthorized
from ..realtime import present
from ..rules.visibility import may_see_report
from ..services import conferences, live
from .http import json_body, staff

bp = Blueprint("api_live", __name__, url_prefix="/api/v1")


def attendee_or_staff(conference_id: int):
    """Return who is asking about ``conference_id``; refuse strangers and the not-admitted."""
    db = get_db()
    actor = sessions.current_actor(db, conference_id)
    if actor.kind == "anonymous":
        raise Unauthorized("Join the meeting with its code, or sign in.")
    conference = conferences.load(db, actor, conference_id)
    live.require_admitted(actor, conference_id)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        sessions.check_csrf(request.headers.get("X-CSRF-Token"))
    return db, actor, conference


def refuse_during_closed_session(actor, conference: dict) -> None:
    """Give family members nothing but the holding screen while a closed session lasts."""
    if conference["closed_session"] and actor.audience == "family":
        raise Forbidden(
            "The meeting is in a short closed session. You can read the reports again when it "
            "ends.",
            code="closed_session",
        )


@bp.post("/join")
@openapi.documented(
    "Join a meeting's waiting room with its code.",
    body=live.JoinIn,
    status=201,
    who="anyone with the code",
)
def join():
    """Put this phone in the waiting room and give it its cookie."""
    with rate_limits.guard("join", rate_limits.wrong_code):
        participant, token = live.join(get_db(), json_body(), rate_limits.one_more_join)
    csrf = sessions.remember_participant(participant["conference_id"], token)
    body = {
        "participant": {
            "id": participant["id"],
            "status": participant["status"],
            "conference_id": participant["conference_id"],
        },
        "csrf_token": csrf,
    }
    return jsonify(body), 201


def _status_route(action):
    @staff("chair", "admin")
    def change(actor, conference_id: int, participant_id: int):
        changed = action(get_db(), actor, conference_id, participant_id)
        return jsonify({"participant": {"id": changed["id"], "status": changed["status"]}})

    return change


for verb, action, summary in (
    ("admit", live.admit, "Let a waiting person in."),
    ("remove", live.remove, "Remove a person; their cookie stops working, their sockets close."),
    ("turn_away", live.turn_away, "Turn a waiting person away."),
):
    view = openapi.documented(summary, who="chair")(_status_route(action))
    view.__name__ = f"participant_{verb}"
    bp.add_url_rule(
        f"/conferences/<int:conference_id>/participants/<int:participant_id>/{verb}",
        view_func=view,
        methods=["POST"],
    )


@bp.post("/conferences/<int:conference_id>/apologies")
@openapi.documented(
    "Record someone who sent apologies.", body=live.ApologyIn, status=201, who="chair"
)
@staff("chair", "admin")
def apologies(actor, conference_id: int):
    """Record apologies."""
    person = live.record_apologies(get_db(), actor, conference_id, json_body())
    return jsonify({"participant": {"id": person["id"], "status": person["status"]}}), 201


@bp.post("/conferences/<int:conference_id>/participants")
@openapi.documented(
    "Add someone in the room without a phone (the chair can answer the scale for them).",
    body=live.ApologyIn,
    status=201,
    who="chair",
)
@staff("chair", "admin")
def add_participant(actor, conference_id: int):
    """Add someone who is present without a device."""
    person = live.add_without_phone(get_db(), actor, conference_id, json_body())
    return jsonify({"participant": {"id": person["id"], "status": person["status"]}}), 201


@bp.get("/conferences/<int:conference_id>")
@openapi.documented(
    "The viewer-filtered snapshot (as conference.state carries).",
    who="admitted participants, staff",
)
def conference_state(conference_id: int):
    """Return this viewer's snapshot."""
    db, actor, conference = attendee_or_staff(conference_id)
    return jsonify(
        presenters.snapshot(db, conference, actor.audience, present=present(conference_id))
    )


@bp.get("/conferences/<int:conference_id>/reports/<int:report_id>")
@openapi.documented(
    "One report, filtered for the viewer; records that they opened it.",
    who="admitted participants, staff",
)
def read_report(conference_id: int, report_id: int):
    """Return one report's sections for this viewer."""
    db, actor, conference = attendee_or_staff(conference_id)
    report = queries.report(db, report_id)
    if (
        report is None
        or report["conference_id"] != conference_id
        or not may_see_report(report, actor.audience)
    ):
        raise NotFound("There is no such report, or it has not been shared with you.")
    refuse_during_closed_session(actor, conference)
    live.record_read(db, actor, conference_id, report_id)
    return jsonify(presenters.report_body(db, report, actor.audience, conference["council_id"]))
