"""SQL for councils, settings, users, the audit log, conferences, children and family."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database
from sqlite_utils.utils import dedupe_keys


def _keys(cursor) -> list[str]:
    keys = [column[0] for column in cursor.description]
    # As sqlite-utils' db.query names them: a repeated column name gets _2, _3...
    return keys if len(set(keys)) == len(keys) else dedupe_keys(keys)


# Straight to sqlite3 rather than db.query, which parses each statement first: a live push
# runs dozens of these, and that parsing was a fifth of its time.
def one(db: Database, sql: str, params: Any = ()) -> dict | None:
    rows = all_rows(db, sql, params)
    return rows[0] if rows else None


def all_rows(db: Database, sql: str, params: Any = ()) -> list[dict]:
    cache = getattr(db, "cr_read_cache", None)
    if cache is not None:
        # Inside one read snapshot (realtime's push builds four viewers' states from the same
        # rows) the same query gives the same rows: run it once, hand out copies.
        key = (sql, tuple(params.items()) if isinstance(params, dict) else tuple(params))
        if key not in cache:
            cache[key] = _fetch(db, sql, params)
        return [dict(row) for row in cache[key]]
    return _fetch(db, sql, params)


def _fetch(db: Database, sql: str, params: Any) -> list[dict]:
    cursor = db.conn.execute(sql, params)
    keys = _keys(cursor)
    return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]


def returning(db: Database, sql: str, params: Any = ()) -> dict | None:
    """Run a write with a RETURNING clause; return the row it gives (never from a read cache)."""
    rows = _fetch(db, sql, params)
    return rows[0] if rows else None


def insert(db: Database, table: str, row: dict) -> int:
    columns = ", ".join(row)
    marks = ", ".join(f":{key}" for key in row)
    return db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", row).lastrowid


def update(db: Database, table: str, row_id: int, values: dict) -> None:
    sets = ", ".join(f"{key} = :{key}" for key in values)
    db.execute(f"UPDATE {table} SET {sets} WHERE id = :_id", {**values, "_id": row_id})


# -- councils -------------------------------------------------------------------------------


def council_by_name(db: Database, name: str) -> dict | None:
    return one(db, "SELECT * FROM councils WHERE name = ?", [name])


def council(db: Database, council_id: int) -> dict | None:
    return one(db, "SELECT * FROM councils WHERE id = ?", [council_id])


def first_council(db: Database) -> dict | None:
    return one(db, "SELECT * FROM councils ORDER BY id LIMIT 1")


def insert_council(db: Database, name: str, at: str) -> int:
    return insert(db, "councils", {"name": name, "created_at": at})


# -- la_settings ----------------------------------------------------------------------------


def settings_stored(db: Database, council_id: int) -> tuple[tuple[str, str], ...]:
    """The council's stored settings as (key, JSON text) pairs, in key order."""
    sql = "SELECT key, value FROM la_settings WHERE council_id = ? ORDER BY key"
    return tuple((row["key"], row["value"]) for row in all_rows(db, sql, [council_id]))


def put_setting(db: Database, council_id: int, key: str, value: Any, at: str) -> None:
    db.execute(
        "INSERT INTO la_settings (council_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (council_id, key) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at",
        [council_id, key, json.dumps(value), at],
    )


# -- users ----------------------------------------------------------------------------------


def user_by_email(db: Database, email: str) -> dict | None:
    return one(db, "SELECT * FROM users WHERE email = ?", [email])


def user(db: Database, user_id: int) -> dict | None:
    return one(db, "SELECT * FROM users WHERE id = ?", [user_id])


def user_names(db: Database, council_id: int) -> dict[int, str]:
    rows = all_rows(db, "SELECT id, name FROM users WHERE council_id = ?", [council_id])
    return {row["id"]: row["name"] for row in rows}


def insert_user(db: Database, row: dict) -> int:
    return insert(db, "users", row)


def update_user(db: Database, user_id: int, values: dict) -> None:
    update(db, "users", user_id, values)


def count_users(db: Database) -> int:
    return one(db, "SELECT count(*) AS n FROM users")["n"]


# -- audit_events ---------------------------------------------------------------------------


def last_audit_event(db: Database) -> dict | None:
    return one(db, "SELECT * FROM audit_events ORDER BY id DESC LIMIT 1")


def insert_audit_event(db: Database, row: dict) -> int:
    return insert(db, "audit_events", row)


def audit_events(db: Database, conference_id: int | None = None) -> list[dict]:
    if conference_id is None:
        return all_rows(db, "SELECT * FROM audit_events ORDER BY id")
    return all_rows(
        db, "SELECT * FROM audit_events WHERE conference_id = ? ORDER BY id", [conference_id]
    )


# -- conferences ----------------------------------------------------------------------------


def conference(db: Database, conference_id: int) -> dict | None:
    return one(db, "SELECT * FROM conferences WHERE id = ?", [conference_id])


def conference_by_code(db: Database, join_code: str) -> dict | None:
    return one(db, "SELECT * FROM conferences WHERE join_code = ?", [join_code])


def conferences_for_council(db: Database, council_id: int) -> list[dict]:
    return all_rows(
        db,
        "SELECT * FROM conferences WHERE council_id = ? ORDER BY scheduled_for, id",
        [council_id],
    )


def insert_conference(db: Database, row: dict) -> int:
    return insert(db, "conferences", row)


def update_conference(db: Database, conference_id: int, values: dict) -> None:
    update(db, "conferences", conference_id, values)


def bump_version(db: Database, conference_id: int) -> int:
    """Increase the conference's version by one and return the new value."""
    sql = "UPDATE conferences SET version = version + 1 WHERE id = ? RETURNING version"
    return returning(db, sql, [conference_id])["version"]


# -- children and family_members ------------------------------------------------------------


def children(db: Database, conference_id: int) -> list[dict]:
    return all_rows(
        db, "SELECT * FROM children WHERE conference_id = ? ORDER BY position, id", [conference_id]
    )


def child_names(db: Database, conference_id: int) -> dict[int, str]:
    """Each child's name by id."""
    sql = "SELECT id, name FROM children WHERE conference_id = ?"
    return {row["id"]: row["name"] for row in all_rows(db, sql, [conference_id])}


def insert_child(db: Database, row: dict) -> int:
    return insert(db, "children", row)


def delete_children(db: Database, conference_id: int, keep_ids: list[int]) -> None:
    marks = ", ".join("?" for _ in keep_ids) or "NULL"
    db.execute(
        f"DELETE FROM children WHERE conference_id = ? AND id NOT IN ({marks})",
        [conference_id, *keep_ids],
    )


def update_child(db: Database, child_id: int, values: dict) -> None:
    update(db, "children", child_id, values)


def family_members(db: Database, conference_id: int) -> list[dict]:
    return all_rows(
        db,
        "SELECT * FROM family_members WHERE conference_id = ? ORDER BY position, id",
        [conference_id],
    )


def insert_family_member(db: Database, row: dict) -> int:
    return insert(db, "family_members", row)


def delete_family_members(db: Database, conference_id: int) -> None:
    db.execute("DELETE FROM family_members WHERE conference_id = ?", [conference_id])


def closed_conference_ids_before(db: Database, day: str) -> list[int]:
    rows = all_rows(
        db, "SELECT id FROM conferences WHERE status = 'closed' AND closed_at < ?", [day]
    )
    return [row["id"] for row in rows]


def delete_conference(db: Database, conference_id: int) -> None:
    """Delete a conference; its children, reports, rounds... go with it (ON DELETE CASCADE)."""
    # Reviews that point at it keep their own record; only the link goes.
    db.execute("UPDATE conferences SET reviews_id = NULL WHERE reviews_id = ?", [conference_id])
    db.execute("DELETE FROM conferences WHERE id = ?", [conference_id])
