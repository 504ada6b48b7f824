"""Retention: delete closed conferences past their keeping date."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from .. import audit, queries
from ..access import SYSTEM
from ..db import transaction


def purge_closed_before(db: Database, day: date) -> list[int]:
    """Delete conferences closed before ``day`` and all that hangs off them, in one transaction."""
    with transaction(db) as tx:
        ids = queries.closed_conference_ids_before(tx.db, day.isoformat())
        for conference_id in ids:
            queries.delete_conference(tx.db, conference_id)
            audit.record(
                tx, SYSTEM, "conference.purge", conference_id, {"closed_before": day.isoformat()}
            )
    return ids
