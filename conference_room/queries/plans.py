"""SQL for the safety plan's actions."""

from __future__ import annotations

from sqlite_utils import Database

from .core import all_rows, insert, one, update


def insert_plan_action(db: Database, row: dict) -> int:
    return insert(db, "plan_actions", row)


def plan_action(db: Database, action_id: int) -> dict | None:
    return one(db, "SELECT * FROM plan_actions WHERE id = ?", [action_id])


def plan_actions(db: Database, conference_id: int) -> list[dict]:
    sql = "SELECT * FROM plan_actions WHERE conference_id = ? ORDER BY position, id"
    return all_rows(db, sql, [conference_id])


def update_plan_action(db: Database, action_id: int, values: dict) -> None:
    update(db, "plan_actions", action_id, values)


def delete_plan_action(db: Database, action_id: int) -> None:
    db.execute("DELETE FROM plan_actions WHERE id = ?", [action_id])


def next_plan_position(db: Database, conference_id: int) -> int:
    row = one(
        db,
        "SELECT COALESCE(MAX(position), -1) + 1 AS next FROM plan_actions WHERE conference_id = ?",
        [conference_id],
    )
    return row["next"] if row else 0


def plan_action_from_answer(db: Database, answer_id: int) -> dict | None:
    rows = all_rows(db, "SELECT * FROM plan_actions WHERE source_answer_id = ?", [answer_id])
    return rows[0] if rows else None
