"""SQL for invitations, reports and their versions."""

from __future__ import annotations

import json

from sqlite_utils import Database

from .core import all_rows, insert, one, update

# -- invitations ----------------------------------------------------------------------------


def insert_invitation(db: Database, row: dict) -> int:
    return insert(db, "invitations", row)


def invitation_by_token_hash(db: Database, token_hash: str) -> dict | None:
    return one(db, "SELECT * FROM invitations WHERE token_hash = ?", [token_hash])


def invitations(db: Database, conference_id: int) -> list[dict]:
    return all_rows(
        db, "SELECT * FROM invitations WHERE conference_id = ? ORDER BY id", [conference_id]
    )


# -- reports and report_versions ------------------------------------------------------------


def _report_row(row: dict | None) -> dict | None:
    if row is not None:
        row["sections"] = json.loads(row["sections"])
        row["draft"] = json.loads(row["draft"]) if row.get("draft") else None
    return row


def report(db: Database, report_id: int) -> dict | None:
    return _report_row(one(db, "SELECT * FROM reports WHERE id = ?", [report_id]))


def report_for_invitation(db: Database, invitation_id: int) -> dict | None:
    return _report_row(one(db, "SELECT * FROM reports WHERE invitation_id = ?", [invitation_id]))


def reports(db: Database, conference_id: int) -> list[dict]:
    rows = all_rows(
        db, "SELECT * FROM reports WHERE conference_id = ? ORDER BY id", [conference_id]
    )
    return [_report_row(row) for row in rows]


def insert_report(db: Database, row: dict) -> int:
    return insert(db, "reports", {**row, "sections": json.dumps(row["sections"])})


def update_report(db: Database, report_id: int, values: dict) -> None:
    if "sections" in values:
        values = {**values, "sections": json.dumps(values["sections"])}
    update(db, "reports", report_id, values)


def insert_report_version(db: Database, report_id: int, version: int, body: dict, at: str) -> None:
    insert(
        db,
        "report_versions",
        {"report_id": report_id, "version": version, "body": json.dumps(body), "saved_at": at},
    )


def report_versions(db: Database, report_id: int) -> list[dict]:
    rows = all_rows(
        db, "SELECT * FROM report_versions WHERE report_id = ? ORDER BY version", [report_id]
    )
    return [{**row, "body": json.loads(row["body"])} for row in rows]


# -- invitations (more) and drafts ------------------------------------------------------------


def invitation(db: Database, invitation_id: int) -> dict | None:
    return one(db, "SELECT * FROM invitations WHERE id = ?", [invitation_id])


def set_invitation_token(db: Database, invitation_id: int, token_hash: str) -> None:
    db.execute("UPDATE invitations SET token_hash = ? WHERE id = ?", [token_hash, invitation_id])


def revoke_invitation(db: Database, invitation_id: int, at: str) -> None:
    db.execute(
        "UPDATE invitations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        [at, invitation_id],
    )


def save_report_draft(db: Database, report_id: int, draft: dict | None, at: str | None) -> None:
    db.execute(
        "UPDATE reports SET draft = ?, draft_saved_at = ? WHERE id = ?",
        [json.dumps(draft) if draft is not None else None, at, report_id],
    )


def first_submissions(db: Database, conference_id: int) -> dict[int, str]:
    """Return report id -> when its first version was submitted, for one conference."""
    rows = all_rows(
        db,
        "SELECT v.report_id, min(v.saved_at) AS first_at FROM report_versions v "
        "JOIN reports r ON r.id = v.report_id WHERE r.conference_id = ? GROUP BY v.report_id",
        [conference_id],
    )
    return {row["report_id"]: row["first_at"] for row in rows}
