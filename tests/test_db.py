"""db.py: pragmas, migrations, the serialised write transaction, and the schema's refusals."""

import os
import sqlite3

import pytest

from conference_room import db as database


def test_fresh_database_gets_the_whole_schema(db):
    tables = set(db.table_names())
    expected = {
        "councils",
        "la_settings",
        "users",
        "conferences",
        "children",
        "family_members",
        "participants",
        "invitations",
        "reports",
        "report_versions",
        "report_reads",
        "scale_rounds",
        "scale_answers",
        "plan_actions",
        "recommendations",
        "decisions",
        "dissents",
        "notes",
        "audit_events",
        "closed_sessions",
        "statements_read",
    }
    assert expected <= tables


def test_upgrading_twice_is_a_no_op(db_path):
    connection = database.connect(db_path)
    before = connection.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert database.upgrade(connection) == []
    after = connection.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert before == after == len(database.MIGRATIONS._migrations)


def test_fresh_upgrade_applies_every_migration(tmp_path):
    applied = database.upgrade(database.connect(tmp_path / "new.db"))
    assert applied == [m.name for m in database.MIGRATIONS._migrations]


def test_connection_pragmas(db):
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == database.BUSY_TIMEOUT_MS


def test_a_file_that_is_not_sqlite_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("this is a shopping list, not a database\n" * 50)
    with pytest.raises(database.DatabaseUnusable, match="is not a conference_room database"):
        database.connect(path)


def test_a_newer_schema_is_refused(db):
    db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('conference_room', 'm999_from_the_future', '2030-01-01')"
    )
    with pytest.raises(database.DatabaseUnusable, match="newer schema"):
        database.check_schema(db)


def test_the_app_refuses_to_start_on_a_newer_schema(db, db_path):
    from conference_room import create_app

    db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('conference_room', 'm999_from_the_future', '2030-01-01')"
    )
    with pytest.raises(database.DatabaseUnusable, match="newer schema"):
        create_app({"TESTING": True, "DATABASE": str(db_path), "ASYNC_MODE": "threading"})


def test_the_app_refuses_a_database_that_needs_upgrading(tmp_path):
    from conference_room import create_app

    with pytest.raises(database.DatabaseUnusable, match="conference-room db upgrade"):
        create_app({"TESTING": True, "DATABASE": str(tmp_path / "old.db")})


def test_a_failed_transaction_writes_nothing_and_dispatches_nothing(db_path):
    seen = []
    connection = database.connect(db_path, after_commit=seen.extend)
    with pytest.raises(RuntimeError):
        with database.transaction(connection) as tx:
            connection.execute(
                "INSERT INTO councils (name, created_at) VALUES ('Half Council', 'now')"
            )
            tx.changed("council added")
            raise RuntimeError("boom")
    assert connection.execute("SELECT count(*) FROM councils").fetchone()[0] == 0
    assert seen == []


def test_changes_are_dispatched_only_after_commit(db_path):
    observed = []

    def after_commit(changes):
        # A second connection must already see the row: the commit came first.
        other = database.connect(db_path)
        count = other.execute("SELECT count(*) FROM councils").fetchone()[0]
        observed.append((changes, count))

    connection = database.connect(db_path, after_commit=after_commit)
    with database.transaction(connection) as tx:
        connection.execute("INSERT INTO councils (name, created_at) VALUES ('Whole', 'now')")
        tx.changed("council added")
    assert observed == [(["council added"], 1)]


def test_a_writer_waits_for_another_process_lock_instead_of_failing(db_path):
    blocker = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    connection = database.connect(db_path)

    import threading

    release = threading.Timer(0.3, lambda: blocker.execute("COMMIT"))
    release.start()
    with database.transaction(connection):
        connection.execute("INSERT INTO councils (name, created_at) VALUES ('Patient', 'now')")
    release.join()
    assert connection.execute("SELECT count(*) FROM councils").fetchone()[0] == 1


def test_the_next_batch_begins_when_the_last_commit_ends_not_during_it(db_path, monkeypatch):
    import threading

    writer = database.Writer(str(db_path))
    committing, release = threading.Event(), threading.Event()
    real_commit, real_begin = database._commit, database._begin_immediate

    def slow_commit(conn):
        if not release.is_set():
            committing.set()
            assert release.wait(5)
        return real_commit(conn)

    began_during_commit = []

    def begin(db):
        began_during_commit.append(committing.is_set() and not release.is_set())
        real_begin(db)

    monkeypatch.setattr(database, "_commit", slow_commit)
    monkeypatch.setattr(database, "_begin_immediate", begin)

    def write(name: str) -> None:
        with writer.write() as tx:
            tx.db.execute("INSERT INTO councils (name, created_at) VALUES (?, 'now')", [name])

    first = threading.Thread(target=write, args=("First",))
    first.start()
    assert committing.wait(5)
    second = threading.Thread(target=write, args=("Second",))
    second.start()
    second.join(0.2)
    # It waits for the first COMMIT (green in the server), instead of trying BEGIN against a
    # database that is still locked and retrying every 5 ms.
    assert second.is_alive() and began_during_commit == [False]
    release.set()
    first.join(5)
    second.join(5)
    assert began_during_commit == [False, False]
    check = database.connect(db_path)
    names = [row[0] for row in check.execute("SELECT name FROM councils ORDER BY id")]
    assert names == ["First", "Second"]
    writer.close()


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        (
            "INSERT INTO users (council_id, email, name, role, password_hash, created_at) "
            "VALUES (?, 'a@b.c', 'A', 'boss', 'x', 'now')",
            "council",
        ),
        ("UPDATE conferences SET stage = 'party' WHERE id = ?", "conference"),
        (
            "INSERT INTO scale_rounds (conference_id, status, opened_at) "
            "VALUES (?, 'maybe', 'now')",
            "conference",
        ),
        ("INSERT INTO children (conference_id, name) VALUES (999, 'Nobody')", None),
        (
            "INSERT INTO decisions (conference_id, child_id, outcome, reasons, decided_at) "
            "SELECT conference_id, id, 'cp_plan', '   ', 'now' FROM children "
            "WHERE conference_id = ?",
            "conference",
        ),
    ],
)
def test_the_schema_refuses_nonsense(db, council_id, sql, params):
    db.execute(
        "INSERT INTO conferences (id, council_id, kind, title, scheduled_for, join_code, "
        "created_at) VALUES (1, ?, 'initial', 'T', '2030-01-01', 'CODE', 'now')",
        [council_id],
    )
    db.execute("INSERT INTO children (conference_id, name) VALUES (1, 'Amy')")
    args = {"council": [council_id], "conference": [1], None: []}[params]
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(sql, args)


@pytest.mark.parametrize("score", [11, -1, 3.5, "seven", None])
def test_scores_outside_0_to_10_or_not_whole_are_refused(db, council_id, score):
    db.execute(
        "INSERT INTO conferences (id, council_id, kind, title, scheduled_for, join_code, "
        "created_at) VALUES (1, ?, 'initial', 'T', '2030-01-01', 'CODE', 'now')",
        [council_id],
    )
    db.execute(
        "INSERT INTO participants (id, conference_id, name, role) VALUES (1, 1, 'P', 'family')"
    )
    db.execute("INSERT INTO scale_rounds (id, conference_id, opened_at) VALUES (1, 1, 'now')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO scale_answers (round_id, participant_id, score, reason, created_at, "
            "updated_at) VALUES (1, 1, ?, 'because', 'now', 'now')",
            [score],
        )


def test_a_write_is_pushed_once_committed_and_returns_only_once_on_the_disk(db_path, monkeypatch):
    # The pool's writer commits with synchronous=NORMAL (no fsync), pushes, then fsyncs the
    # WAL file itself: whoever wrote is answered only when the write would survive a power cut.
    events = []
    real_fsync = database.fsync_file

    def fsync(path):
        events.append(("fsync", path))
        real_fsync(path)

    def after_commit(changes):
        other = database.connect(db_path)
        count = other.execute("SELECT count(*) FROM councils").fetchone()[0]
        events.append(("pushed", changes, count))

    monkeypatch.setattr(database, "fsync_file", fsync)
    pool = database.Pool(str(db_path), after_commit=after_commit)
    db = pool.take()
    with database.transaction(db) as tx:
        tx.db.execute("INSERT INTO councils (name, created_at) VALUES ('Durable', 'now')")
        tx.changed("council added")
    wal = str(db_path.resolve()) + "-wal"
    assert events == [("pushed", ["council added"], 1), ("fsync", wal)]
    assert db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: readers, CLI
    writing = pool._writer._idle[0]
    assert writing.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    pool.give(db)
    pool.close()


def test_one_fsync_covers_every_commit_made_before_it(monkeypatch):
    calls = []
    monkeypatch.setattr(database, "fsync_file", calls.append)
    syncs = database._Syncs("the-wal")
    syncs.committed = 3
    syncs.wait_for(2)
    syncs.wait_for(3)  # the fsync came after the third COMMIT: it covers it too
    syncs.wait_for(0)
    assert calls == ["the-wal"]
    syncs.committed = 4
    syncs.wait_for(4)
    assert calls == ["the-wal", "the-wal"]


def test_a_failed_fsync_is_an_error_for_the_writer_not_an_acknowledgement(db_path, monkeypatch):
    def broken(path):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(database, "fsync_file", broken)
    pool = database.Pool(str(db_path), after_commit=None)
    db = pool.take()
    with pytest.raises(database.DatabaseUnusable, match="may not have been saved"):
        with database.transaction(db) as tx:
            tx.db.execute("INSERT INTO councils (name, created_at) VALUES ('Unsure', 'now')")
    pool.give(db)
    pool.close()


def test_fsync_file_syncs_a_real_file_and_passes_over_a_missing_one(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    there = tmp_path / "there-wal"
    there.write_bytes(b"frames")
    database.fsync_file(str(there))
    database.fsync_file(str(tmp_path / "gone-wal"))  # SQLite removed it: nothing to sync
    assert synced == [str(there.resolve())]


def test_looking_for_a_resent_answer_reads_only_that_conferences_answers_in_the_log(db):
    """Every answer checks its client_id against the conference's earlier scale.submit entries
    (queries.scale_client_id_used): by the partial index of migration m005, one lookup by
    conference and client_id, not through every answer (or every entry) the conference has."""
    from conference_room import queries

    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        assert not queries.scale_client_id_used(db, 1, 1, 1, "phone-1")
    finally:
        db.conn.set_trace_callback(None)
    (sql,) = [s for s in statements if "audit_events" in s]
    plan = " ".join(row[3] for row in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "audit_events_answer_client_id (conference_id=? AND <expr>=?)" in plan, plan
