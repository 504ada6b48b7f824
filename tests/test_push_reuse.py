"""A push after a scale answer or a plan change rebuilds only what those can change (realtime.py
PARTS_CHANGED_BY) and takes the rest from the state it sent last. These tests hold it to the
one rule that matters: every state pushed is exactly the snapshot built afresh at that version."""

from __future__ import annotations

import json

import pytest

from conference_room import presenters, queries, realtime
from conference_room.db import connect
from tests.live_helpers import Phone, admit, chair_steps_after_a_round

AUDIENCE = {
    "console": "staff",
    "screen": "screen",
    "mum": "family",
    "dad": "family",
    "pro": "professional",
}


def fresh(app, conference_id: int, audience: str) -> dict:
    db = connect(app.config["DATABASE"])
    try:
        conference = queries.conference(db, conference_id)
        state = presenters.snapshot(
            db, conference, audience, present=realtime.present(conference_id)
        )
    finally:
        db.conn.close()
    return json.loads(json.dumps(state))


def check_every_push_is_fresh(app, room) -> int:
    """Compare each socket's newest pushed state with a fresh snapshot; return how many."""
    compared = 0
    for name, socket in room.sockets.items():
        states = socket.states()
        if not states:
            continue
        newest = json.loads(json.dumps(states[-1]))
        if newest.get("holding"):
            continue
        assert newest == fresh(app, room.conference["id"], AUDIENCE[name]), name
        compared += 1
    return compared


@pytest.fixture
def calls(monkeypatch):
    """Count how often each part of a snapshot is built (the real builders still run)."""
    counted: dict[str, int] = {}

    def counting(name, builder):
        def run(*args, **kwargs):
            counted[name] = counted.get(name, 0) + 1
            return builder(*args, **kwargs)

        return run

    for name in ("_participants", "_reports", "_children", "_scale"):
        monkeypatch.setattr(presenters, name, counting(name, getattr(presenters, name)))
    monkeypatch.setattr(presenters, "record_view", counting("record", presenters.record_view))
    # The scale's rows: after nothing but answers, only the answers are read again.
    for name in ("scale_rounds", "scale_answer_marks", "admitted_ids", "child_names"):
        monkeypatch.setattr(queries, name, counting(name, getattr(queries, name)))
    return counted


def test_every_push_equals_a_fresh_snapshot_through_a_varied_meeting(app, room, calls):
    cid = room.conference["id"]
    room.console.emit("stage.set", {"stage": "scaling"})
    assert check_every_push_is_fresh(app, room) == 5
    round_id = room.console.emit("scale.open", {"child_id": room.child_ids[0]})["round_id"]
    check_every_push_is_fresh(app, room)

    calls.clear()
    assert room.mum.socket.emit("scale.submit", {"round_id": round_id, "score": 4, "reason": "a"})[
        "ok"
    ]
    built = dict(calls)
    assert check_every_push_is_fresh(app, room) == 5
    # An answer (into an open round, which no trend shows) rebuilt the scale and nothing else,
    # once for each way of seeing it: the family's phones and the screen share one.
    assert built.get("_scale") == 3 and "record" not in built
    assert "_participants" not in built and "_reports" not in built and "_children" not in built
    # ... from the rows of the push before, with only the answers read again.
    assert built.get("scale_answer_marks") == 1
    assert not {"scale_rounds", "admitted_ids", "child_names"} & set(built)

    # Someone's phone drops: the next push must show them as gone, though only an answer changed.
    room.dad.socket.disconnect()
    room.sockets.pop("dad")
    calls.clear()
    assert room.pro.socket.emit("scale.submit", {"round_id": round_id, "score": 6, "reason": "b"})[
        "ok"
    ]
    built = dict(calls)
    assert check_every_push_is_fresh(app, room) == 4
    assert built.get("_participants") == 4 and "_reports" not in built

    assert not {"scale_rounds", "admitted_ids", "child_names"} & set(built)

    # A new person is let in (participants change: everything is rebuilt), then more answers.
    late = Phone(app, room.conference["join_code"], "Lee Late", role="professional", agency="GP")
    calls.clear()
    admit(room.chair, room.conference, late)
    assert {"scale_rounds", "admitted_ids", "child_names"} <= set(calls)
    assert late.join()["ok"]  # their socket arriving is told by conference.presence, not pushed
    for socket in room.sockets.values():
        socket.received()
    # The next push (an answer) shows them present, though only an answer changed since.
    assert late.socket.emit("scale.submit", {"round_id": round_id, "score": 7, "reason": "c"})["ok"]
    check_every_push_is_fresh(app, room)
    for event, payload in chair_steps_after_a_round(round_id, room.child_ids[0]):
        answer = room.console.emit(event, payload)
        assert answer["ok"], (event, answer)
        check_every_push_is_fresh(app, room)
    db = connect(app.config["DATABASE"])
    assert queries.conference(db, cid)["version"] > 10  # every change above was pushed
    db.conn.close()


def test_a_change_this_process_did_not_see_rebuilds_everything(app, room, calls):
    """A version bump the pushes never heard of (another process, a direct edit) must not let
    an old part through: the gap in versions makes the next push build every part."""
    round_id = room.console.emit("scale.open", {"child_id": room.child_ids[0]})["round_id"]
    check_every_push_is_fresh(app, room)
    db = connect(app.config["DATABASE"])
    with db.conn:
        db.execute("UPDATE children SET name = 'Renamed Child' WHERE id = ?", [room.child_ids[0]])
        queries.bump_version(db, room.conference["id"])
    db.conn.close()
    calls.clear()
    assert room.mum.socket.emit("scale.submit", {"round_id": round_id, "score": 3, "reason": "x"})[
        "ok"
    ]
    built = dict(calls)
    pushed = room.console.states()[-1]
    assert "Renamed Child" in json.dumps(pushed["children"])
    assert pushed["scale"]["rounds"][-1]["child_name"] == "Renamed Child"  # rows read again
    assert built.get("_children") == 4 and built.get("scale_rounds") == 1
    assert check_every_push_is_fresh(app, room) == 4  # the console's states were read above


def test_the_packet_class_encodes_as_socketio_does_and_refuses_bytes(app):
    """realtime.JsonPacket skips python-socketio's walk for binary attachments: the text sent is
    unchanged, and bytes in a payload fail loudly instead of going out unnoticed."""
    from socketio.packet import EVENT, Packet

    state = {"version": 3, "state": {"rounds": [{"a": 1, "b": [None, "x", 2.5]}], "é": "ü"}}
    ours = realtime.JsonPacket(EVENT, data=["conference.changed", state]).encode()
    assert ours == Packet(EVENT, data=["conference.changed", state]).encode()
    assert (
        realtime.socketio.server.packet_class is realtime.JsonPacket
        or realtime.socketio.server is None
    )
    with pytest.raises(TypeError):
        realtime.JsonPacket(EVENT, data=["conference.changed", {"file": b"\x00"}]).encode()


def test_audiences_share_a_scale_part_only_where_they_see_it_alike(app, room):
    """A push builds the scale part once per presenters.scale_view and gives it to every
    audience with that view. Through an open round, a revealed one without names and a round
    held in a closed session: each audience gets from the shared build exactly the part it
    gets built alone, and audiences with different views get different parts."""
    console, cid = room.console, room.conference["id"]
    first = console.emit("scale.open", {"child_id": room.child_ids[0]})["round_id"]
    for phone, score in ((room.mum, 3), (room.pro, 6)):
        answer = phone.socket.emit(
            "scale.submit", {"round_id": first, "score": score, "reason": "r"}
        )
        assert answer["ok"], answer
    for event, payload in (
        ("scale.close", {"round_id": first}),
        ("scale.reveal", {"round_id": first, "show_names": False}),
        ("closed_session.start", {}),
    ):
        assert console.emit(event, payload)["ok"], event
    second = console.emit("scale.open", {"child_id": room.child_ids[0]})["round_id"]
    assert room.pro.socket.emit("scale.submit", {"round_id": second, "score": 2, "reason": "s"})[
        "ok"
    ]
    audiences = ("staff", "professional", "family", "screen")
    db = connect(app.config["DATABASE"])
    try:
        conference = dict(queries.conference(db, cid), closed_session=0)  # no holding screen
        alone = {a: presenters.snapshot_parts(db, conference, a)[1]["scale"] for a in audiences}
        shared: dict = {}
        together = {
            a: presenters.snapshot_parts(db, conference, a, shared=shared)[1]["scale"]
            for a in audiences
        }
    finally:
        db.conn.close()
    assert together == alone
    assert together["family"] is together["screen"]  # built once
    assert len(alone["staff"]["scale"]["rounds"]) == 2
    assert len(alone["family"]["scale"]["rounds"]) == 1  # the closed-session round is not theirs
    for one in audiences:
        for other in audiences:
            if presenters.scale_view(one) != presenters.scale_view(other):
                assert alone[one] != alone[other], (one, other)
