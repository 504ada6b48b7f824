"""Live safety scaling through the socket: blind rounds, reveal, history, proxies, bad input."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest

from conference_room import db as database
from conference_room import queries
from conference_room.services import live, scaling
from tests.live_helpers import Phone, Socket, admit, drain, everything, latest

MUM_REASON = "ZZ-REASON-MUM-4d2e"
MUM_REASON_2 = "ZZ-REASON-MUM-CHANGED-b81c"
PRO_REASON = "ZZ-REASON-PRO-93aa"
PRO_NEXT = "ZZ-NEXT-PRO-0f17"
DAD_REASON = "ZZ-REASON-DAD-66c5"
SECRETS = (MUM_REASON, MUM_REASON_2, PRO_REASON, PRO_NEXT, DAD_REASON)


@pytest.fixture
def conference(room_conference):
    return room_conference


def open_round(room, child_index: int | None = 0, **extra) -> int:
    child_id = None if child_index is None else room.child_ids[child_index]
    ack = room.console.emit("scale.open", {"child_id": child_id, **extra})
    assert ack["ok"], ack
    return ack["round_id"]


def answer(phone, round_id, score, reason, **extra) -> dict:
    ack = phone.socket.emit(
        "scale.submit", {"round_id": round_id, "score": score, "reason": reason, **extra}
    )
    assert ack["ok"], ack
    return ack["answer"]


def rejoin_states(room) -> dict[str, dict]:
    """Every viewer's fresh snapshot, as a reconnecting client would get it."""
    cid = room.conference["id"]
    return {
        "console": room.console.emit("conference.join", {"conference_id": cid})["state"],
        "screen": room.screen.emit("conference.join", {"conference_id": cid, "view": "screen"})[
            "state"
        ],
        "dad": room.dad.join()["state"],
        "pro_http": room.pro.get(f"/api/v1/conferences/{cid}").get_json(),
        "family_http": room.dad.get(f"/api/v1/conferences/{cid}").get_json(),
        "chair_http": room.chair.get(f"/api/v1/conferences/{cid}").get_json(),
    }


def assert_blind(*chunks) -> None:
    text = everything(*chunks)
    assert '"score"' not in text
    assert '"tally"' not in text and '"median"' not in text
    for secret in SECRETS:
        assert secret not in text


def scale_tables(db) -> tuple:
    return (
        [tuple(r) for r in db.execute("SELECT * FROM scale_rounds ORDER BY id").fetchall()],
        [tuple(r) for r in db.execute("SELECT * FROM scale_answers ORDER BY id").fetchall()],
        db.execute("SELECT count(*) FROM audit_events").fetchone()[0],
        db.execute("SELECT version FROM conferences ORDER BY id").fetchall(),
    )


def test_open_answer_change_close_reveal_and_nobody_sees_a_score_before_the_reveal(room, db):
    round_id = open_round(room, 0, label="Amy: how safe is she at home?")
    opened = drain(room)
    for name, events in opened.items():
        rounds = latest(events)["scale"]["rounds"]
        assert [(r["id"], r["status"], r["title"]) for r in rounds] == [
            (round_id, "open", "Round 1")
        ], name
        assert rounds[0]["child_name"] == "Amy Example"
        assert (rounds[0]["answered"], rounds[0]["eligible"]) == (0, 3)

    first = answer(room.mum, round_id, 8, MUM_REASON)
    assert first["score"] == 8 and first["reason"] == MUM_REASON and first["id"]
    answer(room.pro, round_id, 6, PRO_REASON, next_step=PRO_NEXT)
    changed = answer(room.mum, round_id, 9, MUM_REASON_2)
    assert changed["id"] == first["id"] and changed["score"] == 9
    rows = db.execute("SELECT participant_id, score, reason FROM scale_answers").fetchall()
    assert sorted(tuple(r) for r in rows) == sorted(
        [(room.mum.id, 9, MUM_REASON_2), (room.pro.id, 6, PRO_REASON)]
    )

    while_open = drain(room)
    fresh = rejoin_states(room)
    # Nobody — not the chair, not the screen, not the answering phones — got a value or reason.
    assert_blind(while_open, fresh)
    for name, events in while_open.items():
        rounds = latest(events)["scale"]["rounds"]
        assert (rounds[0]["answered"], rounds[0]["eligible"]) == (2, 3), name
    console_round = fresh["console"]["scale"]["rounds"][0]
    assert console_round["answered_by"] == sorted([room.mum.id, room.pro.id])
    for name in ("screen", "dad", "pro_http", "family_http"):
        assert "answered_by" not in everything(fresh[name]), name
    # Mum's own answer comes back to her phone only, in her join ack.
    mine = room.mum.join()["state"]["viewer"]
    assert mine["my_answers"][str(round_id)]["score"] == 9
    assert mine["my_answers"][str(round_id)]["reason"] == MUM_REASON_2
    assert fresh["dad"]["viewer"]["my_answers"] == {}
    drain(room)

    assert room.console.emit("scale.close", {"round_id": round_id}) == {
        "ok": True,
        "round_id": round_id,
    }
    late = room.dad.socket.emit(
        "scale.submit", {"round_id": round_id, "score": 4, "reason": DAD_REASON}
    )
    assert late["ok"] is False and late["error"]["code"] == "conflict"
    assert "closed" in late["error"]["message"]
    closed = drain(room)
    assert_blind(closed, rejoin_states(room))
    assert latest(closed["pro"])["scale"]["rounds"][0]["status"] == "closed"

    assert room.console.emit("scale.reveal", {"round_id": round_id})["ok"]
    revealed = drain(room)
    for name in ("screen", "mum", "dad", "pro"):
        shown = latest(revealed[name])["scale"]["rounds"][0]
        assert shown["status"] == "revealed" and shown["show_names"] is False
        assert shown["tally"]["count"] == 2
        assert (shown["tally"]["min"], shown["tally"]["max"]) == (6, 9)
        assert shown["tally"]["median"] == 7.5
        assert shown["tally"]["distribution"]["family"][9] == 1
        assert shown["tally"]["distribution"]["professional"][6] == 1
        assert [(a["group"], a["score"], a["reason"]) for a in shown["answers"]] == [
            ("professional", 6, PRO_REASON),
            ("family", 9, MUM_REASON_2),
        ]
        assert shown["answers"][0]["next_step"] == PRO_NEXT
        text = everything(revealed[name])
        assert "Jo Example" not in everything(shown) and "Pat Teacher" not in everything(shown)
        assert "entered_by" not in text and "on_behalf" not in text and "answered_by" not in text
    staff_view = latest(revealed["console"])["scale"]["rounds"][0]
    assert [(a["name"], a["score"], a["on_behalf"]) for a in staff_view["answers"]] == [
        ("Jo Example", 9, False),
        ("Pat Teacher", 6, False),
    ]


def test_names_are_shown_only_when_the_chair_chooses(room):
    round_id = open_round(room, None)
    answer(room.mum, round_id, 5, MUM_REASON)
    answer(room.pro, round_id, 4, PRO_REASON)
    room.console.emit("scale.close", {"round_id": round_id})
    assert room.console.emit("scale.reveal", {"round_id": round_id, "show_names": True})["ok"]
    seen = drain(room)
    for name in ("screen", "dad", "pro"):
        shown = latest(seen[name])["scale"]["rounds"][0]
        assert shown["show_names"] is True and shown["child_id"] is None
        assert {(a["name"], a["score"]) for a in shown["answers"]} == {
            ("Jo Example", 5),
            ("Pat Teacher", 4),
        }


def test_a_revealed_round_never_changes_and_a_new_round_keeps_the_history(room, db):
    first = open_round(room, 0)
    answer(room.mum, first, 3, MUM_REASON)
    again = room.console.emit("scale.open", {"child_id": room.child_ids[1]})
    assert again["error"]["code"] == "conflict"  # one open round at a time
    room.console.emit("scale.close", {"round_id": first})
    room.console.emit("scale.reveal", {"round_id": first})
    before = scale_tables(db)
    for event, payload in (
        ("scale.submit", {"round_id": first, "score": 1, "reason": "again"}),
        ("scale.close", {"round_id": first}),
        ("scale.reveal", {"round_id": first, "show_names": True}),
    ):
        socket = room.mum.socket if event == "scale.submit" else room.console
        ack = socket.emit(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "conflict", (event, ack)
    assert scale_tables(db) == before

    second = open_round(room, 0, label="after discussion")
    answer(room.mum, second, 6, MUM_REASON_2)
    room.console.emit("scale.close", {"round_id": second})
    room.console.emit("scale.reveal", {"round_id": second})
    other_child = open_round(room, 1)
    rounds = latest(drain(room)["dad"])["scale"]["rounds"]
    assert [(r["id"], r["title"], r["child_name"], r["status"]) for r in rounds] == [
        (first, "Round 1", "Amy Example", "revealed"),
        (second, "Round 2", "Amy Example", "revealed"),
        (other_child, "Round 1", "Ben Example", "open"),
    ]
    assert rounds[0]["answers"][0]["score"] == 3 and rounds[1]["answers"][0]["score"] == 6
    assert rounds[1]["label"] == "after discussion"
    mine = room.mum.join()["state"]["viewer"]["my_answers"]
    assert {k: v["score"] for k, v in mine.items()} == {str(first): 3, str(second): 6}


def test_staff_answer_on_someones_behalf_and_it_is_marked(app, room, staff, db):
    minute_taker = staff("minute_taker")
    notes = Socket(app, minute_taker.client)
    assert notes.emit("conference.join", {"conference_id": room.conference["id"]})["ok"]
    round_id = open_round(room, 0)
    by_chair = room.console.emit(
        "scale.submit",
        {"round_id": round_id, "score": 4, "reason": DAD_REASON, "on_behalf_of": room.dad.id},
    )
    assert by_chair["ok"], by_chair
    assert by_chair["answer"]["participant_id"] == room.dad.id
    assert by_chair["answer"]["on_behalf"] is True
    by_notes = notes.emit(
        "scale.submit",
        {"round_id": round_id, "score": 7, "reason": PRO_REASON, "on_behalf_of": room.pro.id},
    )
    assert by_notes["ok"], by_notes
    rows = db.execute(
        "SELECT participant_id, entered_by_user_id FROM scale_answers ORDER BY participant_id"
    ).fetchall()
    assert sorted(tuple(r) for r in rows) == sorted(
        [(room.dad.id, room.chair.user["id"]), (room.pro.id, minute_taker.user["id"])]
    )
    # The dad's phone sees the answer given for him as his own.
    assert room.dad.join()["state"]["viewer"]["my_answers"][str(round_id)]["on_behalf"] is True
    room.console.emit("scale.close", {"round_id": round_id})
    room.console.emit("scale.reveal", {"round_id": round_id, "show_names": True})
    seen = drain(room)
    staff_answers = latest(seen["console"])["scale"]["rounds"][0]["answers"]
    assert {(a["name"], a["on_behalf"], a["entered_by_user_id"]) for a in staff_answers} == {
        ("Dan Example", True, room.chair.user["id"]),
        ("Pat Teacher", True, minute_taker.user["id"]),
    }
    for name in ("screen", "mum", "dad", "pro"):
        text = everything(seen[name])
        assert "entered_by" not in text and "Chair Person" not in text, name
        assert "Minute_Taker Person" not in text, name


def test_the_low_score_flag_reaches_only_staff(app, room, staff):
    minute_taker = staff("minute_taker")
    notes = Socket(app, minute_taker.client)
    assert notes.emit("conference.join", {"conference_id": room.conference["id"]})["ok"]
    round_id = open_round(room, 0)
    answer(room.pro, round_id, 3, PRO_REASON)  # above the default threshold of 2
    answer(room.mum, round_id, 2, MUM_REASON)
    seen = drain(room)
    flags = latest(seen["console"])["scale"]["flags"]
    assert flags == [{"round_id": round_id, "participant_id": room.mum.id}]
    staff_states = [e for e in notes.received() if e["name"] == "conference.changed"]
    assert staff_states[-1]["args"][0]["state"]["scale"]["flags"] == flags
    fresh = rejoin_states(room)
    assert fresh["chair_http"]["scale"]["flags"] == flags
    for name in ("screen", "mum", "dad", "pro"):
        assert '"flags"' not in everything(seen[name]) and '"threshold"' not in everything(
            seen[name]
        ), name
    for name in ("screen", "dad", "pro_http", "family_http"):
        assert '"flags"' not in everything(fresh[name]), name


def test_a_resent_answer_is_stored_once(room, db):
    round_id = open_round(room, 0)
    sent = {"round_id": round_id, "score": 4, "reason": MUM_REASON, "client_id": "tap-1"}
    first = room.mum.socket.emit("scale.submit", sent)
    again = room.mum.socket.emit("scale.submit", sent)
    assert first["ok"] and again["ok"]
    assert first["duplicate"] is False and again["duplicate"] is True
    assert again["answer"] == first["answer"]
    assert db.execute("SELECT count(*) FROM scale_answers").fetchone()[0] == 1
    submits = db.execute("SELECT count(*) FROM audit_events WHERE action = 'scale.submit'")
    assert submits.fetchone()[0] == 1
    # A newer answer, then a late copy of the older one: the newer answer stays.
    newer = {**sent, "score": 5, "reason": MUM_REASON_2, "client_id": "tap-2"}
    changed = room.mum.socket.emit("scale.submit", newer)["answer"]
    assert changed["score"] == 5 and changed["id"] == first["answer"]["id"]
    assert changed["created_at"] == first["answer"]["created_at"]  # changed, not made again
    late = room.mum.socket.emit("scale.submit", sent)
    assert late["ok"] and late["duplicate"] is True and late["answer"] == changed  # as stored
    row = db.execute("SELECT score, reason, client_id FROM scale_answers").fetchone()
    assert tuple(row) == (5, MUM_REASON_2, "tap-2")


def test_fifteen_phones_answering_at_once_are_all_stored(app, chair, conference, db, db_path):
    console = Socket(app, chair.client)
    console.emit("conference.join", {"conference_id": conference["id"]})
    phones = []
    for n in range(15):
        phone = Phone(
            app, conference["join_code"], f"Person {n}", role="professional", agency=f"Agency {n}"
        )
        admit(chair, conference, phone)
        assert phone.join()["ok"]
        phones.append(phone)
    round_id = console.emit("scale.open", {"child_id": None})["round_id"]
    for n, phone in enumerate(phones[:8]):  # through the sockets, one after another
        ack = phone.socket.emit(
            "scale.submit", {"round_id": round_id, "score": n % 11, "reason": f"Reason {n}"}
        )
        assert ack["ok"], ack
    # ...and the other seven in threads released together, each on its own connection.
    barrier = threading.Barrier(7)
    failures: list[BaseException] = []

    def send(n: int, phone: Phone) -> None:
        connection = database.connect(db_path)
        try:
            actor = live.participant_actor(queries.participant(connection, phone.id))
            barrier.wait()
            scaling.submit(
                connection,
                actor,
                conference["id"],
                {"round_id": round_id, "score": n % 11, "reason": f"Reason {n}"},
            )
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.conn.close()

    threads = [
        threading.Thread(target=send, args=(n, phone)) for n, phone in enumerate(phones) if n >= 8
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    rows = db.execute("SELECT participant_id, reason FROM scale_answers ORDER BY participant_id")
    assert [tuple(r) for r in rows] == [(p.id, f"Reason {n}") for n, p in enumerate(phones)]
    state = console.emit("conference.join", {"conference_id": conference["id"]})["state"]
    assert (state["scale"]["rounds"][0]["answered"], state["scale"]["rounds"][0]["eligible"]) == (
        15,
        15,
    )


@pytest.fixture
def open_scale(room):
    """A room with an open round, a closed one, a revealed one and another conference's round."""
    revealed = open_round(room, 1)
    room.console.emit("scale.close", {"round_id": revealed})
    room.console.emit("scale.reveal", {"round_id": revealed})
    closed = open_round(room, 1)
    room.console.emit("scale.close", {"round_id": closed})
    current = open_round(room, 0)
    answer(room.mum, current, 5, MUM_REASON)
    drain(room)
    return SimpleNamespace(open=current, closed=closed, revealed=revealed)


@pytest.fixture
def other_round(app, chair, make_conference):
    other = make_conference(title="Another family")
    socket = Socket(app, chair.client)
    socket.emit("conference.join", {"conference_id": other["id"]})
    round_id = socket.emit("scale.open", {"child_id": None})["round_id"]
    socket.disconnect()
    return round_id


LONG = "x" * 20_000


@pytest.mark.parametrize(
    ("who", "event", "payload", "code", "message"),
    [
        ("mum", "scale.submit", {"score": 11}, "invalid", "score: must be 10 or less."),
        ("mum", "scale.submit", {"score": -1}, "invalid", "score: must be 0 or more."),
        ("mum", "scale.submit", {"score": 3.5}, "invalid", "score: must be a whole number."),
        ("mum", "scale.submit", {"score": "7"}, "invalid", "score: must be a whole number."),
        ("mum", "scale.submit", {"score": True}, "invalid", "score: must be a whole number."),
        ("mum", "scale.submit", {"score": None}, "invalid", "score: must be a whole number."),
        ("mum", "scale.submit", {"reason": ""}, "invalid", "reason: must not be empty."),
        ("mum", "scale.submit", {"reason": "   "}, "invalid", "reason: must not be empty."),
        ("mum", "scale.submit", {"reason": None}, "invalid", "reason: must be text."),
        (
            "mum",
            "scale.submit",
            {"reason": LONG},
            "invalid",
            "reason: must be at most 2000 characters.",
        ),
        (
            "pro",
            "scale.submit",
            {"next_step": LONG},
            "invalid",
            "next_step: must be at most 2000 characters.",
        ),
        (
            "pro",
            "scale.submit",
            {"client_id": "c" * 65},
            "invalid",
            "client_id: must be at most 64 characters.",
        ),
        ("pro", "scale.submit", {"colour": "red"}, "invalid", "colour: is not a field we know"),
        ("mum", "scale.submit", {"round_id": "closed"}, "conflict", "closed"),
        ("mum", "scale.submit", {"round_id": "revealed"}, "conflict", "revealed"),
        ("mum", "scale.submit", {"round_id": 999_999}, "not_found", "round_id: there is no"),
        ("mum", "scale.submit", {"round_id": "other"}, "not_found", "round_id: there is no"),
        ("mum", "scale.submit", {"round_id": "1"}, "invalid", "round_id: must be a whole number."),
        ("pro", "scale.submit", {"on_behalf_of": "dad"}, "forbidden", "on_behalf_of: only the"),
        ("mum", "scale.submit", {"on_behalf_of": "dad"}, "forbidden", "on_behalf_of: only the"),
        ("chair", "scale.submit", {}, "invalid", "on_behalf_of: staff answer only"),
        ("chair", "scale.submit", {"on_behalf_of": 999_999}, "not_found", "on_behalf_of:"),
        ("mum", "scale.open", {"child_id": None}, "forbidden", "Only the chair can open"),
        ("pro", "scale.open", {"child_id": None}, "forbidden", "Only the chair can open"),
        ("mum", "scale.close", {"round_id": "open"}, "forbidden", "Only the chair can close"),
        ("pro", "scale.close", {"round_id": "open"}, "forbidden", "Only the chair can close"),
        ("mum", "scale.reveal", {"round_id": "closed"}, "forbidden", "Only the chair can reveal"),
        ("dad", "scale.reveal", {"round_id": "closed"}, "forbidden", "Only the chair can reveal"),
        ("chair", "scale.open", {"child_id": 999_999}, "invalid", "child_id: there is no"),
        ("chair", "scale.open", {"child_id": "all"}, "invalid", "child_id:"),
        ("chair", "scale.open", {"child_id": None}, "conflict", "still open"),
        ("chair", "scale.close", {"round_id": "other"}, "not_found", "round_id: there is no"),
        ("chair", "scale.close", {"round_id": "closed"}, "conflict", "already closed"),
        ("chair", "scale.reveal", {"round_id": "open"}, "conflict", "Close the scaling round"),
        ("chair", "scale.reveal", {"round_id": "revealed"}, "conflict", "already been revealed"),
        ("chair", "scale.reveal", {"round_id": "other"}, "not_found", "round_id: there is no"),
        (
            "chair",
            "scale.reveal",
            {"round_id": "closed", "show_names": "yes"},
            "invalid",
            "show_names: must be true or false.",
        ),
        ("chair", "scale.close", {}, "invalid", "round_id: is required."),
    ],
)
def test_bad_scaling_input_is_refused_and_changes_nothing(
    room, open_scale, other_round, db, who, event, payload, code, message
):
    rounds = {
        "open": open_scale.open,
        "closed": open_scale.closed,
        "revealed": open_scale.revealed,
        "other": other_round,
    }
    sent = dict(payload)
    if event == "scale.submit":
        sent = {"round_id": open_scale.open, "score": 4, "reason": "A reason", **sent}
        if "round_id" in payload and payload["round_id"] in rounds:
            sent["round_id"] = rounds[payload["round_id"]]
        if sent.get("on_behalf_of") == "dad":
            sent["on_behalf_of"] = room.dad.id
        if who == "chair" and "on_behalf_of" not in payload:
            sent.pop("on_behalf_of", None)
    elif sent.get("round_id") in rounds:
        sent["round_id"] = rounds[sent["round_id"]]
    socket = room.console if who == "chair" else getattr(room, who).socket
    before = scale_tables(db)
    ack = socket.emit(event, sent)
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == code, ack
    assert message in ack["error"]["message"], ack
    assert scale_tables(db) == before
    assert_blind(drain(room)["dad"])


def test_only_admitted_people_can_answer_and_staff_cannot_answer_for_a_waiting_person(
    app, room, db
):
    round_id = open_round(room, 0)
    waiting = Phone(app, room.conference["join_code"], "Late Person")
    assert waiting.join()["error"]["code"] == "waiting"
    ack = waiting.socket.emit("scale.submit", {"round_id": round_id, "score": 5, "reason": "x"})
    assert ack["ok"] is False
    proxied = room.console.emit(
        "scale.submit",
        {"round_id": round_id, "score": 5, "reason": "x", "on_behalf_of": waiting.id},
    )
    assert proxied["ok"] is False and proxied["error"]["code"] == "conflict"
    assert db.execute("SELECT count(*) FROM scale_answers").fetchone()[0] == 0


def test_the_tally_rules():
    from conference_room.rules import scale

    empty = scale.tally([])
    assert (empty["count"], empty["median"], empty["min"], empty["max"]) == (0, None, None, None)
    result = scale.tally([("family", 2), ("professional", 4), ("family", 9)])
    assert (result["count"], result["median"], result["min"], result["max"]) == (3, 4, 2, 9)
    assert result["distribution"]["family"] == [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    assert (
        result["distribution"]["professional"][4] == 1 and sum(result["distribution"]["all"]) == 3
    )
    assert scale.tally([("family", 3), ("family", 4)])["median"] == 3.5
    with pytest.raises(ValueError):
        scale.tally([("family", 11)])
    assert [scale.is_flagged(s, 2) for s in (0, 2, 3)] == [True, True, False]
    assert [scale.is_flagged(s, 2, reversed_scale=True) for s in (7, 8, 10)] == [False, True, True]
    assert scale.group_of("professional") == "professional" and scale.group_of("child") == "family"
    titles = scale.round_titles(
        [{"id": 1, "child_id": 5}, {"id": 2, "child_id": None}, {"id": 3, "child_id": 5}]
    )
    assert titles == {1: "Round 1", 2: "Round 1", 3: "Round 2"}


def test_one_point_up_becomes_a_draft_plan_action_once(app, chair, db):
    from tests.conftest import conference_payload
    from tests.live_helpers import Phone, Socket

    created = chair.post("/api/v1/conferences", json=conference_payload()).get_json()
    console = Socket(app, chair.client)
    console.emit("conference.join", {"conference_id": created["id"]})
    mum = Phone(app, created["join_code"], "Jo")
    chair.post(f"/api/v1/conferences/{created['id']}/participants/{mum.id}/admit")
    mum.join()
    round_id = console.emit("scale.open", {"child_id": None})["round_id"]
    answer = mum.socket.emit(
        "scale.submit",
        {
            "round_id": round_id,
            "score": 4,
            "reason": "Calmer",
            "next_step": "Nan picks Amy up on Fridays",
        },
    )
    early = console.emit("action.draft", {"answer_id": answer["answer"]["id"]})
    assert early["error"]["code"] == "conflict"  # not revealed yet
    console.emit("scale.close", {"round_id": round_id})
    console.emit("scale.reveal", {"round_id": round_id})
    made = console.emit("action.draft", {"answer_id": answer["answer"]["id"]})
    assert made["ok"] and made["action"]["what"] == "Nan picks Amy up on Fridays"
    assert console.states()[-1]["plan_drafts"][0]["source_answer_id"] == answer["answer"]["id"]
    again = console.emit("action.draft", {"answer_id": answer["answer"]["id"]})
    assert again["error"]["code"] == "conflict"
    assert (
        mum.socket.emit("action.draft", {"answer_id": answer["answer"]["id"]})["error"]["code"]
        == "forbidden"
    )
    assert db.execute("SELECT count(*) FROM plan_actions WHERE draft = 1").fetchone()[0] == 1
    assert "plan_drafts" not in mum.join()["state"]


def test_the_chair_answers_for_someone_in_the_room_without_a_phone(app, chair):
    from tests.conftest import conference_payload
    from tests.live_helpers import Socket

    created = chair.post("/api/v1/conferences", json=conference_payload()).get_json()
    added = chair.post(
        f"/api/v1/conferences/{created['id']}/participants",
        json={"name": "Grandad", "role": "family"},
    )
    assert added.status_code == 201 and added.get_json()["participant"]["status"] == "admitted"
    console = Socket(app, chair.client)
    console.emit("conference.join", {"conference_id": created["id"]})
    round_id = console.emit("scale.open", {"child_id": None})["round_id"]
    ack = console.emit(
        "scale.submit",
        {
            "round_id": round_id,
            "score": 7,
            "reason": "Told me",
            "on_behalf_of": added.get_json()["participant"]["id"],
        },
    )
    assert ack["ok"] and ack["answer"]["on_behalf"] is True


def test_a_round_held_during_a_closed_session_never_reaches_the_family_or_the_screen(room):
    """The family were out of the room: the round, its reasons and its tally stay with staff
    and professionals after they come back, live as in the family export."""
    assert room.console.emit("closed_session.start", {})["ok"]
    secret = "Police intelligence about the new partner, said while the family were out."
    closed_round = open_round(room)
    answer(room.pro, closed_round, 2, secret)
    assert room.console.emit("scale.close", {"round_id": closed_round})["ok"]
    assert room.console.emit("scale.reveal", {"round_id": closed_round, "show_names": True})["ok"]
    assert room.console.emit("closed_session.end", {})["ok"]
    open_round(room)  # a round with the family back, which everyone sees
    pushed = {name: latest(events) for name, events in drain(room).items()}
    fresh = rejoin_states(room)
    family_views = [pushed["mum"], pushed["dad"], pushed["screen"]]
    family_views += [fresh["dad"], fresh["family_http"], fresh["screen"]]
    for state in family_views:
        assert [r["id"] for r in state["scale"]["rounds"]] == [closed_round + 1]
        assert secret not in json.dumps(state)
    staff_views = [pushed["console"], pushed["pro"], fresh["console"], fresh["pro_http"]]
    for state in staff_views:
        assert [r["id"] for r in state["scale"]["rounds"]] == [closed_round, closed_round + 1]
    assert secret in json.dumps(fresh["console"])


def test_eligible_counts_the_people_let_in_and_anyone_who_answered(app, room):
    round_id = open_round(room, 0)
    late = Phone(app, room.conference["join_code"], "Late Person")
    assert late.join()["error"]["code"] == "waiting"

    def eligible() -> set[int]:
        return {state["scale"]["rounds"][0]["eligible"] for state in rejoin_states(room).values()}

    assert eligible() == {3}  # mum, dad and the professional: not the one still waiting
    admit(room.chair, room.conference, late)
    assert eligible() == {4}
    answer(room.mum, round_id, 4, MUM_REASON)
    conference_id, mum_id = room.conference["id"], room.mum.id
    for person in (mum_id, late.id):
        removed = room.chair.post(
            f"/api/v1/conferences/{conference_id}/participants/{person}/remove"
        )
        assert removed.status_code == 200, removed.get_json()
    # The mum's answer still counts after she left; the late person, who gave none, no longer.
    assert eligible() == {3}
