"""A push runs after COMMIT, in the request that wrote (realtime.dispatch). If building or
sending it fails, the write is still stored, so its writer must still be told it was saved,
and the next push must bring every viewer up to date."""

from __future__ import annotations

import pytest

from conference_room import concurrency, queries, realtime
from conference_room.db import connect
from tests.live_helpers import drain


def stored_scores(app, conference_id: int) -> list[int]:
    db = connect(app.config["DATABASE"])
    try:
        return [answer["score"] for answer in queries.scale_answers(db, conference_id)]
    finally:
        db.conn.close()


@pytest.mark.parametrize("mode", ["threading", "eventlet"])
def test_a_push_that_fails_still_tells_the_writer_it_was_saved(
    app, room, monkeypatch, mode, caplog
):
    # The green modes' path (one sender per conference) is taken by saying the mode is green;
    # the test server itself stays threaded.
    monkeypatch.setattr(concurrency, "active_mode", lambda: mode)
    room.console.emit("stage.set", {"stage": "scaling"})
    round_id = room.console.emit("scale.open", {"child_id": room.child_ids[0]})["round_id"]
    drain(room)

    def broken(conference_id, changes):
        raise RuntimeError("the push broke")

    building = realtime._broadcast_state
    monkeypatch.setattr(realtime, "_broadcast_state", broken)
    ack = room.mum.socket.emit("scale.submit", {"round_id": round_id, "score": 4, "reason": "a"})
    assert ack["ok"], ack
    assert stored_scores(app, room.conference["id"]) == [4]
    assert "pushing conference" in caplog.text and "the push broke" in caplog.text
    assert not any(s.states() for s in room.sockets.values())  # nothing went out
    assert room.conference["id"] not in realtime._sending  # the next push is not held back

    monkeypatch.setattr(realtime, "_broadcast_state", building)
    ack = room.pro.socket.emit("scale.submit", {"round_id": round_id, "score": 6, "reason": "b"})
    assert ack["ok"], ack
    for name, socket in room.sockets.items():
        newest = socket.states()[-1]
        assert newest["scale"]["rounds"][-1]["answered"] == 2, name
