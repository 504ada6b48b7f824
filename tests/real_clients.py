"""People with real clients against a real server on loopback: an HTTP session (requests) and a
python-socketio client sharing its cookie, behaving like static/js/live.js: on every
(re)connection it sends `conference.join` and keeps the snapshot it gets back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests
import socketio

from tests.conftest import PASSWORD

WAIT = 20  # seconds any single wait in these tests may take


class Person:
    """One browser or phone: cookie, socket, and everything the socket received."""

    def __init__(self, url: str, name: str = "someone"):
        self.url = url
        self.name = name
        self.http = requests.Session()
        self.csrf = ""
        self.conference_id: int | None = None
        self.participant_id: int | None = None
        self.view: str | None = None
        self.lock = threading.Lock()
        self.events: list[tuple[float, str, dict]] = []
        self.joins: list[dict] = []  # every conference.join ack, in order
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            randomization_factor=0,
            request_timeout=10,
            # The socket takes its cookie from this session on every (re)connection; a Cookie
            # header would be used once (engineio's client drops it after the first upgrade).
            http_session=self.http,
        )
        self.sio.on("connect", self._on_connect)
        for name_ in ("conference.changed", "participant.status", "conference.presence"):
            self.sio.on(name_, self._recorder(name_))

    # -- HTTP ------------------------------------------------------------------------------

    def sign_in(self, email: str, password: str = PASSWORD) -> Person:
        answer = self.http.post(
            self.url + "/api/v1/session", json={"email": email, "password": password}, timeout=60
        )
        assert answer.status_code == 200, answer.text
        self.csrf = answer.json()["csrf_token"]
        return self

    def join_by_code(self, code: str, role: str = "family", **extra) -> int:
        answer = self.http.post(
            self.url + "/api/v1/join",
            json={"code": code, "name": self.name, "role": role, **extra},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        body = answer.json()
        self.csrf = body["csrf_token"]
        self.conference_id = body["participant"]["conference_id"]
        return body["participant"]["id"]

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.http.post(
            self.url + path, json=body or {}, headers={"X-CSRF-Token": self.csrf}, timeout=30
        )

    # -- the socket ------------------------------------------------------------------------

    def _recorder(self, name: str) -> Callable[[dict], None]:
        def record(data: dict) -> None:
            with self.lock:
                self.events.append((time.monotonic(), name, data))

        return record

    def _on_connect(self) -> None:
        # As live.js does: every (re)connection re-joins and takes a fresh snapshot. A handler
        # cannot wait for an ack on the client's own thread, so the join runs beside it.
        if self.conference_id is not None:
            self.sio.start_background_task(self._join)

    def _join(self) -> None:
        payload: dict = {"conference_id": self.conference_id}
        if self.view:
            payload["view"] = self.view
        try:
            ack = self.sio.call("conference.join", payload, timeout=10)
        except socketio.exceptions.SocketIOError:
            return  # dropped again; the next connection joins again
        with self.lock:
            self.joins.append(ack)

    def connect(self, conference_id: int, view: str | None = None) -> dict:
        """Open the socket, join ``conference_id`` and return the join ack."""
        self.conference_id, self.view = conference_id, view
        with self.lock:
            before = len(self.joins)
        self.sio.connect(self.url, wait_timeout=10)
        return self.wait_for_join(before)

    def wait_for_join(self, already: int, seconds: float = WAIT) -> dict:
        """Wait until more than ``already`` joins were acknowledged; return the newest ack."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.joins) > already:
                    return self.joins[-1]
            time.sleep(0.02)
        raise AssertionError(f"{self.name} did not re-join within {seconds} s")

    def call(self, event: str, payload: dict | None = None) -> dict:
        return self.sio.call(event, payload or {}, timeout=WAIT)

    def changes(self) -> list[dict]:
        """Return the conference.changed payloads received so far."""
        with self.lock:
            return [data for _, name, data in self.events if name == "conference.changed"]

    def wait_for(self, predicate: Callable[[str, dict], bool], seconds: float = WAIT) -> dict:
        """Wait for an event that ``predicate(name, data)`` accepts; return its data."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                found = [data for _, name, data in self.events if predicate(name, data)]
            if found:
                return found[-1]
            time.sleep(0.02)
        raise AssertionError(f"{self.name}: the expected event did not arrive in {seconds} s")

    def wait_for_version(self, version: int, seconds: float = WAIT) -> dict:
        """Wait for a pushed state at ``version`` or newer; return it."""
        return self.wait_for(
            lambda name, data: name == "conference.changed" and data["version"] >= version,
            seconds,
        )["state"]

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
        self.sio.reconnection = False
        self.http.close()


def admitted_phone(url: str, chair: Person, conference: dict, name: str, **join) -> Person:
    """Join a phone by code, let the chair admit it, and return it connected to the room."""
    phone = Person(url, name)
    pid = phone.join_by_code(conference["join_code"], **join)
    answer = chair.post(f"/api/v1/conferences/{conference['id']}/participants/{pid}/admit")
    assert answer.status_code == 200, answer.text
    phone.participant_id = pid
    ack = phone.connect(conference["id"])
    assert ack["ok"], ack
    return phone


def without_presence(state: dict) -> dict:
    """Return ``state`` without who is connected now (live connections, not meeting state)."""
    out = {key: value for key, value in state.items() if key != "viewer"}
    out["participants"] = [
        {k: v for k, v in person.items() if k != "present"}
        for person in state.get("participants", [])
    ]
    return out
