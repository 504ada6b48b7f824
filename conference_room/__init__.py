"""conference_room: a real-time web app for the day of a Child Protection Conference."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, database checks, blueprints and Socket.IO."""
    # Imports live here so that the CLI can patch the standard library (eventlet/gevent)
    # before Flask and its friends are first imported.
    from datetime import timedelta

    from . import config as settings
    from . import db, realtime, sessions
    from .views import register

    values = settings.load(config)
    app = realtime.App(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(values)
    app.session_interface = sessions.CookieSessions()
    app.config.update(
        SESSION_COOKIE_NAME="conference_room",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        JSON_SORT_KEYS=False,
    )
    if not app.config.get("SECRET_KEY"):
        import secrets

        app.config["SECRET_KEY"] = secrets.token_hex(32)  # demo and tests only (config.load)

    connection = db.connect(app.config["DATABASE"])
    try:
        pending = db.check_schema(connection)
    finally:
        connection.conn.close()
    if pending:
        raise db.DatabaseUnusable(
            f"The database needs upgrading ({len(pending)} migration(s) pending). "
            "Run: conference-room db upgrade"
        )

    app.teardown_appcontext(db.close_db)
    register(app)
    realtime.init_app(app)
    return app
