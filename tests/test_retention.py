"""Retention: `conference-room purge --closed-before DATE` leaves nothing of a purged conference.

A conference with something in every table (reports and their versions, reads, invitations,
people, scale rounds and answers, plan actions, recommendations, the decision, dissent, notes,
closed sessions, statements) is closed and purged through the real command. Every table of the
database is then searched (the list comes from SQLite itself, so a new table is searched too):
no row may point at the conference, and no text of it may remain anywhere, the audit log
included, which keeps only ids, action names and the deletion entry. The purge is one
transaction: when it fails half-way, nothing at all is deleted.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest

from conference_room import audit
from conference_room.realtime import socketio
from conference_room.rules import dates
from tests.conftest import ROOT, child, conference_payload
from tests.live_helpers import Phone, admit
from tests.report_helpers import complete_report

MARK = "PURGEMARK"


def _text(label: str) -> str:
    return f"{label} {MARK}"


def _purge(db_path, day: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "conference_room",
            "purge",
            "--closed-before",
            day,
            "--db",
            str(db_path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "CONFERENCE_ROOM_SECRET_KEY": "x"},
    )


def _tomorrow() -> str:
    return (dates.today_london() + timedelta(days=1)).isoformat()


def _closed_conference(app, chair, title: str = "Purgewell") -> dict:
    """A conference with a row in every table that hangs off it, then closed."""
    conference = chair.post(
        "/api/v1/conferences",
        json=conference_payload(
            title=_text(f"The {title} family"),
            venue=_text("Room 4"),
            children=[child(_text(f"Pip {title}"), school=_text("Oak School"))],
            family_members=[
                {"name": _text(f"Jo {title}"), "relationship": _text("mum"), "household": True}
            ],
        ),
    ).get_json()
    cid = conference["id"]
    base = f"/api/v1/conferences/{cid}"
    report = {
        "author_name": _text("Sam Teacher"),
        "agency": _text("Oak School"),
        "role": _text("Teacher"),
        "sections": {"worries": _text("worry")},
        "restricted": _text("police"),
        "shared_with_family": True,
    }
    assert chair.post(f"{base}/reports", json=report).status_code == 201
    invited = chair.post(
        f"{base}/invitations",
        json={"name": _text("Hana"), "agency": _text("GP"), "email": "hana@gp.example"},
    ).get_json()
    writer = app.test_client()
    link = "/r/" + invited["url"].rsplit("/r/", 1)[1]
    sent = writer.post(link + "/submit", json=complete_report(sections={"worries": _text("gp")}))
    assert sent.status_code == 200, sent.get_json()
    apology = {"name": _text("Dr Ash"), "role": "professional", "agency": _text("Hospital")}
    assert chair.post(f"{base}/apologies", json=apology).status_code == 201
    mum = Phone(app, conference["join_code"], _text("Jo"), relationship=_text("Mum"))
    pro = Phone(app, conference["join_code"], _text("Pat"), role="professional", agency=_text("HV"))
    for phone in (mum, pro):
        admit(chair, conference, phone)
        assert phone.join()["ok"]
    reports = pro.get(f"{base}/reports").get_json()
    assert pro.get(f"{base}/reports/{reports[0]['id']}").status_code == 200  # a read receipt
    console = socketio.test_client(app, flask_test_client=chair.client)

    def call(socket, event: str, payload: dict) -> dict:
        ack = socket.emit(event, payload, callback=True)
        assert ack["ok"], (event, ack)
        return ack

    call(console, "conference.join", {"conference_id": cid})
    call(console, "statement.read", {"key": "confidentiality"})
    call(console, "closed_session.start", {})
    call(console, "note.add", {"stage": "sharing", "text": _text("closed note")})
    call(console, "closed_session.end", {})
    child_id = conference["children"][0]["id"]
    round_id = call(console, "scale.open", {"child_id": child_id, "label": _text("round")})[
        "round_id"
    ]
    for phone in (mum, pro):
        answer = {
            "round_id": round_id,
            "score": 4,
            "reason": _text("why"),
            "next_step": _text("up"),
        }
        call(phone.socket.io, "scale.submit", answer)
    call(console, "scale.close", {"round_id": round_id})
    call(console, "scale.reveal", {"round_id": round_id})
    action = {
        "what": _text("do"),
        "who": _text("who"),
        "by_when": _text("when"),
        "kind": "immediate",
    }
    added = call(console, "action.add", action)["action"]
    call(console, "action.remove", {"action_id": added["id"]})
    call(console, "action.add", {**action, "how_we_know": _text("know")})
    rec = {"child_id": child_id, "plan": "cin_plan", "reason": _text("recommend")}
    call(pro.socket.io, "recommendation.submit", rec)
    decision = {
        "child_id": child_id,
        "outcome": "cin_plan",
        "categories": [],
        "reasons": _text("decided"),
        "lead_social_worker": _text("Lee"),
        "core_group_members": [_text("Core")],
    }
    call(console, "decision.record", decision)
    call(pro.socket.io, "dissent.record", {"child_id": child_id, "reason": _text("disagree")})
    call(console, "conference.close", {})
    for socket in (console, mum.socket.io, pro.socket.io):
        if socket.is_connected():
            socket.disconnect()
    return conference


def _tables(path) -> dict[str, list[dict]]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: [dict(row) for row in connection.execute(f'SELECT * FROM "{name}"')]
            for name in names
        }
    finally:
        connection.close()


def test_a_purged_conference_leaves_nothing_in_any_table(app, chair, db_path):
    purged = _closed_conference(app, chair)
    kept = chair.post("/api/v1/conferences", json=conference_payload(title="Kept family"))
    kept = kept.get_json()
    before = _tables(db_path)
    assert MARK in repr(before)  # the marker really is in the tables to begin with
    kept_rows = {
        table: [row for row in rows if row.get("conference_id") == kept["id"]]
        for table, rows in before.items()
    }

    result = _purge(db_path, _tomorrow())
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 conference" in result.stdout

    after = _tables(db_path)
    for table, rows in after.items():
        for row in rows:
            found = [column for column, value in row.items() if MARK in str(value)]
            assert not found, f"{table} still holds text of the purged conference in {found}"
            if table != "audit_events":
                assert row.get("conference_id") != purged["id"], f"{table} still points at it"
                assert row.get("reviews_id") != purged["id"], table
    # Rows of other tables that hung off it (through their parents) are gone too.
    for table, rows in before.items():
        if table not in ("audit_events", "councils", "users", "la_settings", "_migrations"):
            assert len(after[table]) <= len(rows), table
    for table, rows in kept_rows.items():
        if table != "audit_events":
            assert [r for r in after[table] if r.get("conference_id") == kept["id"]] == rows


def test_the_purge_is_audited_and_the_chain_still_verifies(app, chair, db, db_path):
    purged = _closed_conference(app, chair)
    assert _purge(db_path, _tomorrow()).returncode == 0
    entries = list(db.query("SELECT * FROM audit_events WHERE action = 'conference.purge'"))
    assert [entry["conference_id"] for entry in entries] == [purged["id"]]
    assert entries[0]["actor_type"] == "system"
    assert audit.verify(db).ok
    # What the log keeps of the purged conference: who (staff by name, others by id), what, when.
    for entry in db.query("SELECT * FROM audit_events WHERE conference_id = ?", [purged["id"]]):
        if entry["actor_type"] != "user":
            assert entry["actor_name"] in ("", "conference-room"), entry


def test_the_purge_is_one_transaction(app, chair, db, db_path):
    first = _closed_conference(app, chair, "Firstly")
    second = _closed_conference(app, chair, "Secondly")
    before = _tables(db_path)
    # Make deleting the second one fail half-way, as a full disk or a bug would.
    db.execute(
        "CREATE TRIGGER stop_purge BEFORE DELETE ON conferences WHEN old.id = "
        f"{second['id']} BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    result = _purge(db_path, _tomorrow())
    assert result.returncode != 0
    db.execute("DROP TRIGGER stop_purge")
    assert _tables(db_path) == before  # the first conference, deleted before the failure, is back
    ids = {row["id"] for row in db.query("SELECT id FROM conferences")}
    assert {first["id"], second["id"]} <= ids


@pytest.mark.parametrize("day", ["2020-01-01"])
def test_conferences_closed_after_the_date_are_kept(app, chair, db_path, day):
    _closed_conference(app, chair)
    before = _tables(db_path)
    result = _purge(db_path, day)
    assert result.returncode == 0 and "Deleted 0 conference" in result.stdout, result.stdout
    assert _tables(db_path) == before
