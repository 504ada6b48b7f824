"""Socket.IO: the socketio object, connection checks, rooms and broadcasting changes."""

from __future__ import annotations

from flask_socketio import SocketIO

socketio = SocketIO()


def init_app(app) -> None:
    """Attach Socket.IO to ``app`` in the configured async mode."""
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config.get("MESSAGE_QUEUE"),
        # Only pages served by this app may open a socket (the default, stated for clarity).
        cors_allowed_origins=None,
        manage_session=False,
    )


def dispatch(changes: list) -> None:
    """Send each committed change to the viewers who may see it."""
    # Rooms per conference and audience arrive with the live room; nothing listens yet.
    return None
