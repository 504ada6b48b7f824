"""The `conference-room` command: serve, demo, db upgrade, user add, audit verify, purge."""

from __future__ import annotations

import os
import sys

import click

from .config import ENV_PREFIX, ConfigError

DB_OPTION = click.option(
    "--db",
    "db_path",
    envvar=ENV_PREFIX + "DATABASE",
    default="instance/conference_room.db",
    show_default=True,
    help="Path of the SQLite database file.",
)


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"conference-room: {message}", err=True)
    sys.exit(code)


def _open(db_path: str, upgrade: bool = False):
    from . import db

    try:
        connection = db.connect(db_path)
        if upgrade:
            db.upgrade(connection)
        else:
            pending = db.check_schema(connection)
            if pending:
                _fail("the database needs upgrading first: run `conference-room db upgrade`.")
    except db.DatabaseUnusable as error:
        _fail(str(error))
    return connection


def _serve(db_path: str, host: str, port: int, demo: bool) -> None:
    from . import concurrency

    mode = os.environ.get(ENV_PREFIX + "ASYNC_MODE", "eventlet")
    if mode not in concurrency.MODES:
        _fail(f"{ENV_PREFIX}ASYNC_MODE must be one of {', '.join(concurrency.MODES)}.", 2)
    concurrency.patch(mode)  # before Flask is imported, so sockets and locks are green

    from . import create_app
    from .realtime import socketio

    connection = _open(db_path, upgrade=True)
    if demo:
        from . import demo as demo_data

        for line in demo_data.seed(connection):
            click.echo(line)
    connection.conn.close()
    try:
        app = create_app({"DATABASE": db_path, "ASYNC_MODE": mode, "DEMO": demo})
    except ConfigError as error:
        _fail(str(error), 2)
    click.echo(f"Serving on http://{host}:{port} ({mode}). Press Ctrl+C to stop.")
    concurrency.raise_open_files_limit()  # one file per connected phone
    options = concurrency.server_options(mode, app.config["TCP_NODELAY"])
    concurrency.stop_on_interrupt()
    from .collector import tune

    tune(app.config["GC_YOUNG_THRESHOLD"])  # last: what start-up built is frozen
    socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=True, **options)


@click.group()
def main() -> None:
    """Run and look after a conference_room server."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@DB_OPTION
def serve(host: str, port: int, db_path: str) -> None:
    """Apply pending migrations, then serve."""
    _serve(db_path, host, port, demo=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@DB_OPTION
def demo(host: str, port: int, db_path: str) -> None:
    """Seed the demo data if absent, print the logins and join code, then serve."""
    _serve(db_path, host, port, demo=True)


@main.group("db")
def db_group() -> None:
    """Database commands."""


@db_group.command("upgrade")
@DB_OPTION
def db_upgrade(db_path: str) -> None:
    """Apply pending migrations and exit."""
    from . import db

    try:
        applied = db.upgrade(db.connect(db_path))
    except db.DatabaseUnusable as error:
        _fail(str(error))
    click.echo(f"Applied {len(applied)} migration(s)." if applied else "Already up to date.")


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "chair", "minute_taker"]))
@click.option("--council", default=None, help="Council name (default: the first council).")
@DB_OPTION
def user_add(email: str, name: str, role: str, council: str | None, db_path: str) -> None:
    """Create a staff account; the password is read from standard input."""
    from . import councils
    from .errors import DomainError
    from .services import accounts

    password = sys.stdin.readline().rstrip("\r\n")
    connection = _open(db_path, upgrade=True)
    council_id = councils.ensure(connection, council)
    try:
        created = accounts.create_user(
            connection,
            council_id,
            {"email": email, "name": name, "role": role, "password": password},
        )
    except DomainError as error:
        _fail(error.message, 2)
    click.echo(f"Created {created['role']} account {created['id']} for {email}.")


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@DB_OPTION
def audit_verify(db_path: str) -> None:
    """Check the audit log's hash chain; exit 1 naming the first bad entry."""
    from . import audit as audit_log

    verdict = audit_log.verify(_open(db_path))
    if not verdict.ok:
        _fail(f"audit entry {verdict.bad_id} is bad: {verdict.problem}.", 1)
    click.echo(f"The audit log is intact ({verdict.checked} entries).")


@main.command()
@click.option("--closed-before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@DB_OPTION
def purge(closed_before, db_path: str) -> None:
    """Delete conferences closed before a date, keeping an audit entry of each deletion."""
    from .services import retention

    removed = retention.purge_closed_before(_open(db_path), closed_before.date())
    click.echo(f"Deleted {len(removed)} conference(s) closed before {closed_before:%Y-%m-%d}.")
