"""Fixtures: a fresh SQLite file per test, the app on it, and helpers that speak the meeting."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from conference_room import create_app
from conference_room import db as database
from conference_room.access import user_actor
from conference_room.services import accounts

PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parent.parent


def benchmark_module(name: str):
    """Import a script of benchmarks/ (``live_load``, ``answer_cost``) to test its helpers."""
    import importlib

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "conference_room.db"
    database.upgrade(database.connect(path))
    return path


@pytest.fixture
def app(db_path: Path):
    return create_app(
        {"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "test", "ASYNC_MODE": "threading"}
    )


@pytest.fixture
def db(db_path: Path):
    connection = database.connect(db_path)
    yield connection
    connection.conn.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def council_id(db) -> int:
    from conference_room import councils

    return councils.ensure(db, "Testshire Council")


class Staff:
    """A staff member with a browser session: signs in, and sends the CSRF token on writes."""

    def __init__(self, client, user: dict):
        self.client = client
        self.user = user
        self.csrf = ""

    def sign_in(self) -> Staff:
        answer = self.client.post(
            "/api/v1/session", json={"email": self.user["email"], "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.get_json()
        self.csrf = answer.get_json()["csrf_token"]
        return self

    def _send(self, method: str, url: str, **kwargs):
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs):
        return self._send("POST", url, **kwargs)

    def patch(self, url: str, **kwargs):
        return self._send("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs):
        return self._send("DELETE", url, **kwargs)

    @property
    def actor(self):
        return user_actor(self.user)


@pytest.fixture
def make_user(db, council_id):
    """Create a staff account: make_user("chair") -> user row (with email)."""
    counter = iter(range(1, 1000))

    def make(role: str = "chair", email: str | None = None) -> dict:
        email = email or f"{role}{next(counter)}@testshire.example"
        created = accounts.create_user(
            db,
            council_id,
            {"email": email, "name": f"{role.title()} Person", "role": role, "password": PASSWORD},
        )
        return {**created, "email": email, "council_id": council_id}

    return make


@pytest.fixture
def staff(app, make_user):
    """Sign in a new staff member with their own client: staff("chair") -> Staff."""

    def sign_in(role: str = "chair") -> Staff:
        return Staff(app.test_client(), make_user(role)).sign_in()

    return sign_in


@pytest.fixture
def chair(staff) -> Staff:
    return staff("chair")


def child(name: str = "Amy Example", **extra) -> dict:
    return {"name": name, "date_of_birth": "2018-05-01", **extra}


def conference_payload(**overrides) -> dict:
    payload = {
        "kind": "initial",
        "scheduled_for": "2030-03-05T10:00",
        "title": "The Example family",
        "children": [child()],
        "family_members": [{"name": "Jo Example", "relationship": "mother", "household": True}],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def make_conference(chair):
    """Create a conference through the API as the chair; returns the answer's JSON."""

    def make(**overrides) -> dict:
        answer = chair.post("/api/v1/conferences", json=conference_payload(**overrides))
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    return make


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """The real `conference-room serve` in its own process, on loopback."""

    def __init__(self, db_path: Path, mode: str = "eventlet", extra_env: dict | None = None):
        self.db_path = db_path
        self.mode = mode
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        env = {
            **os.environ,
            "CONFERENCE_ROOM_SECRET_KEY": "test-secret",
            "CONFERENCE_ROOM_ASYNC_MODE": self.mode,
            **self.extra_env,
        }
        self.log_path = self.db_path.with_suffix(f".{self.port}.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "conference_room",
                    "serve",
                    "--port",
                    str(self.port),
                    "--db",
                    str(self.db_path),
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log_path.read_text())
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not start within 20 seconds")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def server(db_path):
    running = Server(db_path).start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _fresh_presence():
    """Each test's app starts with nobody connected (presence lives in process memory)."""
    from conference_room import realtime

    realtime._seats.clear()
    yield
    realtime._seats.clear()


@pytest.fixture
def room_conference(make_conference):
    """A conference with two children, for the live-room tests."""
    return make_conference(children=[child(), child("Ben Example", date_of_birth="2020-02-02")])


@pytest.fixture
def room(app, chair, room_conference):
    from tests.live_helpers import Phone, Socket, admit, drain

    conference = room_conference
    """The chair's console, the shared screen, two family phones and a professional's phone."""
    console = Socket(app, chair.client)
    assert console.emit("conference.join", {"conference_id": conference["id"]})["ok"]
    screen = Socket(app, chair.client)
    joined = screen.emit("conference.join", {"conference_id": conference["id"], "view": "screen"})
    assert joined["ok"]
    mum = Phone(app, conference["join_code"], "Jo Example", relationship="Mum")
    dad = Phone(app, conference["join_code"], "Dan Example", relationship="Dad")
    pro = Phone(app, conference["join_code"], "Pat Teacher", role="professional", agency="School")
    for phone in (mum, dad, pro):
        admit(chair, conference, phone)
        assert phone.join()["ok"]
    everyone = SimpleNamespace(
        chair=chair,
        conference=conference,
        console=console,
        screen=screen,
        mum=mum,
        dad=dad,
        pro=pro,
        child_ids=[c["id"] for c in conference["children"]],
    )
    everyone.sockets = {
        "console": console,
        "screen": screen,
        "mum": mum.socket,
        "dad": dad.socket,
        "pro": pro.socket,
    }
    drain(everyone)
    return everyone
