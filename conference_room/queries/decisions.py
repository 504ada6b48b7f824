"""SQL for recommendations, decisions, dissent and the minute-taker's notes."""

from __future__ import annotations

from sqlite_utils import Database

from .core import all_rows, insert, one, update

# -- recommendations ------------------------------------------------------------------------


def recommendations(db: Database, conference_id: int) -> list[dict]:
    sql = "SELECT * FROM recommendations WHERE conference_id = ? ORDER BY agency, id"
    return all_rows(db, sql, [conference_id])


def recommendation_of(db: Database, child_id: int, participant_id: int) -> dict | None:
    sql = "SELECT * FROM recommendations WHERE child_id = ? AND participant_id = ?"
    return one(db, sql, [child_id, participant_id])


def insert_recommendation(db: Database, row: dict) -> int:
    return insert(db, "recommendations", row)


def update_recommendation(db: Database, recommendation_id: int, values: dict) -> None:
    update(db, "recommendations", recommendation_id, values)


# -- decisions ------------------------------------------------------------------------------


def decisions(db: Database, conference_id: int) -> list[dict]:
    sql = "SELECT * FROM decisions WHERE conference_id = ? ORDER BY id"
    return all_rows(db, sql, [conference_id])


def decision_for(db: Database, child_id: int) -> dict | None:
    return one(db, "SELECT * FROM decisions WHERE child_id = ?", [child_id])


def insert_decision(db: Database, row: dict) -> int:
    return insert(db, "decisions", row)


def update_decision(db: Database, decision_id: int, values: dict) -> None:
    update(db, "decisions", decision_id, values)


# -- dissent --------------------------------------------------------------------------------


def dissents(db: Database, conference_id: int) -> list[dict]:
    sql = "SELECT * FROM dissents WHERE conference_id = ? ORDER BY id"
    return all_rows(db, sql, [conference_id])


def insert_dissent(db: Database, row: dict) -> int:
    return insert(db, "dissents", row)


# -- notes ----------------------------------------------------------------------------------


def notes(db: Database, conference_id: int) -> list[dict]:
    sql = "SELECT * FROM notes WHERE conference_id = ? ORDER BY id"
    return all_rows(db, sql, [conference_id])


def note(db: Database, note_id: int) -> dict | None:
    return one(db, "SELECT * FROM notes WHERE id = ?", [note_id])


def insert_note(db: Database, row: dict) -> int:
    return insert(db, "notes", row)


# -- closing --------------------------------------------------------------------------------


def close_conference(db: Database, conference_id: int, at: str) -> None:
    db.execute(
        "UPDATE conferences SET status = 'closed', closed_session = 0, closed_at = ? WHERE id = ?",
        [at, conference_id],
    )


def end_open_closed_sessions(db: Database, conference_id: int, at: str) -> None:
    db.execute(
        "UPDATE closed_sessions SET ended_at = ? WHERE conference_id = ? AND ended_at IS NULL",
        [at, conference_id],
    )


def close_open_scale_rounds(db: Database, conference_id: int, at: str) -> None:
    db.execute(
        "UPDATE scale_rounds SET status = 'closed', closed_at = ? "
        "WHERE conference_id = ? AND status = 'open'",
        [at, conference_id],
    )
