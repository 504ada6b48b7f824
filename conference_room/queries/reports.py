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
