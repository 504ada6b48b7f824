"""GET /healthz: is the database usable?"""

from __future__ import annotations

import sqlite3

from flask import Blueprint, jsonify

from ..db import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer ok when the database can be read, 503 otherwise."""
    try:
        get_db().execute("SELECT count(*) FROM _sqlite_migrations").fetchone()
    except (sqlite3.Error, OSError):
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
