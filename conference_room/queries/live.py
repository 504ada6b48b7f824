"""SQL for the live meeting: participants, report reads, statements read, closed sessions."""

from __future__ import annotations

from sqlite_utils import Database

from .core import all_rows, insert, one, update


def participant(db: Database, participant_id: int) -> dict | None:
    return one(db, "SELECT * FROM participants WHERE id = ?", [participant_id])


def participant_by_token_hash(db: Database, token_hash: str) -> dict | None:
    return one(db, "SELECT * FROM participants WHERE token_hash = ?", [token_hash])


def participants(db: Database, conference_id: int) -> list[dict]:
    sql = "SELECT * FROM participants WHERE conference_id = ? ORDER BY id"
    return all_rows(db, sql, [conference_id])


def admitted_ids(db: Database, conference_id: int) -> set[int]:
    """The ids of the conference's admitted participants (read from the index alone)."""
    sql = "SELECT id FROM participants WHERE conference_id = ? AND status = 'admitted'"
    return {row["id"] for row in all_rows(db, sql, [conference_id])}


def insert_participant(db: Database, row: dict) -> int:
    return insert(db, "participants", row)


def update_participant(db: Database, participant_id: int, values: dict) -> None:
    update(db, "participants", participant_id, values)


def revoke_participant_tokens(db: Database, conference_id: int) -> None:
    """Make every attendee credential of a conference stop working."""
    db.execute("UPDATE participants SET token_hash = NULL WHERE conference_id = ?", [conference_id])


def record_report_read(db: Database, report_id: int, participant_id: int, at: str) -> bool:
    """Record the first time a participant opened a report; return whether it was the first."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO report_reads (report_id, participant_id, first_read_at) "
        "VALUES (?, ?, ?)",
        [report_id, participant_id, at],
    )
    return cursor.rowcount == 1


def report_reads(db: Database, conference_id: int) -> list[dict]:
    return all_rows(
        db,
        "SELECT report_reads.* FROM report_reads JOIN reports ON reports.id = report_id "
        "WHERE reports.conference_id = ? ORDER BY first_read_at",
        [conference_id],
    )


def statements_read(db: Database, conference_id: int) -> dict[str, str]:
    rows = all_rows(db, "SELECT * FROM statements_read WHERE conference_id = ?", [conference_id])
    return {row["statement_key"]: row["read_at"] for row in rows}


def mark_statement_read(db: Database, conference_id: int, key: str, at: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO statements_read (conference_id, statement_key, read_at) "
        "VALUES (?, ?, ?)",
        [conference_id, key, at],
    )


def unmark_statement_read(db: Database, conference_id: int, key: str) -> None:
    db.execute(
        "DELETE FROM statements_read WHERE conference_id = ? AND statement_key = ?",
        [conference_id, key],
    )


def open_closed_session(db: Database, conference_id: int) -> dict | None:
    return one(
        db,
        "SELECT * FROM closed_sessions WHERE conference_id = ? AND ended_at IS NULL",
        [conference_id],
    )


def closed_sessions(db: Database, conference_id: int) -> list[dict]:
    sql = "SELECT * FROM closed_sessions WHERE conference_id = ? ORDER BY id"
    return all_rows(db, sql, [conference_id])


def start_closed_session(db: Database, conference_id: int, at: str) -> None:
    insert(db, "closed_sessions", {"conference_id": conference_id, "started_at": at})


def end_closed_session(db: Database, conference_id: int, at: str) -> None:
    db.execute(
        "UPDATE closed_sessions SET ended_at = ? WHERE conference_id = ? AND ended_at IS NULL",
        [at, conference_id],
    )
