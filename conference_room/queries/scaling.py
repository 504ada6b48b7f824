"""SQL for the safety scale: rounds and answers."""

from __future__ import annotations

from sqlite_utils import Database

from .core import all_rows, insert, one, returning, update


def scale_round(db: Database, round_id: int) -> dict | None:
    return one(db, "SELECT * FROM scale_rounds WHERE id = ?", [round_id])


def scale_rounds(db: Database, conference_id: int) -> list[dict]:
    sql = "SELECT * FROM scale_rounds WHERE conference_id = ? ORDER BY id"
    return all_rows(db, sql, [conference_id])


def open_scale_round(db: Database, conference_id: int) -> dict | None:
    return one(
        db,
        "SELECT * FROM scale_rounds WHERE conference_id = ? AND status = 'open' ORDER BY id",
        [conference_id],
    )


def insert_scale_round(db: Database, row: dict) -> int:
    return insert(db, "scale_rounds", row)


def update_scale_round(db: Database, round_id: int, values: dict) -> None:
    update(db, "scale_rounds", round_id, values)


def scale_answer(db: Database, answer_id: int) -> dict | None:
    return one(db, "SELECT * FROM scale_answers WHERE id = ?", [answer_id])


def scale_answer_of(db: Database, round_id: int, participant_id: int) -> dict | None:
    return one(
        db,
        "SELECT * FROM scale_answers WHERE round_id = ? AND participant_id = ?",
        [round_id, participant_id],
    )


def save_scale_answer(db: Database, row: dict) -> dict:
    """Insert an answer, or replace that participant's answer in the round; return it as stored."""
    return returning(
        db,
        "INSERT INTO scale_answers (round_id, participant_id, score, reason, next_step, "
        "client_id, entered_by_user_id, created_at, updated_at) VALUES (:round_id, "
        ":participant_id, :score, :reason, :next_step, :client_id, :entered_by_user_id, :at, :at) "
        "ON CONFLICT (round_id, participant_id) DO UPDATE SET score = excluded.score, "
        "reason = excluded.reason, next_step = excluded.next_step, "
        "client_id = excluded.client_id, entered_by_user_id = excluded.entered_by_user_id, "
        "updated_at = excluded.updated_at RETURNING *",
        row,
    )


def scale_client_id_used(
    db: Database, conference_id: int, round_id: int, participant_id: int, client_id: str
) -> bool:
    """Return whether this participant's answer with ``client_id`` was already stored.

    Looks in the audit log, which keeps every stored answer's client_id (not only the latest),
    so a late resend of an older answer cannot overwrite a newer one.
    """
    row = one(
        db,
        "SELECT 1 AS found FROM audit_events WHERE conference_id = ? AND action = 'scale.submit' "
        "AND json_extract(detail, '$.round_id') = ? "
        "AND json_extract(detail, '$.participant_id') = ? "
        "AND json_extract(detail, '$.client_id') = ? LIMIT 1",
        [conference_id, round_id, participant_id, client_id],
    )
    return row is not None


def scale_answers(db: Database, conference_id: int, revealed_only: bool = False) -> list[dict]:
    """Every answer in the conference (or in its revealed rounds only) with the participant's
    name and role and any proxy."""
    revealed = "AND scale_rounds.status = 'revealed' " if revealed_only else ""
    return all_rows(
        db,
        "SELECT scale_answers.*, participants.name AS participant_name, "
        "participants.role AS participant_role, users.name AS entered_by_name "
        "FROM scale_answers JOIN scale_rounds ON scale_rounds.id = scale_answers.round_id "
        "JOIN participants ON participants.id = scale_answers.participant_id "
        "LEFT JOIN users ON users.id = scale_answers.entered_by_user_id "
        f"WHERE scale_rounds.conference_id = ? {revealed}ORDER BY scale_answers.id",
        [conference_id],
    )


def scale_answer_marks(db: Database, conference_id: int) -> list[dict]:
    """Who answered in which round, and the score: no names or reasons (a live push after an
    answer reads this, and the whole answers only of rounds already revealed)."""
    return all_rows(
        db,
        "SELECT scale_answers.round_id, scale_answers.participant_id, scale_answers.score "
        "FROM scale_answers JOIN scale_rounds ON scale_rounds.id = scale_answers.round_id "
        "WHERE scale_rounds.conference_id = ? ORDER BY scale_answers.id",
        [conference_id],
    )


def scale_answers_by(db: Database, conference_id: int, participant_id: int) -> list[dict]:
    """One participant's answers in every round of the conference."""
    return all_rows(
        db,
        "SELECT scale_answers.* FROM scale_answers "
        "JOIN scale_rounds ON scale_rounds.id = scale_answers.round_id "
        "WHERE scale_rounds.conference_id = ? AND scale_answers.participant_id = ? "
        "ORDER BY scale_answers.round_id",
        [conference_id, participant_id],
    )
