"""Connections, pragmas, the serialised write transaction and the migrations runner."""

from __future__ import annotations

import importlib.util
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .concurrency import new_lock

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
BUSY_TIMEOUT_MS = 5000
WRITE_WAIT_SECONDS = 10.0


class DatabaseUnusable(Exception):
    """The database file cannot be used; the message says why in a sentence."""


@dataclass
class Tx:
    """An open write transaction and the changes to dispatch once it commits."""

    db: Database
    changes: list[Any] = field(default_factory=list)

    def changed(self, change: Any) -> None:
        """Queue ``change`` for dispatch after the commit."""
        self.changes.append(change)


# One lock per database file: writes in this process queue here (a green wait under
# eventlet/gevent) instead of inside SQLite, whose lock wait would block every green thread.
_write_locks: dict[str, Any] = {}


def _write_lock(db: Database) -> Any:
    key = getattr(db, "cr_path", ":memory:")
    lock = _write_locks.get(key)
    if lock is None:
        lock = _write_locks.setdefault(key, new_lock())
    return lock


def connect(path: str | Path, after_commit: Callable[[list], None] | None = None) -> Database:
    """Open ``path`` with our pragmas; ``after_commit`` receives each transaction's changes."""
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        # FULL: a write acknowledged to a phone survives a power cut, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as error:
        conn.close()
        raise DatabaseUnusable(
            f"{path} is not a conference_room database (SQLite said: {error}). "
            "Point CONFERENCE_ROOM_DATABASE or --db at the right file."
        ) from None
    db = Database(conn)
    db.cr_path = str(Path(path).resolve()) if path != ":memory:" else f":memory:{id(conn)}"
    db.cr_after_commit = after_commit
    return db


def _begin_immediate(db: Database) -> None:
    # Another process may hold SQLite's write lock: wait for it with short green sleeps.
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    db.conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                db.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.005)
    finally:
        db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextmanager
def transaction(db: Database) -> Iterator[Tx]:
    """Run one short write transaction, serialised; dispatch its changes after COMMIT."""
    tx = Tx(db)
    with _write_lock(db):
        _begin_immediate(db)
        try:
            yield tx
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
    dispatch = getattr(db, "cr_after_commit", None)
    if dispatch is not None and tx.changes:
        dispatch(tx.changes)


def _load_migrations() -> Migrations:
    migrations = Migrations("conference_room")
    for path in sorted(MIGRATIONS_DIR.glob("m[0-9][0-9][0-9]_*.py")):
        spec = importlib.util.spec_from_file_location(
            f"conference_room_migration_{path.stem}", path
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        migrations(name=path.stem)(module.apply)
    return migrations


MIGRATIONS = _load_migrations()


def check_schema(db: Database) -> list[str]:
    """Return the pending migrations; refuse a database written by a newer version."""
    known = {m.name for m in MIGRATIONS._migrations}
    try:
        applied = [m.name for m in MIGRATIONS.applied(db)]
    except sqlite3.DatabaseError as error:
        raise DatabaseUnusable(f"The database cannot be read (SQLite said: {error}).") from None
    newer = [name for name in applied if name not in known]
    if newer:
        raise DatabaseUnusable(
            f"This database has a newer schema than this version of conference_room "
            f"(it has migration {newer[0]}, which this code does not know). "
            "Run the newer version, or restore a backup made by this one."
        )
    return [m.name for m in MIGRATIONS.pending(db)]


def upgrade(db: Database) -> list[str]:
    """Apply pending migrations and return their names; applying twice does nothing."""
    pending = check_schema(db)
    if pending:
        with _write_lock(db):
            MIGRATIONS.apply(db)
    return pending


def get_db() -> Database:
    """Return this request's (or socket event's) connection, opening it on first use."""
    from flask import current_app, g

    if "db" not in g:
        from .realtime import dispatch

        g.db = connect(current_app.config["DATABASE"], after_commit=dispatch)
    return g.db


def close_db(_error: BaseException | None = None) -> None:
    """Close this request's connection, if one was opened."""
    from flask import g

    db = g.pop("db", None)
    if db is not None:
        db.conn.close()
