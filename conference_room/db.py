"""Connections, pragmas, the serialised write transaction and the migrations runner."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .concurrency import (
    OwnThread,
    active_mode,
    new_event,
    new_lock,
    new_semaphore,
    run_blocking,
    spawn,
)

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
    commit_number: int = 0  # set by Writer.write: the COMMIT that ``durable`` waits for

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


def connect(
    path: str | Path,
    after_commit: Callable[[list], None] | None = None,
    synchronous: str = "FULL",
) -> Database:
    """Open ``path`` with our pragmas; ``after_commit`` receives each transaction's changes.

    ``synchronous="NORMAL"`` only for a connection whose commits are made durable by someone
    else (``Writer``, which fsyncs the WAL file itself before anyone is told a write is saved).
    """
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        # FULL: a write acknowledged to a phone survives a power cut, not only a crash
        # (NORMAL only where the Writer fsyncs before acknowledging, which keeps that promise).
        conn.execute(f"PRAGMA synchronous = {synchronous}")
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
    writer = getattr(db, "cr_writer", None)
    if writer is not None:
        with writer.write() as tx:
            yield tx
        # Committed: the others may see it now; the writer is answered once it is on disk.
        _dispatch(db, tx)
        writer.durable(tx)
        return
    tx = Tx(db)
    with _write_lock(db):
        _begin_immediate(db)
        try:
            yield tx
            # COMMIT waits for the disk (fsync, and now and then a WAL checkpoint): in an OS
            # thread, so the live meetings keep moving while it does; the write lock stays held.
            run_blocking(db.conn.execute, "COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
    _dispatch(db, tx)


def _dispatch(db: Database, tx: Tx) -> None:
    dispatch = getattr(db, "cr_after_commit", None)
    if dispatch is not None and tx.changes:
        dispatch(tx.changes)


@dataclass
class _Batch:
    """Write transactions that share one COMMIT."""

    db: Database
    members: int = 0
    done: Any = field(default_factory=new_event)
    error: BaseException | None = None
    number: int = 0  # the Writer's count of COMMITs once this one is made


def _commit(conn: sqlite3.Connection) -> None:
    conn.execute("COMMIT")


def fsync_file(path: str) -> None:
    """Wait until what has been written to ``path`` is on the disk (nothing if it is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        # SQLite removes the WAL file only when its last connection closes, after copying it
        # into the database file and syncing that: nothing of it is left to sync.
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Syncs:
    """fsyncs of one WAL file, shared: one wait for the disk covers every COMMIT made before it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.committed = 0  # COMMITs made by the Writer
        self.synced = 0  # COMMITs known to be on the disk
        self.running: Any = None  # an event, set when the fsync under way ends
        # fsync_file looked up at each call: the tests put theirs in its place.
        self.thread = OwnThread(lambda path: fsync_file(path))

    def count_commit(self) -> int:
        """Count a COMMIT just made; return its number for ``wait_for``."""
        self.committed += 1
        return self.committed

    def wait_for(self, number: int) -> None:
        """Return once COMMIT ``number`` is on the disk; raise DatabaseUnusable if it cannot be.

        Green threads switch only at the waits, so the checks below are safe there. Under the
        threading mode (tests) two threads may both start an fsync, or one may set ``synced``
        a little low: either only costs another fsync, never skips one that was needed.
        """
        while self.synced < number:
            running = self.running
            if running is not None:
                running.wait()  # it may have started before our COMMIT: then go round again
                continue
            self.running = running = new_event()
            covers = self.committed
            try:
                self.thread.call(self.path)
            except OSError as error:
                raise DatabaseUnusable(
                    f"The change may not have been saved: the disk failed ({error})."
                ) from None
            finally:
                self.running = None
                running.set()
            self.synced = max(self.synced, covers)


class Writer:
    """Where a pool's requests write: one after another, committed in batches, then synced.

    Each write runs in its own savepoint under the write lock. The last write of a queue
    commits: when twenty phones answer at once, the writes that queued behind the first are
    committed together. The connections are ``synchronous=NORMAL``: a COMMIT only hands the
    pages to the operating system (safe from a crash of this process, not yet from a power
    cut), so it runs on the event loop without waiting for the disk, and the change can be
    pushed to the room at once. ``durable`` then fsyncs the WAL file in an OS thread of its
    own (one fsync for every COMMIT before it) and ``transaction`` returns, and the writer is
    answered, only after that: what anyone is told is saved survives a power cut, as with FULL.
    """

    LONGEST_BATCH = 64  # writes; past this a batch commits though more are queued
    CHECKPOINT_EVERY = 1.0  # seconds

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = new_lock()
        self.batch: _Batch | None = None
        self.committing: _Batch | None = None  # the batch whose COMMIT is under way
        self.queued = 0  # writes waiting for the lock
        self._counting = new_lock()  # threads (tests) could lose an update of ``queued``
        self._idle: list[Database] = []
        self._open = True
        self._syncs: _Syncs | None = None  # made with the first connection (its WAL's name)
        self._green = active_mode() != "threading"
        if self._green:
            spawn(self._checkpoints)

    def _connection(self) -> Database:
        if self._idle:
            return self._idle.pop()
        db = connect(self.path, synchronous="NORMAL")  # made durable by ``durable``
        if self._syncs is None:
            # The WAL file's name as SQLite makes it: the database's full path (links
            # resolved) and "-wal".
            main = db.conn.execute("PRAGMA database_list").fetchone()[2]
            self._syncs = _Syncs(f"{main}-wal")
        if self._green:
            # SQLite copies the WAL back into the database inside the COMMIT that passes 1000
            # pages: a few hundred milliseconds. Done beside instead (_checkpoints).
            db.conn.execute("PRAGMA wal_autocheckpoint = 0")
        return db

    def _checkpoints(self) -> None:
        checkpointer = connect(self.path)
        try:
            while self._open:
                time.sleep(self.CHECKPOINT_EVERY)
                try:
                    # PASSIVE never waits for, nor blocks, readers and writers.
                    run_blocking(checkpointer.conn.execute, "PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    continue  # another process checkpointing, say: try again next time
        finally:
            checkpointer.conn.close()

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """Run one write in the open batch (opening one if needed); return after its COMMIT."""
        self._count(+1)
        try:
            self.lock.acquire()
        finally:
            self._count(-1)
        finish = False
        try:
            if self.batch is None:
                db = self._connection()
                try:
                    committing = self.committing
                    if committing is not None:
                        # SQLite lets the next batch begin once that COMMIT is on disk: wait for
                        # it here, woken as it ends, rather than retrying BEGIN every 5 ms.
                        committing.done.wait(timeout=WRITE_WAIT_SECONDS)
                    _begin_immediate(db)  # another process's write: short green sleeps
                except BaseException:
                    self._idle.append(db)
                    raise
                self.batch = _Batch(db)
            batch = self.batch
            conn = batch.db.conn
            conn.execute("SAVEPOINT tx")
            tx = Tx(batch.db)
            try:
                yield tx
            except BaseException:
                conn.execute("ROLLBACK TO tx")
                conn.execute("RELEASE tx")
                finish = self._last(batch)  # the last of the queue ends the batch for others
                raise
            conn.execute("RELEASE tx")
            batch.members += 1
            finish = self._last(batch)
        finally:
            self.lock.release()
            if finish:
                self._finish(batch)
        if not batch.done.wait(timeout=1.0):
            # The write that should have committed went away: commit what is waiting.
            with self.lock:
                finish = self.batch is batch
                if finish:
                    self.batch = None
            if finish:
                self._finish(batch)
            batch.done.wait()
        if batch.error is not None:
            raise DatabaseUnusable(f"The change was not saved: {batch.error}")
        tx.commit_number = batch.number

    def durable(self, tx: Tx) -> None:
        """Return once ``tx``'s COMMIT is on the disk (an fsync in an OS thread, shared)."""
        if tx.commit_number and self._syncs is not None:
            self._syncs.wait_for(tx.commit_number)

    def _count(self, step: int) -> None:
        with self._counting:
            self.queued += step

    def _last(self, batch: _Batch) -> bool:
        # Holding the lock: close the batch to newcomers when nobody else is queued for it.
        if self.queued and batch.members < self.LONGEST_BATCH:
            return False
        self.batch = None
        return True

    def _finish(self, batch: _Batch) -> None:
        conn = batch.db.conn
        try:
            if batch.members:
                self.committing = batch
                # No fsync (synchronous=NORMAL): quick, so on the event loop. Once SQLite
                # restarts the WAL file from its start it syncs the new header here, inline.
                _commit(conn)
                batch.number = self._syncs.count_commit()
            else:
                conn.execute("ROLLBACK")  # nothing in it: no need to wait for the disk
        except BaseException as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            batch.error = error
        finally:
            if self.committing is batch:
                self.committing = None
            self._idle.append(batch.db)
            batch.done.set()

    def close(self) -> None:
        """Close the writing connections (and stop the checkpoints and the fsync thread)."""
        self._open = False
        while self._idle:
            self._idle.pop().conn.close()
        if self._syncs is not None:
            self._syncs.thread.stop()


@contextmanager
def read_snapshot(db: Database) -> Iterator[Database]:
    """Read several tables as of one moment (a WAL read transaction; writers are not blocked)."""
    if db.conn.in_transaction:  # already inside a transaction: it is the snapshot
        yield db
        return
    db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")


def _load_migrations() -> Migrations:
    """Each migrations/mNNN_*.py gives ``apply(db)``, or ``STATEMENTS`` run in order."""
    migrations = Migrations("conference_room")
    for path in sorted(MIGRATIONS_DIR.glob("m[0-9][0-9][0-9]_*.py")):
        spec = importlib.util.spec_from_file_location(
            f"conference_room_migration_{path.stem}", path
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        migrations(name=path.stem)(getattr(module, "apply", None) or _run(module.STATEMENTS))
    return migrations


def _run(statements: tuple[str, ...]) -> Callable[[Database], None]:
    def apply(db: Database) -> None:
        for statement in statements:
            db.execute(statement)

    return apply


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


@contextmanager
def read_cache(db: Database) -> Iterator[Database]:
    """Inside a ``read_snapshot``: run each distinct query once (see queries.core.all_rows)."""
    db.cr_read_cache = {}
    try:
        yield db
    finally:
        db.cr_read_cache = None


class Pool:
    """Open connections to one database file, reused from one request to the next.

    Opening a connection runs its pragmas, and closing the last one to a WAL file checkpoints
    and fsyncs it: disk work that, under eventlet, would stall every live meeting each time.
    """

    MOST = 64  # connections in use at once; each costs about 300 KB once it has run queries
    WAIT = 5.0  # seconds a request waits for one before opening another anyway

    # Kept open when idle: as many as may be in use, since opening one (its pragmas, reading the
    # schema on its first query) cost a third of each answer's time when a burst needed more.
    def __init__(self, path: str, after_commit: Callable[[list], None] | None, size: int = MOST):
        self.path, self.after_commit, self.size = path, after_commit, size
        self._idle: list[Database] = []
        self._writer: Writer | None = None
        # A backlog of hundreds of requests (80 conferences answering at once) would otherwise
        # hold hundreds of connections; they take turns instead (a green wait).
        self._slots = new_semaphore(self.MOST)

    def take(self) -> Database:
        """Return an idle connection, or a new one."""
        slot = self._slots.acquire(timeout=self.WAIT)
        try:
            db = self._idle.pop()
        except IndexError:
            try:
                db = connect(self.path, after_commit=self.after_commit)
            except BaseException:
                if slot:
                    self._slots.release()
                raise
            if self._writer is None:
                self._writer = Writer(self.path)
            db.cr_writer = self._writer  # transaction(db) writes through the pool's writer
        db.cr_slot = slot
        return db

    def give(self, db: Database) -> None:
        """Keep ``db`` for the next request (or close it when enough are kept)."""
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        if len(self._idle) < self.size:
            self._idle.append(db)
        else:
            db.conn.close()
        if getattr(db, "cr_slot", False):
            db.cr_slot = False
            self._slots.release()

    def close(self) -> None:
        """Close every idle connection, and the writer."""
        while self._idle:
            self._idle.pop().conn.close()
        if self._writer is not None:
            self._writer.close()


def _pool() -> Pool:
    import weakref

    from flask import current_app

    pool = current_app.extensions.get("cr_db_pool")
    if pool is None:
        from .realtime import dispatch

        pool = current_app.extensions.setdefault(
            "cr_db_pool", Pool(current_app.config["DATABASE"], after_commit=dispatch)
        )
        weakref.finalize(current_app._get_current_object(), pool.close)
    return pool


def get_db() -> Database:
    """Return this request's (or socket event's) connection, taken from the app's pool."""
    from flask import g

    if "db" not in g:
        g.db = _pool().take()
    return g.db


def close_db(_error: BaseException | None = None) -> None:
    """Give this request's connection back to the pool, if one was taken."""
    from flask import g

    db = g.pop("db", None)
    if db is not None:
        _pool().give(db)
