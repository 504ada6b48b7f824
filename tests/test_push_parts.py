"""A socket that joins with ``"parts": true`` gets, in each conference.changed, only what changed
since the push before (realtime._changed_parts). Applied one over another, as static/js/live.js
does, those pushes must give exactly the whole state every other socket of that audience gets,
and never anything that audience may not see."""

from __future__ import annotations

import json

import pytest

from conference_room import realtime
from tests.live_helpers import Phone, Socket, admit, chair_steps_after_a_round


class Folded:
    """A parts socket and the state its pushes add up to (what the page holds)."""

    def __init__(self, socket: Socket, joined: dict):
        assert joined["ok"], joined
        self.socket = socket
        self.state = joined["state"]
        self.pushes: list[dict] = []
        self.whole: dict = {}  # what the whole-state socket of the same audience was last sent

    def take(self) -> None:
        """Apply what arrived; a push that does not follow on must not happen here."""
        for event in self.socket.received():
            if event["name"] != "conference.changed":
                continue
            message = event["args"][0]
            self.pushes.append(message)
            if message["version"] <= self.state["version"]:
                continue
            if "since" in message:
                assert message["since"] == self.state["version"], "a push that does not follow on"
                self.state = {**self.state, **message["state"]}
            else:
                self.state = message["state"]


def parts_socket(app, http_client, conference_id: int, **join) -> Folded:
    socket = Socket(app, http_client)
    joined = socket.emit("conference.join", {"conference_id": conference_id, "parts": True, **join})
    return Folded(socket, joined)


def plain(value) -> dict:
    return json.loads(json.dumps(value))


@pytest.fixture
def feeds(app, room):
    """Beside each whole-state socket of the room, a parts socket of the same audience."""
    cid = room.conference["id"]
    made = {
        "console": parts_socket(app, room.chair.client, cid),
        "screen": parts_socket(app, room.chair.client, cid, view="screen"),
        "mum": parts_socket(app, room.mum.http, cid),
        "pro": parts_socket(app, room.pro.http, cid),
    }
    for socket in room.sockets.values():
        socket.received()
    return made


def check_same(room, feeds) -> None:
    """Each parts socket holds what the whole-state socket of its audience was last sent."""
    for name, folded in feeds.items():
        folded.take()
        whole = room.sockets[name].states()
        if not whole:
            continue
        newest = folded.whole = whole[-1]
        assert folded.state["version"] == newest["version"], name
        mine = {k: v for k, v in plain(folded.state).items() if k != "viewer"}
        theirs = {k: v for k, v in plain(newest).items() if k != "viewer"}
        assert mine == theirs, name


def test_pushes_of_parts_add_up_to_the_whole_state_through_a_varied_meeting(app, room, feeds):
    check_same(room, feeds)
    room.console.emit("stage.set", {"stage": "scaling"})
    check_same(room, feeds)
    round_id = room.console.emit("scale.open", {"child_id": room.child_ids[0]})["round_id"]
    check_same(room, feeds)

    # An answer: the parts push holds the version, the (empty) viewer and the scale, nothing
    # else: not the scale's wording, a field of its own (the whole state is about 12 times
    # bigger).
    for folded in feeds.values():
        folded.pushes.clear()
    assert room.mum.socket.emit("scale.submit", {"round_id": round_id, "score": 4, "reason": "a"})[
        "ok"
    ]
    check_same(room, feeds)
    for name, folded in feeds.items():
        (push,) = folded.pushes
        assert set(push["state"]) == {"version", "viewer", "scale"}, name
        assert push["state"]["viewer"] == {}
        assert len(json.dumps(push)) * 8 < len(json.dumps(folded.whole)), name
        assert "wording" not in push["state"]["scale"], name
    # Each audience holds the wording in its own words: plain words on family phones and the
    # shared screen.
    wordings = {name: folded.state["scale_wording"] for name, folded in feeds.items()}
    assert wordings["mum"] == wordings["screen"] != wordings["pro"] == wordings["console"]
    assert set(wordings["mum"]) == {"zero", "ten", "question", "one_point_up", "reversed"}

    # A phone drops: the next push shows them gone, though only an answer changed.
    room.dad.socket.disconnect()
    room.sockets.pop("dad")
    assert room.pro.socket.emit("scale.submit", {"round_id": round_id, "score": 6, "reason": "b"})[
        "ok"
    ]
    check_same(room, feeds)
    assert "participants" in feeds["console"].pushes[-1]["state"]

    # Someone new comes in; a parts socket joining is sent the whole state next time, and the
    # others carry on with parts.
    late = Phone(app, room.conference["join_code"], "Lee Late", role="professional", agency="GP")
    admit(room.chair, room.conference, late)
    check_same(room, feeds)
    feeds["late"] = parts_socket(app, late.http, room.conference["id"])
    late.join()
    room.sockets["late"] = late.socket
    late.socket.received()
    assert late.socket.emit("scale.submit", {"round_id": round_id, "score": 7, "reason": "c"})["ok"]
    check_same(room, feeds)
    assert "since" not in feeds["late"].pushes[-1]  # its audience's first push after a join
    assert "since" not in feeds["pro"].pushes[-1]  # the same audience: the same push

    for event, payload in chair_steps_after_a_round(round_id, room.child_ids[0]):
        answer = room.console.emit(event, payload)
        assert answer["ok"], (event, answer)
        check_same(room, feeds)
    assert all(f.pushes and "since" in f.pushes[-1] for f in feeds.values())


def test_the_family_hears_nothing_in_a_closed_session_and_catches_up_after(app, room, feeds):
    cid = room.conference["id"]
    room.console.emit("stage.set", {"stage": "sharing"})
    check_same(room, feeds)
    assert room.console.emit("closed_session.start", {})["ok"]
    feeds["mum"].take()
    assert feeds["mum"].state["holding"] is True  # told to step out, and no more
    held = feeds["mum"].state["version"]
    # A family phone that arrives during it holds the holding screen, not the meeting.
    dad_parts = parts_socket(app, room.dad.http, cid)
    assert dad_parts.state["holding"] is True
    secret = "Police intelligence the family must not hear"
    assert room.console.emit("note.add", {"stage": "sharing", "text": secret})["ok"]
    assert room.console.emit("stage.set", {"stage": "scaling"})["ok"]
    feeds["mum"].take()
    assert feeds["mum"].state["version"] == held  # nothing reached the family
    assert room.console.emit("closed_session.end", {})["ok"]
    check_same(room, feeds)
    (push,) = [p for p in feeds["mum"].pushes if p["version"] > held]
    assert "since" not in push  # from the holding screen back to the meeting: the whole state
    dad_parts.take()
    assert dad_parts.state["holding"] is False
    assert plain(dad_parts.state) == plain(feeds["mum"].state)
    assert secret not in json.dumps(feeds["mum"].pushes + dad_parts.pushes)


def test_parts_must_be_true_or_false(app, room):
    socket = Socket(app, room.chair.client)
    answer = socket.emit("conference.join", {"conference_id": room.conference["id"], "parts": "y"})
    assert answer["ok"] is False
    assert "parts" in answer["error"]["message"]
    assert socket.emit("stage.set", {"stage": "reading"})["error"]["code"] == "not_joined"


def test_changed_parts_sends_the_whole_state_when_the_fields_differ():
    last = realtime._Sent(4, frozenset(), {}, {"version": 4, "viewer": {}, "a": [1], "b": 2})
    same = {"version": 5, "viewer": {}, "a": [1], "b": 3}
    assert realtime._changed_parts(last, same, whole=False) == {
        "version": 5,
        "since": 4,
        "state": {"version": 5, "viewer": {}, "b": 3},
    }
    assert realtime._changed_parts(last, same, whole=True) == {"version": 5, "state": same}
    holding = {"version": 5, "viewer": {}, "holding": True}
    assert realtime._changed_parts(last, holding, whole=False) == {"version": 5, "state": holding}
    assert realtime._changed_parts(None, same, whole=False) == {"version": 5, "state": same}


def test_audiences_given_the_same_push_share_one_emit(monkeypatch):
    """realtime._alike: equal payloads go out in one emit to all their rooms (encoded once);
    different ones apart; a room nobody is in is left out."""
    empty = {"c1:screen:parts"}
    monkeypatch.setattr(realtime, "_may_have_sockets", lambda room: room not in empty)
    scale = {"rounds": [{"id": 1, "answered": 2}]}
    family = {"version": 5, "since": 4, "state": {"version": 5, "viewer": {}, "scale": scale}}
    screen = {"version": 5, "since": 4, "state": {"version": 5, "viewer": {}, "scale": scale}}
    staff = {"version": 5, "since": 4, "state": {"version": 5, "viewer": {}, "scale": {}}}
    behind = {"version": 5, "since": 3, "state": {"version": 5, "viewer": {}, "scale": scale}}
    groups = realtime._alike(
        [(staff, "staff"), (family, "family"), (screen, "screen"), (behind, "pro")]
    )
    assert groups == [(staff, ["staff"]), (family, ["family", "screen"]), (behind, ["pro"])]
    assert realtime._alike([(family, "family"), (screen, "c1:screen:parts")]) == [
        (family, ["family"])
    ]
