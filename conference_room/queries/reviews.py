"""SQL for review conferences: what was carried forward, and each child's history."""

from __future__ import annotations

from sqlite_utils import Database

from .core import all_rows, one


def child(db: Database, child_id: int) -> dict | None:
    return one(db, "SELECT * FROM children WHERE id = ?", [child_id])


def children_with_identifier(db: Database, council_id: int, identifier: str) -> list[dict]:
    """The children of a council's closed conferences with this NHS or other ID."""
    return all_rows(
        db,
        "SELECT children.* FROM children "
        "JOIN conferences ON conferences.id = children.conference_id "
        "WHERE conferences.council_id = ? AND conferences.status = 'closed' "
        "AND children.identifier = ? ORDER BY conferences.scheduled_for",
        [council_id, identifier],
    )


def set_trend_child(db: Database, conference_id: int, child_id: int | None) -> None:
    db.execute("UPDATE conferences SET trend_child_id = ? WHERE id = ?", [child_id, conference_id])


def revealed_answers_for(db: Database, conference_id: int, child_id: int) -> list[dict]:
    """Every answer of the revealed rounds about one child (or all children together)."""
    return all_rows(
        db,
        "SELECT scale_rounds.id AS round_id, scale_rounds.child_id, scale_rounds.revealed_at, "
        "scale_answers.score, participants.role AS participant_role "
        "FROM scale_rounds "
        "LEFT JOIN scale_answers ON scale_answers.round_id = scale_rounds.id "
        "LEFT JOIN participants ON participants.id = scale_answers.participant_id "
        "WHERE scale_rounds.conference_id = ? AND scale_rounds.status = 'revealed' "
        "AND (scale_rounds.child_id = ? OR scale_rounds.child_id IS NULL) "
        "ORDER BY scale_rounds.id, scale_answers.id",
        [conference_id, child_id],
    )
