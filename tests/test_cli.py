"""The `conference-room` command, run as a person would: real processes on a real file."""

import subprocess
import sys

import requests

from conference_room import db as database
from tests.conftest import PASSWORD, ROOT, Server


def run(*args, stdin: str = "", env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "conference_room", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env=env,
    )


def test_db_upgrade_applies_then_reports_up_to_date(tmp_path):
    path = str(tmp_path / "cli.db")
    first = run("db", "upgrade", "--db", path)
    applied = len(database.MIGRATIONS._migrations)
    assert first.returncode == 0 and f"Applied {applied} migration" in first.stdout
    second = run("db", "upgrade", "--db", path)
    assert second.returncode == 0 and "Already up to date" in second.stdout


def test_user_add_reads_the_password_from_stdin_and_the_chair_can_sign_in(tmp_path):
    path = tmp_path / "cli.db"
    added = run(
        "user",
        "add",
        "--email",
        "chair@x.example",
        "--name",
        "Chair",
        "--role",
        "chair",
        "--db",
        str(path),
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    server = Server(path).start()
    try:
        answer = requests.post(
            server.url + "/api/v1/session",
            json={"email": "chair@x.example", "password": PASSWORD},
            timeout=10,
        )
        assert answer.status_code == 200
        assert answer.json()["user"]["role"] == "chair"
    finally:
        server.stop()


def test_user_add_with_an_unknown_role_exits_2_listing_the_roles(tmp_path):
    result = run(
        "user",
        "add",
        "--email",
        "a@b.example",
        "--name",
        "A",
        "--role",
        "boss",
        "--db",
        str(tmp_path / "x.db"),
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 2
    assert "'admin', 'chair', 'minute_taker'" in result.stderr


def test_user_add_with_a_short_password_exits_2_and_saves_nothing(tmp_path):
    path = str(tmp_path / "x.db")
    result = run(
        "user",
        "add",
        "--email",
        "a@b.example",
        "--name",
        "A",
        "--role",
        "chair",
        "--db",
        path,
        stdin="short\n",
    )
    assert result.returncode == 2 and "at least 12 characters" in result.stderr
    again = run(
        "user",
        "add",
        "--email",
        "a@b.example",
        "--name",
        "A",
        "--role",
        "chair",
        "--db",
        path,
        stdin=PASSWORD + "\n",
    )
    assert again.returncode == 0


def test_serve_refuses_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "photo.db"
    path.write_bytes(b"\x89PNG not a database" * 100)
    env = {"CONFERENCE_ROOM_SECRET_KEY": "s", "PATH": "/usr/bin:/bin"}
    result = run("serve", "--db", str(path), "--port", "1", env=env)
    assert result.returncode == 1
    assert "is not a conference_room database" in result.stderr


def test_serve_without_a_secret_key_stops_with_a_sentence(tmp_path):
    result = run(
        "serve", "--db", str(tmp_path / "x.db"), "--port", "1", env={"PATH": "/usr/bin:/bin"}
    )
    assert result.returncode == 2
    assert "CONFERENCE_ROOM_SECRET_KEY is not set" in result.stderr


def test_the_real_eventlet_server_answers(server):
    assert requests.get(server.url + "/healthz", timeout=5).json() == {"status": "ok"}
    document = requests.get(server.url + "/api/v1/openapi.json", timeout=5).json()
    assert "/api/v1/session" in document["paths"]


def test_purge_removes_only_conferences_closed_before_the_date(db, db_path, make_conference):
    old = make_conference(title="Old family")
    kept = make_conference(title="Recent family")
    db.execute(
        "UPDATE conferences SET status = 'closed', closed_at = '2020-01-10T10:00:00Z' WHERE id = ?",
        [old["id"]],
    )
    db.execute(
        "UPDATE conferences SET status = 'closed', closed_at = '2026-01-10T10:00:00Z' WHERE id = ?",
        [kept["id"]],
    )
    result = run("purge", "--closed-before", "2021-01-01", "--db", str(db_path))
    assert result.returncode == 0 and "Deleted 1 conference" in result.stdout
    ids = [row["id"] for row in db.query("SELECT id FROM conferences")]
    assert ids == [kept["id"]]
    assert (
        db.execute("SELECT count(*) FROM children WHERE conference_id = ?", [old["id"]]).fetchone()[
            0
        ]
        == 0
    )
    purge_events = list(db.query("SELECT * FROM audit_events WHERE action = 'conference.purge'"))
    assert [event["conference_id"] for event in purge_events] == [old["id"]]
