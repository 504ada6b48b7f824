"""SQL for the chair's dashboard: which conferences to list, and where their reports stand."""

from __future__ import annotations

import json

from sqlite_utils import Database

from .core import all_rows


def upcoming_conferences(db: Database, council_id: int) -> list[dict]:
    return all_rows(
        db,
        "SELECT * FROM conferences WHERE council_id = ? AND status != 'closed' "
        "ORDER BY scheduled_for, id",
        [council_id],
    )


def closed_conferences(db: Database, council_id: int, limit: int = 50) -> list[dict]:
    return all_rows(
        db,
        "SELECT * FROM conferences WHERE council_id = ? AND status = 'closed' "
        "ORDER BY coalesce(closed_at, scheduled_for) DESC, id DESC LIMIT ?",
        [council_id, limit],
    )


def expected_reports(db: Database, conference_ids: list[int]) -> list[dict]:
    """Return one row per report expected or received, for the given conferences.

    A row is an invitation (with its report, if any) or a report entered by staff without one.
    ``first_submitted_at`` is when the report was first submitted: editing it later does not
    make it late. A withdrawn invitation counts only if its report was submitted.
    """
    return all_rows(
        db,
        """
        SELECT i.conference_id, i.id AS invitation_id, coalesce(r.agency, i.agency) AS agency,
               r.id AS report_id, r.status, r.shared_with_family,
               (SELECT min(v.saved_at) FROM report_versions v WHERE v.report_id = r.id)
                 AS first_submitted_at
        FROM invitations i LEFT JOIN reports r ON r.invitation_id = i.id
        WHERE i.conference_id IN (SELECT value FROM json_each(:ids))
          AND (i.revoked_at IS NULL OR r.status = 'submitted')
        UNION ALL
        SELECT r.conference_id, NULL, r.agency, r.id, r.status, r.shared_with_family,
               (SELECT min(v.saved_at) FROM report_versions v WHERE v.report_id = r.id)
        FROM reports r
        WHERE r.conference_id IN (SELECT value FROM json_each(:ids)) AND r.invitation_id IS NULL
        ORDER BY 1, 3, 2
        """,
        {"ids": json.dumps(conference_ids)},
    )
