"""audit.py and `conference-room audit verify`: the hash chain finds any tampering."""

import sqlite3

import pytest
from click.testing import CliRunner

from conference_room import audit
from conference_room.access import SYSTEM
from conference_room.cli import main
from conference_room.db import transaction


def _write_events(db, count=4):
    for number in range(count):
        with transaction(db) as tx:
            audit.record(tx, SYSTEM, "test.event", None, {"n": number})


def _tamper(db, sql, params=()):
    # An attacker with the file can drop the append-only triggers; the chain still tells.
    db.execute("DROP TRIGGER audit_events_no_update")
    db.execute("DROP TRIGGER audit_events_no_delete")
    db.execute(sql, params)


def test_an_untouched_chain_verifies(db):
    _write_events(db)
    verdict = audit.verify(db)
    assert verdict.ok and verdict.checked == 4


def test_the_log_refuses_updates_and_deletes(db):
    _write_events(db, 1)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_events SET action = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_events")


def test_an_edited_entry_is_found(db):
    _write_events(db)
    _tamper(db, "UPDATE audit_events SET detail = '{\"n\": 99}' WHERE id = 3")
    verdict = audit.verify(db)
    assert not verdict.ok and verdict.bad_id == 3


def test_a_deleted_entry_is_found(db):
    _write_events(db)
    _tamper(db, "DELETE FROM audit_events WHERE id = 2")
    verdict = audit.verify(db)
    assert not verdict.ok and verdict.bad_id == 3 and "missing" in verdict.problem


def test_reordered_entries_are_found(db):
    _write_events(db)
    rows = list(db.query("SELECT * FROM audit_events WHERE id IN (2, 3) ORDER BY id"))
    _tamper(db, "DELETE FROM audit_events WHERE id IN (2, 3)")
    for row, new_id in zip(rows, (3, 2), strict=True):
        db.execute(
            "INSERT INTO audit_events (id, at, actor_type, actor_id, actor_name, action, "
            "conference_id, detail, prev_hash, hash) VALUES (:id, :at, :actor_type, :actor_id, "
            ":actor_name, :action, :conference_id, :detail, :prev_hash, :hash)",
            {**row, "id": new_id},
        )
    verdict = audit.verify(db)
    assert not verdict.ok and verdict.bad_id == 2


def test_cli_verify_exits_1_and_names_the_bad_entry(db, db_path):
    _write_events(db)
    runner = CliRunner()
    good = runner.invoke(main, ["audit", "verify", "--db", str(db_path)])
    assert good.exit_code == 0 and "intact (4 entries)" in good.output
    _tamper(db, "UPDATE audit_events SET actor_name = 'someone else' WHERE id = 2")
    bad = runner.invoke(main, ["audit", "verify", "--db", str(db_path)])
    assert bad.exit_code == 1
    assert "audit entry 2 is bad" in bad.output


def test_signing_in_is_audited(db, staff):
    staff("chair")
    actions = [event["action"] for event in db.query("SELECT action FROM audit_events")]
    assert "user.create" in actions and "session.create" in actions
