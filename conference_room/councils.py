"""Councils: the organisations whose data the database holds."""

from __future__ import annotations

from sqlite_utils import Database

from . import audit, clock, queries
from .access import SYSTEM
from .db import transaction
from .errors import NotFound

DEFAULT_COUNCIL = "Demo Council"


def ensure(db: Database, name: str | None = None) -> int:
    """Return the id of the council called ``name`` (or the first), creating it if absent."""
    if name is None:
        first = queries.first_council(db)
        if first:
            return first["id"]
        name = DEFAULT_COUNCIL
    existing = queries.council_by_name(db, name)
    if existing:
        return existing["id"]
    with transaction(db) as tx:
        council_id = queries.insert_council(tx.db, name, clock.stamp())
        audit.record(tx, SYSTEM, "council.create", None, {"council_id": council_id})
    return council_id


def get(db: Database, council_id: int) -> dict:
    """Return the council or raise NotFound."""
    council = queries.council(db, council_id)
    if council is None:
        raise NotFound("There is no such council.")
    return council
