"""More than one server process: two real servers on one SQLite file, joined by a real Redis
message queue (CONFERENCE_ROOM_MESSAGE_QUEUE); what one does reaches sockets on the other."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from conference_room import councils
from conference_room.services import accounts
from tests.conftest import PASSWORD, Server, conference_payload, free_port
from tests.real_clients import Person

CHAIR = "chair@two.example"


def redis_server_path() -> str:
    """Return Debian's redis-server; skip (or fail on CI) when it is not installed."""
    found = shutil.which("redis-server")
    if found:
        return found
    message = "redis-server is not installed (apt-get install redis-server; `make test` does)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message + ": the multi-process test did not run")


def answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_url(tmp_path):
    """A real Redis on a free loopback port, keeping nothing on disk; stopped afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [redis_server_path(), "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while not answers_ping(port):
            assert process.poll() is None, "redis-server stopped while starting"
            assert time.monotonic() < deadline, "redis-server did not start within 15 seconds"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def two_servers(db, db_path, redis_url):
    """Two `conference-room serve` processes on the same database and the same queue."""
    council_id = councils.ensure(db, "Testshire Council")
    accounts.create_user(
        db, council_id, {"email": CHAIR, "name": "Chris", "role": "chair", "password": PASSWORD}
    )
    env = {"CONFERENCE_ROOM_MESSAGE_QUEUE": redis_url}
    first = Server(db_path, extra_env=env).start()
    try:
        second = Server(db_path, extra_env=env).start()
    except BaseException:
        first.stop()
        raise
    people: list[Person] = []
    yield first, second, people
    for person in people:
        person.close()
    second.stop()
    first.stop()


def test_the_chair_on_one_process_reaches_a_phone_on_the_other(two_servers):
    first, second, people = two_servers
    chair = Person(first.url, "chair")
    phone = Person(second.url, "Jo")
    people += [chair, phone]
    chair.sign_in(CHAIR)
    conference = chair.post("/api/v1/conferences", conference_payload()).json()
    assert chair.connect(conference["id"])["ok"]
    participant_id = phone.join_by_code(conference["join_code"])
    assert phone.connect(conference["id"])["error"]["code"] == "waiting"

    # An HTTP call to the first process ...
    admitted = chair.post(
        f"/api/v1/conferences/{conference['id']}/participants/{participant_id}/admit"
    )
    assert admitted.status_code == 200, admitted.text
    # ... reaches the phone's socket on the second, which then joins there.
    phone.wait_for(lambda name, data: name == "participant.status" and data["status"] == "admitted")
    seated = phone.call("conference.join", {"conference_id": conference["id"]})
    assert seated["ok"] and seated["state"]["audience"] == "family"

    # A live change made on the first process is pushed to the phone on the second.
    moved = chair.call("stage.set", {"stage": "welcome"})
    assert moved["ok"], moved
    state = phone.wait_for_version(moved["version"])
    assert state["conference"]["stage"] == "welcome"
    # And one made on the second reaches the chair's console on the first.
    opened = chair.call("scale.open", {"child_id": None})
    reply = phone.call(
        "scale.submit", {"round_id": opened["round_id"], "score": 5, "reason": "Okay."}
    )
    assert reply["ok"], reply
    chair.wait_for(
        lambda name, data: (
            name == "conference.changed"
            and data["state"]["scale"]["rounds"]
            and data["state"]["scale"]["rounds"][-1]["answered_by"] == [participant_id]
        )
    )
