"""The live room through its public surface: join, wait, admit, stages, closed session, reads."""

import pytest

from conference_room.realtime import socketio
from tests.live_helpers import Phone, Socket, everything

RESTRICTED_MARKER = "ZZ-RESTRICTED-7f3a"
UNSHARED_MARKER = "ZZ-UNSHARED-91bc"
SHARED_MARKER = "ZZ-SHARED-55d0"


@pytest.fixture
def conference(make_conference, chair):
    created = make_conference()
    base = {"author_name": "Sam Teacher", "agency": "Oak School", "role": "Teacher"}
    chair.post(
        f"/api/v1/conferences/{created['id']}/reports",
        json={
            **base,
            "sections": {"worries": f"Shared worry {SHARED_MARKER}"},
            "restricted": f"Police only {RESTRICTED_MARKER}",
            "shared_with_family": True,
        },
    )
    chair.post(
        f"/api/v1/conferences/{created['id']}/reports",
        json={
            **base,
            "author_name": "Hana Visitor",
            "agency": "Health",
            "sections": {"worries": f"Not yet shared {UNSHARED_MARKER}"},
            "shared_with_family": False,
            "not_shared_reason": "Meeting booked",
        },
    )
    return created


@pytest.fixture
def console(app, chair, conference):
    socket = Socket(app, chair.client)
    ack = socket.emit("conference.join", {"conference_id": conference["id"]})
    assert ack["ok"], ack
    socket.received()
    return socket


def admit(chair, conference, phone):
    answer = chair.post(f"/api/v1/conferences/{conference['id']}/participants/{phone.id}/admit")
    assert answer.status_code == 200, answer.get_json()


def test_join_wait_admit_then_snapshot(app, chair, conference, console):
    mum = Phone(app, conference["join_code"], "Jo", relationship="Mum")
    waiting = mum.join()
    assert waiting == {
        "ok": False,
        "error": {"code": "waiting", "message": "The chair has not let you in yet. Please wait."},
    }
    people = console.states()[-1]["participants"]
    assert [(p["name"], p["status"]) for p in people] == [("Jo", "waiting")]
    admit(chair, conference, mum)
    assert {
        "name": "participant.status",
        "args": [{"status": "admitted"}],
        "namespace": "/",
    } in mum.socket.received()
    joined = mum.join()
    assert joined["ok"] and joined["state"]["audience"] == "family"
    assert joined["state"]["conference"]["title"] == "The Example family"


def test_join_code_is_case_insensitive_and_ignores_dashes(app, conference):
    code = conference["join_code"]
    phone = Phone(app, f"{code[:5].lower()}-{code[5:]}", "Jo")
    assert phone.conference_id == conference["id"]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"code": "WRONGCODE1", "name": "Jo", "role": "family"}, 400, "code"),
        ({"name": "Jo", "role": "family"}, 400, "code"),
        ({"code": "X", "name": "", "role": "family"}, 400, "name"),
        ({"code": "X", "name": "J" * 500, "role": "family"}, 400, "name"),
        ({"code": "X", "name": "Jo", "role": "king"}, 400, "role"),
    ],
)
def test_bad_joins_are_refused_and_nothing_is_saved(client, db, conference, payload, status, field):
    if payload.get("code") == "X":
        payload["code"] = conference["join_code"]
    answer = client.post("/api/v1/join", json=payload)
    assert answer.status_code == status
    assert answer.get_json()["error"]["field"] == field
    assert db.execute("SELECT count(*) FROM participants").fetchone()[0] == 0


def test_a_professional_must_say_their_organisation(client, conference):
    answer = client.post(
        "/api/v1/join",
        json={"code": conference["join_code"], "name": "Pat", "role": "professional"},
    )
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == "agency"


def test_turned_away_phone_is_told_and_cut_off(app, chair, conference, console):
    stranger = Phone(app, conference["join_code"], "Stranger")
    stranger.join()
    answer = chair.post(
        f"/api/v1/conferences/{conference['id']}/participants/{stranger.id}/turn_away"
    )
    assert answer.status_code == 200
    assert not stranger.socket.io.is_connected()
    again = Socket(app, stranger.http)
    assert not again.io.is_connected()  # its cookie no longer opens a socket for anything
    assert stranger.get(f"/api/v1/conferences/{conference['id']}").status_code == 401


def test_removal_disconnects_at_once_and_the_cookie_stops_working(app, chair, conference, console):
    dad = Phone(app, conference["join_code"], "Dan", relationship="Dad")
    admit(chair, conference, dad)
    assert dad.join()["ok"]
    assert dad.get(f"/api/v1/conferences/{conference['id']}").status_code == 200
    chair.post(f"/api/v1/conferences/{conference['id']}/participants/{dad.id}/remove")
    assert not dad.socket.io.is_connected()
    assert dad.get(f"/api/v1/conferences/{conference['id']}").status_code == 401


def test_stage_changes_reach_every_viewer_with_increasing_versions(app, chair, conference, console):
    mum = Phone(app, conference["join_code"], "Jo")
    pro = Phone(app, conference["join_code"], "Pat", role="professional", agency="School")
    for phone in (mum, pro):
        admit(chair, conference, phone)
        assert phone.join()["ok"]
    screen = Socket(app, chair.client)
    assert screen.emit("conference.join", {"conference_id": conference["id"], "view": "screen"})[
        "ok"
    ]
    for socket in (console, mum.socket, pro.socket, screen):
        socket.received()
    versions = []
    for stage in ("welcome", "reading", "sharing"):
        ack = console.emit("stage.set", {"stage": stage})
        assert ack["ok"], ack
        versions.append(ack["version"])
    assert versions == sorted(versions) and len(set(versions)) == 3
    for socket in (console, mum.socket, pro.socket, screen):
        states = socket.states()
        assert [s["conference"]["stage"] for s in states] == ["welcome", "reading", "sharing"]
        assert [s["version"] for s in states] == versions


@pytest.mark.parametrize("stage", ["party", "", 3, None])
def test_a_bad_stage_is_refused_and_nothing_changes(chair, conference, console, db, stage):
    ack = console.emit("stage.set", {"stage": stage})
    assert not ack["ok"] and ack["error"]["message"].startswith("stage:")
    assert (
        db.execute("SELECT stage FROM conferences WHERE id = ?", [conference["id"]]).fetchone()[0]
        == "lobby"
    )


def test_family_and_professionals_cannot_run_the_meeting(app, chair, conference, db):
    mum = Phone(app, conference["join_code"], "Jo")
    pro = Phone(app, conference["join_code"], "Pat", role="professional", agency="School")
    for phone in (mum, pro):
        admit(chair, conference, phone)
        phone.join()
        for event, payload in (
            ("stage.set", {"stage": "decision"}),
            ("closed_session.start", {}),
            ("statement.read", {"key": "confidentiality"}),
        ):
            ack = phone.socket.emit(event, payload)
            assert not ack["ok"] and ack["error"]["code"] == "forbidden", (event, ack)
    row = db.execute("SELECT stage, closed_session FROM conferences").fetchone()
    assert tuple(row) == ("lobby", 0)


def test_events_before_joining_and_unknown_events_get_clear_errors(app, chair, conference):
    socket = Socket(app, chair.client)
    ack = socket.emit("stage.set", {"stage": "welcome"})
    assert ack["error"]["code"] == "not_joined"
    assert socket.emit("party.start", {})["error"]["code"] == "unknown_event"
    assert socket.emit("conference.join", ["not", "an", "object"])["error"]["code"] == "invalid"
    assert socket.emit("conference.join", {"conference_id": "1"})["error"]["code"] == "invalid"


def test_another_conference_is_unknown_to_a_phone(app, chair, make_conference, conference):
    other = make_conference(title="Other family")
    mum = Phone(app, conference["join_code"], "Jo")
    admit(chair, conference, mum)
    mum.connect()
    ack = mum.socket.emit("conference.join", {"conference_id": other["id"]})
    assert ack["error"]["code"] == "not_found"
    assert mum.get(f"/api/v1/conferences/{other['id']}").status_code == 401


def test_a_stranger_cannot_open_a_socket(app):
    stranger = socketio.test_client(app)
    assert not stranger.is_connected()


def test_reconnecting_phone_gets_everything_it_missed(app, chair, conference, console):
    mum = Phone(app, conference["join_code"], "Jo")
    admit(chair, conference, mum)
    mum.join()
    mum.socket.disconnect()
    console.emit("stage.set", {"stage": "welcome"})
    console.emit("statement.read", {"key": "confidentiality"})
    console.emit("stage.set", {"stage": "reading"})
    again = mum.join()["state"]
    chair_view = console.states()[-1]
    assert again["version"] == chair_view["version"]
    assert again["conference"]["stage"] == "reading"
    assert [s["read"] for s in again["statements"]] == [s["read"] for s in chair_view["statements"]]


def test_closed_session_family_hears_nothing_until_it_ends(app, chair, conference, console):
    mum = Phone(app, conference["join_code"], "Jo")
    pro = Phone(app, conference["join_code"], "Pat", role="professional", agency="School")
    for phone in (mum, pro):
        admit(chair, conference, phone)
        phone.join()
    for phone in (mum, pro):
        phone.socket.received()
    assert console.emit("closed_session.start")["ok"]
    holding = mum.socket.states()
    assert len(holding) == 1 and holding[0]["holding"] is True
    assert set(holding[0]) == {"version", "audience", "viewer", "conference", "holding"}
    console.emit("stage.set", {"stage": "sharing"})
    console.emit("statement.read", {"key": "recording"})
    assert mum.socket.received() == []
    assert [s["conference"]["stage"] for s in pro.socket.states()][-1] == "sharing"
    # Rejoining or asking over HTTP during it gives the holding screen only.
    assert mum.join()["state"]["holding"] is True
    assert mum.get(f"/api/v1/conferences/{conference['id']}").get_json()["holding"] is True
    report_id = pro.join()["state"]["reports"][0]["id"]
    blocked = mum.get(f"/api/v1/conferences/{conference['id']}/reports/{report_id}")
    assert blocked.status_code == 403
    assert console.emit("closed_session.end")["ok"]
    back = mum.socket.states()
    assert back and back[-1]["holding"] is False and back[-1]["conference"]["stage"] == "sharing"


def test_closed_session_cannot_start_twice(console):
    assert console.emit("closed_session.start")["ok"]
    again = console.emit("closed_session.start")
    assert again["error"]["code"] == "conflict"


def test_read_receipts_reach_the_chair(app, chair, conference, console):
    pro = Phone(app, conference["join_code"], "Pat", role="professional", agency="School")
    admit(chair, conference, pro)
    report = pro.join()["state"]["reports"][0]
    console.received()
    answer = pro.get(f"/api/v1/conferences/{conference['id']}/reports/{report['id']}")
    assert answer.status_code == 200
    reads = {r["id"]: r["read_by"] for r in console.states()[-1]["reports"]}
    assert reads[report["id"]] == [pro.id]
    pro.get(f"/api/v1/conferences/{conference['id']}/reports/{report['id']}")
    assert console.states() == []  # a second opening is not news


def test_family_see_only_shared_reports_and_never_restricted_text(app, chair, conference, console):
    mum = Phone(app, conference["join_code"], "Jo")
    pro = Phone(app, conference["join_code"], "Pat", role="professional", agency="School")
    for phone in (mum, pro):
        admit(chair, conference, phone)
    family_state = mum.join()["state"]
    pro_state = pro.join()["state"]
    assert len(family_state["reports"]) == 1 and len(pro_state["reports"]) == 2
    received = {"family": [family_state], "professional": [pro_state]}
    for phone, audience in ((mum, "family"), (pro, "professional")):
        for report in received[audience][0]["reports"]:
            body = phone.get(f"/api/v1/conferences/{conference['id']}/reports/{report['id']}")
            received[audience].append(body.get_json())
        received[audience].append(phone.get(f"/api/v1/conferences/{conference['id']}").get_json())
    console.emit("stage.set", {"stage": "reading"})
    received["family"] += mum.socket.received()
    received["professional"] += pro.socket.received()
    family_bytes = everything(received["family"])
    pro_bytes = everything(received["professional"])
    assert SHARED_MARKER in family_bytes
    assert UNSHARED_MARKER not in family_bytes and RESTRICTED_MARKER not in family_bytes
    assert SHARED_MARKER in pro_bytes and UNSHARED_MARKER in pro_bytes
    assert RESTRICTED_MARKER not in pro_bytes
    hidden = [
        r for r in pro_state["reports"] if r["id"] not in {x["id"] for x in family_state["reports"]}
    ][0]
    refused = mum.get(f"/api/v1/conferences/{conference['id']}/reports/{hidden['id']}")
    assert refused.status_code == 404


def test_the_shared_screen_gets_family_safe_content_even_when_the_chair_opens_it(
    app, chair, conference
):
    screen = Socket(app, chair.client)
    state = screen.emit("conference.join", {"conference_id": conference["id"], "view": "screen"})[
        "state"
    ]
    assert state["audience"] == "screen" and len(state["reports"]) == 1
    assert "join_code" in state["conference"]
    text = everything(state)
    assert UNSHARED_MARKER not in text and RESTRICTED_MARKER not in text


def test_a_phone_cannot_ask_for_the_screen_view(app, chair, conference):
    mum = Phone(app, conference["join_code"], "Jo")
    admit(chair, conference, mum)
    mum.connect()
    ack = mum.socket.emit("conference.join", {"conference_id": conference["id"], "view": "screen"})
    assert ack["error"]["code"] == "forbidden"


def test_presence_is_shown_to_the_chair(app, chair, conference, console):
    mum = Phone(app, conference["join_code"], "Jo")
    admit(chair, conference, mum)
    mum.join()
    presence = [
        e["args"][0]["present"] for e in console.received() if e["name"] == "conference.presence"
    ]
    assert presence[-1] == [mum.id]
    mum.socket.disconnect()
    presence = [
        e["args"][0]["present"] for e in console.received() if e["name"] == "conference.presence"
    ]
    assert presence[-1] == []


def test_apologies_are_recorded(chair, conference, console):
    answer = chair.post(
        f"/api/v1/conferences/{conference['id']}/apologies",
        json={"name": "Dr Lee", "role": "professional", "agency": "GP"},
    )
    assert answer.status_code == 201
    people = console.states()[-1]["participants"]
    assert ("Dr Lee", "apologies") in [(p["name"], p["status"]) for p in people]


def test_the_reports_list_is_filtered_for_each_attendee(app, chair, conference, console):
    mum = Phone(app, conference["join_code"], "Jo")
    pro = Phone(app, conference["join_code"], "Pat", role="professional", agency="School")
    for phone in (mum, pro):
        admit(chair, conference, phone)
    family_list = mum.get(f"/api/v1/conferences/{conference['id']}/reports").get_json()
    pro_list = pro.get(f"/api/v1/conferences/{conference['id']}/reports").get_json()
    assert len(family_list) == 1 and len(pro_list) == 2
    assert SHARED_MARKER in everything(family_list)
    assert UNSHARED_MARKER not in everything(family_list)
    assert RESTRICTED_MARKER not in everything(family_list, pro_list)
    staff_list = chair.get(f"/api/v1/conferences/{conference['id']}/reports").get_json()
    assert RESTRICTED_MARKER in everything(staff_list)


def test_a_new_report_reaches_the_room_at_once(app, chair, conference, console):
    pro = Phone(app, conference["join_code"], "Pat", role="professional", agency="School")
    admit(chair, conference, pro)
    before = pro.join()["state"]
    pro.socket.received()
    answer = chair.post(
        f"/api/v1/conferences/{conference['id']}/reports",
        json={
            "author_name": "Dr Late",
            "agency": "GP",
            "sections": {"worries": "New worry"},
            "shared_with_family": True,
        },
    )
    assert answer.status_code == 201
    latest = pro.socket.states()[-1]
    assert len(latest["reports"]) == len(before["reports"]) + 1
    assert latest["version"] > before["version"]


def test_joining_also_sends_the_contracts_conference_state_event(app, chair, conference):
    socket = Socket(app, chair.client)
    ack = socket.emit("conference.join", {"conference_id": conference["id"]})
    pushed = [e["args"][0] for e in socket.received() if e["name"] == "conference.state"]
    assert pushed == [ack["state"]]


def test_a_draft_report_is_not_shown_in_the_room_even_to_staff(app, chair, conference, console, db):
    invited = chair.post(
        f"/api/v1/conferences/{conference['id']}/invitations",
        json={"name": "Dr Draft", "agency": "GP"},
    )
    assert invited.status_code == 201
    state = console.emit("conference.join", {"conference_id": conference["id"]})["state"]
    assert "GP" not in [r["agency"] for r in state["reports"]]
    assert {"name": "Dr Draft", "agency": "GP"} in state["missing_reports"]


def test_each_viewer_gets_the_stages_in_its_own_words_and_the_date_in_words(
    app, chair, conference, console
):
    from conference_room.rules.stages import STAGES

    mum = Phone(app, conference["join_code"], "Jo", relationship="Mum")
    teacher = Phone(app, conference["join_code"], "Sam", role="professional", agency="School")
    for phone in (mum, teacher):
        admit(chair, conference, phone)
    screen = Socket(app, chair.client)
    join = {"conference_id": conference["id"]}
    states = {
        "family": mum.join()["state"],
        "professional": teacher.join()["state"],
        "screen": screen.emit("conference.join", {**join, "view": "screen"})["state"],
        "staff": console.emit("conference.join", join)["state"],
    }
    plain = [{"key": s.key, "title": s.family_title} for s in STAGES]
    usual = [{"key": s.key, "title": s.title} for s in STAGES]
    assert plain != usual  # the family's words differ from the professionals'
    assert states["family"]["stages"] == states["screen"]["stages"] == plain
    assert states["professional"]["stages"] == states["staff"]["stages"] == usual
    # 2030-03-05T10:00 (London time), read out the same way for everyone.
    assert {s["conference"]["when"] for s in states.values()} == {"Tuesday 5 March 2030, 10:00"}
