"""People in the room, for tests: phones that join by code and a chair's console, all real
Flask test clients sharing cookies with Socket.IO test clients."""

from __future__ import annotations

import json

from conference_room.realtime import socketio


class Socket:
    """A Socket.IO test client with a few words for tests."""

    def __init__(self, app, http_client):
        self.io = socketio.test_client(app, flask_test_client=http_client)

    def emit(self, event: str, payload=None) -> dict:
        return self.io.emit(event, payload if payload is not None else {}, callback=True)

    def received(self) -> list[dict]:
        if not self.io.is_connected():
            # A socket the server cut off keeps what it was sent before the cut.
            kept, self.io.queue = [p for p in self.io.queue if p["namespace"] == "/"], []
            return kept
        return self.io.get_received()

    def states(self) -> list[dict]:
        """Return the states pushed since the last call (conference.changed payloads)."""
        return [e["args"][0]["state"] for e in self.received() if e["name"] == "conference.changed"]

    def disconnect(self) -> None:
        if self.io.is_connected():
            self.io.disconnect()


class Phone:
    """An attendee's phone: joins by code over HTTP, then opens a socket."""

    def __init__(self, app, code: str, name: str, role: str = "family", **extra):
        self.app = app
        self.http = app.test_client()
        answer = self.http.post(
            "/api/v1/join", json={"code": code, "name": name, "role": role, **extra}
        )
        assert answer.status_code == 201, answer.get_json()
        body = answer.get_json()
        self.id = body["participant"]["id"]
        self.conference_id = body["participant"]["conference_id"]
        self.csrf = body["csrf_token"]
        self.socket: Socket | None = None

    def connect(self) -> Socket:
        self.socket = Socket(self.app, self.http)
        return self.socket

    def join(self) -> dict:
        if self.socket is None or not self.socket.io.is_connected():
            self.connect()
        return self.socket.emit("conference.join", {"conference_id": self.conference_id})

    def get(self, url: str):
        return self.http.get(url)


def everything(*chunks) -> str:
    """Return all the text an audience received, for searching marker strings."""
    return json.dumps(chunks, default=str)


def admit(chair, conference, phone):
    answer = chair.post(f"/api/v1/conferences/{conference['id']}/participants/{phone.id}/admit")
    assert answer.status_code == 200, answer.get_json()


def drain(room) -> dict[str, list]:
    """Return (and forget) everything each socket has been sent since the last call."""
    return {name: socket.received() for name, socket in room.sockets.items()}


def latest(events: list) -> dict:
    states = [e["args"][0]["state"] for e in events if e["name"] == "conference.changed"]
    assert states, "no conference.changed was received"
    return states[-1]


def chair_steps_after_a_round(round_id: int, child_id: int) -> list[tuple[str, dict]]:
    """What the chair does once a round has its answers, through to the plan stage: close and
    reveal it, add an action, notes, a closed session with a restricted note, move the stage."""
    return [
        ("scale.close", {"round_id": round_id}),
        ("scale.reveal", {"round_id": round_id, "show_names": True}),
        (
            "action.add",
            {
                "child_id": child_id,
                "what": "Visit weekly",
                "who": "Social worker",
                "by_when": "2030-01-10",
                "kind": "immediate",
            },
        ),
        ("note.add", {"stage": "scaling", "text": "Mum spoke about school."}),
        ("closed_session.start", {}),
        ("note.add", {"stage": "scaling", "text": "Police information, not for the family."}),
        ("closed_session.end", {}),
        ("stage.set", {"stage": "plan"}),
    ]
