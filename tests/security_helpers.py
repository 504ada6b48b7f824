"""Helpers for the security tests: a meeting with every kind of person in it, and table dumps.

``build_world(app)`` sets up, through the public API and real (test) sockets, two councils, a
conference A with every role of ``access_matrix.ROLES`` in it, a second conference B of the same
council with its own family member, reports (shared, unshared, with restricted text), a report
link, scale rounds (revealed, closed, open), plan actions (agreed and draft) and a decision. It
returns the ids and each role's cookie and CSRF token, so a test can replay any role against a
copy of the database.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conference_room import councils
from conference_room import db as database
from conference_room.realtime import socketio
from conference_room.services import accounts
from tests.conftest import PASSWORD, child, conference_payload
from tests.report_helpers import as_form, complete_report

COOKIE = "conference_room"
ROOT = Path(__file__).resolve().parent.parent
STAFF_ROLES = {"admin", "chair", "minute_taker", "other_chair"}


@dataclass
class Credential:
    """What one role's browser holds: the session cookie (if any) and its CSRF token."""

    cookie: str | None
    csrf: str | None


@dataclass
class World:
    """Ids and credentials of the meeting ``build_world`` set up."""

    credentials: dict[str, Credential] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    join_code: str = ""
    other_join_code: str = ""
    link: str = ""  # the invitee's /r/<token> path
    chair_email: str = ""


def dump(path: str | Path) -> dict[str, list[tuple]]:
    """Return every row of every table of the database file at ``path``."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            table: sorted(
                (tuple(row) for row in connection.execute(f'SELECT * FROM "{table}"')), key=repr
            )
            for table in tables
        }
    finally:
        connection.close()


def copy_database(source: str | Path, target: str | Path) -> None:
    """Copy a live SQLite database (WAL included) to ``target``."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def csrf_from_page(html: str) -> str:
    """Return the CSRF token a page's form carries."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def _credential(client, csrf: str | None) -> Credential:
    cookie = client.get_cookie(COOKIE)
    return Credential(cookie.value if cookie else None, csrf)


def _staff(app, db, council_id: int, role: str, email: str):
    accounts.create_user(
        db,
        council_id,
        {"email": email, "name": f"{role} person", "role": role, "password": PASSWORD},
    )
    client = app.test_client()
    answer = client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.get_json()
    return client, answer.get_json()["csrf_token"]


def _join(app, code: str, name: str, role: str = "family", **extra):
    client = app.test_client()
    answer = client.post("/api/v1/join", json={"code": code, "name": name, "role": role, **extra})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    return client, body["csrf_token"], body["participant"]["id"]


def build_world(app, db_path: str | Path) -> World:
    """Set up the meeting described in this module's docstring on ``app``."""
    world = World()
    db = database.connect(db_path)
    council = councils.ensure(db, "Testshire Council")
    other_council = councils.ensure(db, "Otherby Council")
    clients = {}
    for role in ("admin", "chair", "minute_taker"):
        email = f"{role}@testshire.example"
        client, csrf = _staff(app, db, council, role, email)
        clients[role] = client
        world.credentials[role] = _credential(client, csrf)
    world.chair_email = "chair@testshire.example"
    other, other_csrf = _staff(app, db, other_council, "chair", "chair@otherby.example")
    world.credentials["other_chair"] = _credential(other, other_csrf)
    db.conn.close()

    chair = clients["chair"]
    chair_csrf = world.credentials["chair"].csrf
    headers = {"X-CSRF-Token": chair_csrf}

    def post(url: str, body: dict, status: int = 201) -> dict:
        answer = chair.post(url, json=body, headers=headers)
        assert answer.status_code == status, (url, answer.get_json())
        return answer.get_json()

    created = post(
        "/api/v1/conferences",
        conference_payload(children=[child(), child("Ben Example", date_of_birth="2020-02-02")]),
    )
    a = created["id"]
    world.ids.update(
        conference=a, child=created["children"][0]["id"], child2=created["children"][1]["id"]
    )
    world.join_code = created["join_code"]
    other_conference = post("/api/v1/conferences", conference_payload(title="The Other family"))
    world.ids["other_conference"] = other_conference["id"]
    world.other_join_code = other_conference["join_code"]

    base = {"author_name": "Sam Teacher", "agency": "Oak School", "role": "Teacher"}
    shared = post(
        f"/api/v1/conferences/{a}/reports",
        {
            **base,
            "sections": {"worries": "Shared worry"},
            "restricted": "Police only",
            "shared_with_family": True,
        },
    )
    unshared = post(
        f"/api/v1/conferences/{a}/reports",
        {
            **base,
            "agency": "Health",
            "sections": {"worries": "Not shared yet"},
            "shared_with_family": False,
            "not_shared_reason": "Meeting booked",
        },
    )
    world.ids.update(report=shared["id"], unshared_report=unshared["id"])
    invitation = post(f"/api/v1/conferences/{a}/invitations", {"name": "Hana", "agency": "GP"})
    world.ids["invitation"] = invitation["id"]
    world.link = urlsplit(invitation["url"]).path
    writer = app.test_client()
    assert writer.put(world.link + "/draft", json=complete_report()).status_code == 200

    def admit(pid: int) -> None:
        post(f"/api/v1/conferences/{a}/participants/{pid}/admit", {}, 200)

    pro, pro_csrf, pro_id = _join(
        app, world.join_code, "Pat Teacher", "professional", agency="School"
    )
    fam, fam_csrf, fam_id = _join(app, world.join_code, "Jo Example", relationship="Mum")
    waiting, waiting_csrf, waiting_id = _join(app, world.join_code, "Wendy Waiting")
    removed, removed_csrf, removed_id = _join(app, world.join_code, "Rex Removed")
    other_fam, other_csrf, other_fam_id = _join(app, world.other_join_code, "Olive Other")
    for pid in (pro_id, fam_id, removed_id):
        admit(pid)
    post(f"/api/v1/conferences/{a}/participants/{removed_id}/remove", {}, 200)
    post(f"/api/v1/conferences/{other_conference['id']}/participants/{other_fam_id}/admit", {}, 200)
    world.ids.update(professional=pro_id, family=fam_id, waiting=waiting_id, removed=removed_id)
    for role, client, csrf in (
        ("professional", pro, pro_csrf),
        ("family", fam, fam_csrf),
        ("waiting", waiting, waiting_csrf),
        ("removed", removed, removed_csrf),
        ("other_family", other_fam, other_csrf),
    ):
        world.credentials[role] = _credential(client, csrf)

    for role in ("anonymous", "invitee"):
        stranger = app.test_client()
        token = csrf_from_page(stranger.get("/login").get_data(as_text=True))
        world.credentials[role] = _credential(stranger, token)

    _live_meeting(app, world, chair, pro, fam)
    return world


def _live_meeting(app, world: World, chair, pro, fam) -> None:
    """Rounds, answers, a draft and an agreed action and a decision, through real events."""
    a = world.ids["conference"]
    console = socketio.test_client(app, flask_test_client=chair)
    phones = [socketio.test_client(app, flask_test_client=c) for c in (pro, fam)]
    for socket in (console, *phones):
        assert socket.emit("conference.join", {"conference_id": a}, callback=True)["ok"]

    def call(socket, event: str, payload: dict) -> dict:
        ack = socket.emit(event, payload, callback=True)
        assert ack["ok"], (event, ack)
        return ack

    first = call(console, "scale.open", {"child_id": world.ids["child"]})["round_id"]
    answers = [
        call(phone, "scale.submit", {"round_id": first, "score": 4, "reason": "r", "next_step": s})
        for phone, s in zip(phones, ("School to check in daily", "Mum to see the GP"), strict=True)
    ]
    call(console, "scale.close", {"round_id": first})
    call(console, "scale.reveal", {"round_id": first})
    world.ids["answer"] = answers[0]["answer"]["id"]
    draft = call(console, "action.draft", {"answer_id": answers[1]["answer"]["id"]})
    world.ids["draft_action"] = draft["action"]["id"]
    action = call(
        console,
        "action.add",
        {"what": "Dad to move out", "who": "Dad", "by_when": "Friday", "kind": "immediate"},
    )
    world.ids["action"] = action["action"]["id"]
    closed = call(console, "scale.open", {"child_id": world.ids["child2"]})["round_id"]
    call(console, "scale.close", {"round_id": closed})
    world.ids["closed_round"] = closed
    world.ids["open_round"] = call(console, "scale.open", {"child_id": None})["round_id"]
    call(
        console,
        "decision.record",
        {
            "child_id": world.ids["child"],
            "outcome": "cin_plan",
            "categories": [],
            "reasons": "Worries, but the family is working with us.",
        },
    )
    for socket in (console, *phones):
        socket.disconnect()


@dataclass
class Call:
    """What a cell sends: a JSON body or a form (the CSRF token is added), and whether an
    allowed role must succeed (2xx/3xx, or an ``ok`` ack) rather than only not be refused."""

    json: Any = None
    form: dict | None = None
    succeeds: bool = True


def _template() -> dict:
    body = json.loads((ROOT / "conference_room/data/templates/multi_agency.json").read_text())
    return {**body, "key": "council_report", "name": "Council report"}


def _on_behalf(role: str, payload: dict, who: int) -> dict:
    return {**payload, "on_behalf_of": who} if role in STAFF_ROLES else payload


# Sample requests that succeed on the world of build_world, by access-matrix row. A row
# without one is sent an empty object (or form) and its allowed roles need only not be refused.
SAMPLES: dict[str, Callable[[World, str], Call]] = {
    "POST /login": lambda w, r: Call(form={"email": w.chair_email, "password": PASSWORD}),
    "POST /logout": lambda w, r: Call(form={}),
    "POST /admin/settings": lambda w, r: Call(form={}, succeeds=False),
    "POST /conferences/new": lambda w, r: Call(form={}, succeeds=False),
    "POST /conferences/<int:conference_id>/edit": lambda w, r: Call(form={}, succeeds=False),
    "POST /conferences/<int:conference_id>/invitations": lambda w, r: Call(
        form={"name": "Nia Nurse", "agency": "Health"}
    ),
    "POST /j": lambda w, r: Call(form={"code": w.join_code, "name": "Nell", "who": "carer"}),
    "POST /j/<code>": lambda w, r: Call(form={"code": w.join_code, "name": "Nell", "who": "mum"}),
    "PUT /r/<token>/draft": lambda w, r: Call(json=complete_report()),
    "POST /r/<token>/draft": lambda w, r: Call(form=as_form(complete_report())),
    "POST /r/<token>/preview": lambda w, r: Call(json={"text": "Mum and *Dad*"}),
    "POST /r/<token>/submit": lambda w, r: Call(json=complete_report()),
    "POST /api/v1/session": lambda w, r: Call(json={"email": w.chair_email, "password": PASSWORD}),
    "PATCH /api/v1/settings": lambda w, r: Call(json={"protective_marking": "OFFICIAL"}),
    "POST /api/v1/templates": lambda w, r: Call(json=_template()),
    "POST /api/v1/conferences": lambda w, r: Call(json=conference_payload()),
    "PATCH /api/v1/conferences/<int:conference_id>": lambda w, r: Call(json={"title": "Renamed"}),
    "POST /api/v1/conferences/<int:conference_id>/reports": lambda w, r: Call(
        json={
            "author_name": "Gus GP",
            "agency": "Surgery",
            "role": "GP",
            "sections": {"worries": "Missed appointments"},
            "shared_with_family": True,
        }
    ),
    "POST /api/v1/conferences/<int:conference_id>/invitations": lambda w, r: Call(
        json={"name": "Ivy", "agency": "Police"}
    ),
    "POST /api/v1/join": lambda w, r: Call(
        json={"code": w.join_code, "name": "Nell", "role": "family"}
    ),
    "POST /api/v1/conferences/<int:conference_id>/participants": lambda w, r: Call(
        json={"name": "Grandad", "role": "family"}
    ),
    "POST /api/v1/conferences/<int:conference_id>/apologies": lambda w, r: Call(
        json={"name": "Dr Ash", "role": "professional", "agency": "Hospital"}
    ),
    # Corrections are for a closed record; conference A is still open (409).
    "POST /api/v1/conferences/<int:conference_id>/corrections": lambda w, r: Call(
        json={"text": "A correction"}, succeeds=False
    ),
}

EVENT_SAMPLES: dict[str, Callable[[World, str], Call]] = {
    "conference.join": lambda w, r: Call({"conference_id": w.ids["conference"]}),
    "stage.set": lambda w, r: Call({"stage": "welcome"}),
    "closed_session.start": lambda w, r: Call({}),
    # No closed session is running in the prepared meeting: ending one is a 409-like refusal.
    "closed_session.end": lambda w, r: Call({}, succeeds=False),
    "statement.read": lambda w, r: Call({"key": "confidentiality"}),
    # A round is already open (one at a time).
    "scale.open": lambda w, r: Call({"child_id": None}, succeeds=False),
    "scale.submit": lambda w, r: Call(
        _on_behalf(
            r, {"round_id": w.ids["open_round"], "score": 6, "reason": "Why"}, w.ids["family"]
        )
    ),
    "scale.close": lambda w, r: Call({"round_id": w.ids["open_round"]}),
    "scale.reveal": lambda w, r: Call({"round_id": w.ids["closed_round"]}),
    "action.draft": lambda w, r: Call({"answer_id": w.ids["answer"]}),
    "action.add": lambda w, r: Call(
        {"what": "Mum to call the GP", "who": "Mum", "by_when": "Monday", "kind": "immediate"}
    ),
    "action.update": lambda w, r: Call({"action_id": w.ids["action"], "what": "Dad to leave"}),
    "action.remove": lambda w, r: Call({"action_id": w.ids["action"]}),
    "action.accept": lambda w, r: Call({"action_id": w.ids["draft_action"]}),
    "action.reorder": lambda w, r: Call({"order": [w.ids["action"]]}, succeeds=False),
    "recommendation.submit": lambda w, r: Call(
        _on_behalf(
            r,
            {"child_id": w.ids["child2"], "plan": "cin_plan", "reason": "Support is working"},
            w.ids["professional"],
        )
    ),
    "decision.record": lambda w, r: Call(
        {
            "child_id": w.ids["child2"],
            "outcome": "cin_plan",
            "categories": [],
            "reasons": "Worries, and help is in place.",
        }
    ),
    "dissent.record": lambda w, r: Call({"child_id": w.ids["child"], "reason": "I disagree"}),
    "note.add": lambda w, r: Call({"stage": "sharing", "text": "Mum spoke about the move."}),
    # Ben has no decision yet, so closing is refused with decisions_missing.
    "conference.close": lambda w, r: Call({}, succeeds=False),
}
