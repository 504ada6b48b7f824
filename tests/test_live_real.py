"""The live room with real parts: the eventlet server in its own process, real Socket.IO clients."""

import threading
import time

import pytest
import requests
import socketio

from conference_room import councils
from conference_room.services import accounts
from tests.conftest import PASSWORD, Server, conference_payload


class Person:
    """A real HTTP session and a real Socket.IO client sharing its cookie."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        self.csrf = ""
        self.events: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.sio = socketio.Client(
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5
        )
        for name in ("conference.changed", "participant.status", "conference.presence"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name):
        def record(data):
            with self.lock:
                self.events.append((name, data))

        return record

    def post(self, path: str, body=None):
        return self.http.post(
            self.url + path, json=body or {}, headers={"X-CSRF-Token": self.csrf}, timeout=10
        )

    def connect(self):
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.sio.connect(self.url, headers={"Cookie": cookie}, wait_timeout=10)

    def call(self, event: str, payload: dict) -> dict:
        return self.sio.call(event, payload, timeout=10)

    def wait_for(self, predicate, seconds: float = 10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                found = [data for name, data in self.events if predicate(name, data)]
            if found:
                return found[-1]
            time.sleep(0.02)
        raise AssertionError("the expected event did not arrive")


@pytest.fixture
def live_server(db, db_path):
    council_id = councils.ensure(db, "Testshire Council")
    accounts.create_user(
        db,
        council_id,
        {"email": "chair@t.example", "name": "Chair", "role": "chair", "password": PASSWORD},
    )
    running = Server(db_path).start()
    yield running
    running.stop()


def test_a_meeting_with_real_clients_over_the_real_server(live_server):
    chair = Person(live_server.url)
    signed = chair.http.post(
        live_server.url + "/api/v1/session",
        json={"email": "chair@t.example", "password": PASSWORD},
        timeout=10,
    )
    chair.csrf = signed.json()["csrf_token"]
    conference = chair.post("/api/v1/conferences", conference_payload()).json()
    chair.connect()
    assert chair.call("conference.join", {"conference_id": conference["id"]})["ok"]

    mum = Person(live_server.url)
    joined = mum.http.post(
        live_server.url + "/api/v1/join",
        json={"code": conference["join_code"], "name": "Jo", "role": "family"},
        timeout=10,
    ).json()
    mum.csrf = joined["csrf_token"]
    mum.connect()
    assert (
        mum.call("conference.join", {"conference_id": conference["id"]})["error"]["code"]
        == "waiting"
    )
    admitted = chair.post(
        f"/api/v1/conferences/{conference['id']}/participants/{joined['participant']['id']}/admit"
    )
    assert admitted.status_code == 200
    mum.wait_for(lambda name, data: name == "participant.status" and data["status"] == "admitted")
    state = mum.call("conference.join", {"conference_id": conference["id"]})["state"]
    assert state["audience"] == "family"

    ack = chair.call("stage.set", {"stage": "welcome"})
    assert ack["ok"]
    pushed = mum.wait_for(
        lambda name, data: (
            name == "conference.changed" and data["state"]["conference"]["stage"] == "welcome"
        )
    )
    assert pushed["version"] == ack["version"]

    # The phone drops, misses two changes, and comes back to the same state as the chair.
    mum.sio.disconnect()
    chair.call("stage.set", {"stage": "reading"})
    last = chair.call("stage.set", {"stage": "sharing"})
    mum.connect()
    again = mum.call("conference.join", {"conference_id": conference["id"]})["state"]
    assert again["version"] == last["version"]
    assert again["conference"]["stage"] == "sharing"
    for person in (chair, mum):
        person.sio.disconnect()
