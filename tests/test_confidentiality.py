"""Who sees what (DESIGN.md §4), proven on the wire: a whole scripted meeting on the real server.

The eventlet server runs in its own process (tests/conftest.py ``Server``); each audience is a
real HTTP session plus a real Socket.IO client: the chair's console, the shared screen, the
minute-taker, a professional, a family member, and a family member of *another* conference. Every
byte each receives (page and API bodies, socket events, acknowledgements) is kept with the phase
of the meeting it arrived in. Marker strings sit in the places that must not travel: restricted
report sections, an unshared report, a draft, notes and plan actions made in a closed session,
and scale reasons before the reveal. The tests then search each audience's capture.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
import socketio

from conference_room import councils
from conference_room import db as database
from conference_room.services import accounts
from tests.conftest import PASSWORD, Server, conference_payload
from tests.report_helpers import complete_report

RESTRICTED = "MARK-RESTRICTED-7f3a"
UNSHARED = "MARK-UNSHARED-91bc"
NOT_SHARED_REASON = "MARK-NOT-SHARED-WHY-2b11"
DRAFT = "MARK-DRAFT-c0de"
CLOSED_NOTE = "MARK-CLOSED-NOTE-5e5e"
CLOSED_ACTION = "MARK-CLOSED-ACTION-a11a"
PRO_REASON = "MARK-REASON-PRO-93aa"
PRO_NEXT = "MARK-NEXT-PRO-0f17"
FAMILY_REASON = "MARK-REASON-FAMILY-4d2e"
SHARED = "MARK-SHARED-OK-55d0"
# Everything that names conference A: its title, children and family.
FAMILY_NAME_A = "Quillfeather"
WAIT = 10  # seconds any one wait may take


class Audience:
    """One person's browser: an HTTP session and a socket, recording everything received."""

    def __init__(self, server: Server, name: str, meeting: Meeting):
        self.url = server.url
        self.name = name
        self.meeting = meeting
        self.http = requests.Session()
        self.csrf = ""
        self.lock = threading.Lock()
        self.captured: list[tuple[str, str, str, str]] = []  # (phase, kind, what, text)
        self.versions: list[int] = []
        # The socket's own HTTP session, closed in close() (the library would drop it unclosed).
        self.sio = socketio.Client(reconnection=False, http_session=requests.Session())
        self.sio.on("*", self._record_event)

    def _keep(self, kind: str, what: str, data) -> None:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        with self.lock:
            self.captured.append((self.meeting.phase, kind, what, text))

    def _record_event(self, event: str, data=None) -> None:
        self._keep("event", event, data)
        if event == "conference.changed" and isinstance(data, dict):
            with self.lock:
                self.versions.append(data.get("version", 0))

    def sign_in(self, email: str) -> Audience:
        answer = self.post("/api/v1/session", {"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        self.csrf = answer.json()["csrf_token"]
        return self

    def join_by_code(self, code: str, name: str, role: str = "family", **extra) -> int:
        answer = self.post("/api/v1/join", {"code": code, "name": name, "role": role, **extra})
        assert answer.status_code == 201, answer.text
        self.csrf = answer.json()["csrf_token"]
        return answer.json()["participant"]["id"]

    def get(self, path: str) -> requests.Response:
        answer = self.http.get(self.url + path, timeout=WAIT)
        self._keep("http", f"GET {path} {answer.status_code}", answer.text)
        return answer

    def post(self, path: str, body: dict) -> requests.Response:
        answer = self.http.post(
            self.url + path, json=body, headers={"X-CSRF-Token": self.csrf}, timeout=WAIT
        )
        self._keep("http", f"POST {path} {answer.status_code}", answer.text)
        return answer

    def connect(self, conference_id: int, view: str | None = None) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.sio.connect(self.url, headers={"Cookie": cookie}, wait_timeout=WAIT)
        payload = {"conference_id": conference_id, **({"view": view} if view else {})}
        return self.call("conference.join", payload)

    def call(self, event: str, payload: dict) -> dict:
        ack = self.sio.call(event, payload, timeout=WAIT)
        self._keep("ack", event, ack)
        return ack

    def saw_version(self, version: int) -> bool:
        with self.lock:
            return any(v >= version for v in self.versions)

    def text(
        self, *phases: str, kinds: tuple[str, ...] = ("event", "ack", "http"), but: str = ""
    ) -> str:
        """Return everything received (in ``phases``, or all; ``but`` one event), to search."""
        with self.lock:
            return "\n".join(
                text
                for phase, kind, what, text in self.captured
                if kind in kinds and (not phases or phase in phases) and what != but
            )

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
        self.sio.eio.http.close()
        self.http.close()


class Meeting:
    """The script's state: the current phase, and a wait for everyone to catch up."""

    phase = "setup"

    def __init__(self):
        self.people: dict[str, Audience] = {}

    def settle(self, version: int, who: list[str]) -> None:
        deadline = time.monotonic() + WAIT
        for name in who:
            while not self.people[name].saw_version(version):
                assert time.monotonic() < deadline, f"{name} never got version {version}"
                time.sleep(0.02)


def _ok(ack: dict) -> dict:
    assert ack["ok"], ack
    return ack


def _read_everything(person: Audience, conference_id: int, page: str) -> None:
    """The HTTP GETs a person of this audience may make: their page, snapshot, every report.

    The shared screen is the chair's browser showing /c/<id>/screen: its page reads nothing
    over HTTP but the QR code (everything else comes over its screen-view socket).
    """
    if person.name == "screen":
        person.get(f"/c/{conference_id}/screen")
        person.get(f"/c/{conference_id}/qr.svg")
        return
    person.get(page)
    person.get(f"/api/v1/conferences/{conference_id}")
    listed = person.get(f"/api/v1/conferences/{conference_id}/reports")
    if listed.status_code == 200:
        for report in listed.json():
            person.get(f"/api/v1/conferences/{conference_id}/reports/{report['id']}")


@pytest.fixture(scope="module")
def meeting(tmp_path_factory):
    """Run the whole meeting once; the tests below search what each audience received."""
    path = tmp_path_factory.mktemp("confidentiality") / "meeting.db"
    db = database.connect(path)
    database.upgrade(db)
    council = councils.ensure(db, "Testshire Council")
    for role in ("chair", "minute_taker"):
        accounts.create_user(
            db,
            council,
            {"email": f"{role}@t.example", "name": role, "role": role, "password": PASSWORD},
        )
    db.conn.close()
    server = Server(path).start()
    script = Meeting()
    try:
        _run_meeting(server, script)
        yield script
    finally:
        for person in script.people.values():
            person.close()
        server.stop()


def _run_meeting(server: Server, m: Meeting) -> None:
    people = m.people
    chair = people["chair"] = Audience(server, "chair", m).sign_in("chair@t.example")
    a = chair.post(
        "/api/v1/conferences",
        conference_payload(
            title=f"The {FAMILY_NAME_A} family",
            children=[{"name": f"Tamsin {FAMILY_NAME_A}", "date_of_birth": "2018-05-01"}],
            family_members=[
                {"name": f"Rowan {FAMILY_NAME_A}", "relationship": "mother", "household": True}
            ],
        ),
    ).json()
    b = chair.post("/api/v1/conferences", conference_payload(title="The Brightwater family")).json()
    cid = a["id"]
    base = {"author_name": "Sam Teacher", "agency": "Oak School", "role": "Teacher"}
    shared = {"worries": f"Shared worry {SHARED}"}
    assert (
        chair.post(
            f"/api/v1/conferences/{cid}/reports",
            {**base, "sections": shared, "restricted": RESTRICTED, "shared_with_family": True},
        ).status_code
        == 201
    )
    unshared = {
        **base,
        "agency": "Health",
        "sections": {"worries": f"Not yet shared {UNSHARED}"},
        "shared_with_family": False,
        "not_shared_reason": NOT_SHARED_REASON,
    }
    assert chair.post(f"/api/v1/conferences/{cid}/reports", unshared).status_code == 201
    invitation = chair.post(
        f"/api/v1/conferences/{cid}/invitations", {"name": "Dee Writer", "agency": "Police"}
    ).json()
    writer = requests.put(
        invitation["url"] + "/draft",
        json=complete_report(sections={"worries": f"Half written {DRAFT}"}),
        timeout=WAIT,
    )
    assert writer.status_code == 200, writer.text

    minutes = people["minutes"] = Audience(server, "minutes", m).sign_in("minute_taker@t.example")
    screen = people["screen"] = Audience(server, "screen", m)
    screen.http.cookies.update(chair.http.cookies)
    pro = people["professional"] = Audience(server, "professional", m)
    family = people["family"] = Audience(server, "family", m)
    other = people["other_family"] = Audience(server, "other_family", m)
    pro_id = pro.join_by_code(a["join_code"], "Pat Nurse", "professional", agency="Health visiting")
    family_id = family.join_by_code(a["join_code"], f"Rowan {FAMILY_NAME_A}", relationship="Mum")
    other_id = other.join_by_code(b["join_code"], "Bea Brightwater", relationship="Mum")
    for conference, pid in ((cid, pro_id), (cid, family_id), (b["id"], other_id)):
        path = f"/api/v1/conferences/{conference}/participants/{pid}/admit"
        assert chair.post(path, {}).status_code == 200

    m.phase = "reading"
    _ok(chair.connect(cid))
    _ok(minutes.connect(cid))
    _ok(screen.connect(cid, view="screen"))
    _ok(pro.connect(cid))
    _ok(family.connect(cid))
    _ok(other.connect(b["id"]))
    # The other family tries conference A by every way a phone has.
    other.call("conference.join", {"conference_id": cid})
    _read_everything(other, cid, f"/c/{cid}")
    other.get(f"/j/{b['join_code']}")
    version = _ok(chair.call("stage.set", {"stage": "reading"}))["version"]
    m.settle(version, ["chair", "minutes", "screen", "professional", "family"])
    _read_everything(chair, cid, f"/c/{cid}/chair")
    _read_everything(minutes, cid, "/")
    _read_everything(screen, cid, f"/c/{cid}/screen")
    _read_everything(pro, cid, f"/c/{cid}")
    _read_everything(family, cid, f"/c/{cid}")
    for report_id in range(1, 4):  # including the ones not listed for them
        family.get(f"/api/v1/conferences/{cid}/reports/{report_id}")

    m.phase = "scaling"
    round_id = _ok(chair.call("scale.open", {"child_id": None}))["round_id"]
    _ok(
        pro.call(
            "scale.submit",
            {"round_id": round_id, "score": 3, "reason": PRO_REASON, "next_step": PRO_NEXT},
        )
    )
    _ok(family.call("scale.submit", {"round_id": round_id, "score": 7, "reason": FAMILY_REASON}))
    closed = _ok(chair.call("scale.close", {"round_id": round_id}))
    assert closed["round_id"] == round_id
    for person in (chair, minutes, screen, pro, family):
        person.get(f"/api/v1/conferences/{cid}")
        _ok(person.call("conference.join", {"conference_id": cid, **_view(person)}))

    m.phase = "revealed"
    _ok(chair.call("scale.reveal", {"round_id": round_id}))
    version = _ok(chair.call("stage.set", {"stage": "sharing"}))["version"]
    m.settle(version, ["chair", "minutes", "screen", "professional", "family"])

    m.phase = "closed_session"
    version = _ok(chair.call("closed_session.start", {}))["version"]
    m.settle(version, ["chair", "minutes", "screen", "professional", "family"])
    _ok(minutes.call("note.add", {"stage": "sharing", "text": f"Police said {CLOSED_NOTE}"}))
    action = {"what": f"Check {CLOSED_ACTION}", "who": "Police", "kind": "immediate"}
    _ok(chair.call("action.add", action))
    version = chair.get(f"/api/v1/conferences/{cid}").json()["version"]
    m.settle(version, ["chair", "minutes", "screen", "professional"])
    for person in (chair, minutes, screen, pro, family):
        _read_everything(person, cid, f"/c/{cid}")

    m.phase = "after"
    version = _ok(chair.call("closed_session.end", {}))["version"]
    m.settle(version, ["chair", "minutes", "screen", "professional", "family"])
    for person in (chair, minutes, screen, pro, family):
        _read_everything(person, cid, f"/c/{cid}")
        _ok(person.call("conference.join", {"conference_id": cid, **_view(person)}))
    _exports(chair, cid)


def _view(person: Audience) -> dict:
    return {"view": "screen"} if person.name == "screen" else {}


def _exports(chair: Audience, cid: int) -> None:
    """The family versions of the exports, fetched by the chair, once the export route exists.

    HOOK (exports are another engineer's work in progress): when ``GET /api/v1/conferences/{id}
    /export`` is in the OpenAPI description, every format of the family version is fetched and
    kept as the audience "family_export", which the tests below hold to the family's rules.
    """
    paths = requests.get(chair.url + "/api/v1/openapi.json", timeout=WAIT).json()["paths"]
    if "/api/v1/conferences/{id}/export" not in paths and not any(
        p.endswith("/export") for p in paths
    ):
        return
    export = Audience.__new__(Audience)
    export.__dict__.update(chair.__dict__)
    export.name, export.captured, export.lock = "family_export", [], threading.Lock()
    for fmt in ("md", "html", "json", "csv", "docx"):
        for document in ("decision", "record"):
            answer = chair.http.get(
                f"{chair.url}/api/v1/conferences/{cid}/export",
                params={"format": fmt, "audience": "family", "document": document},
                timeout=WAIT,
            )
            export._keep("http", f"export {fmt} {document}", _export_text(answer))
    chair.meeting.people["family_export"] = export


def _export_text(answer: requests.Response) -> str:
    if answer.headers.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument"
    ):
        import io

        import docx

        document = docx.Document(io.BytesIO(answer.content))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return answer.text


FAMILY_SIDE = ("family", "screen", "family_export")


def _audiences(meeting: Meeting, names) -> list[Audience]:
    return [meeting.people[name] for name in names if name in meeting.people]


def test_restricted_sections_reach_only_staff(meeting):
    for person in _audiences(meeting, ("professional", "other_family", *FAMILY_SIDE)):
        assert RESTRICTED not in person.text(), person.name
    for person in _audiences(meeting, ("chair", "minutes")):
        assert RESTRICTED in person.text(), f"{person.name} should have read it (capture works)"


def test_an_unshared_report_never_reaches_the_family_or_the_screen(meeting):
    for person in _audiences(meeting, ("other_family", *FAMILY_SIDE)):
        assert UNSHARED not in person.text(), person.name
    for person in _audiences(meeting, ("professional", "chair", "minutes")):
        assert UNSHARED in person.text(), person.name
    for person in _audiences(meeting, ("professional", "other_family", *FAMILY_SIDE)):
        assert NOT_SHARED_REASON not in person.text(), person.name


def test_a_draft_report_reaches_nobody(meeting):
    for person in meeting.people.values():
        assert DRAFT not in person.text(), person.name


def test_closed_session_notes_and_actions_never_reach_the_family_or_the_screen(meeting):
    for person in _audiences(meeting, ("other_family", *FAMILY_SIDE)):
        assert CLOSED_NOTE not in person.text(), person.name
        assert CLOSED_ACTION not in person.text(), person.name
    for name in ("chair", "minutes"):
        assert CLOSED_NOTE in meeting.people[name].text(), name
    for name in ("chair", "minutes", "professional"):
        assert CLOSED_ACTION in meeting.people[name].text(), name


def test_the_family_phone_gets_only_the_holding_screen_during_a_closed_session(meeting):
    family = meeting.people["family"]
    with family.lock:
        during = [c for c in family.captured if c[0] == "closed_session"]
    events = [json.loads(text) for _, kind, what, text in during if kind == "event"]
    assert events, "the family phone was not told the closed session started"
    for event in events:
        assert set(event["state"]) <= {"version", "audience", "viewer", "conference", "holding"}
        assert event["state"]["holding"] is True
    for what in [what for _, kind, what, _text in during if kind == "http"]:
        if "/api/v1/conferences/" in what and "/reports" in what:
            assert " 403" in what or " 404" in what, what
    assert SHARED not in "\n".join(text for _, kind, _w, text in during if kind != "http")


def test_nobody_sees_another_persons_score_or_reason_before_the_reveal(meeting):
    reasons = {"professional": (PRO_REASON, PRO_NEXT), "family": (FAMILY_REASON,)}
    for person in meeting.people.values():
        before = person.text("setup", "reading", "scaling")
        own = reasons.get(person.name, ())
        for name, markers in reasons.items():
            for marker in markers:
                if marker in own:
                    continue
                assert marker not in before, f"{person.name} saw {name}'s answer early"
        # conference.state goes to the joining socket alone, like the join ack: it may carry
        # the person's own answer; the room broadcasts and the HTTP snapshot may not.
        broadcasts = person.text("scaling", kinds=("event", "http"), but="conference.state")
        for marker in own:
            assert marker not in broadcasts, f"{person.name}'s own answer was broadcast"
        assert '"score"' not in broadcasts, f"{person.name} got a score before the reveal"
    for name in ("professional", "family", "screen", "chair"):
        after = meeting.people[name].text("revealed")
        assert PRO_REASON in after and FAMILY_REASON in after, name


def test_a_family_of_another_conference_learns_nothing_about_this_one(meeting):
    other = meeting.people["other_family"].text()
    for marker in (FAMILY_NAME_A, RESTRICTED, UNSHARED, SHARED, PRO_REASON, FAMILY_REASON):
        assert marker not in other
    assert "Brightwater" in other  # their own conference did reach them


def test_every_audience_was_captured(meeting):
    expected = {"chair", "minutes", "screen", "professional", "family", "other_family"}
    assert expected <= set(meeting.people)
    for name in expected:
        person = meeting.people[name]
        kinds = {kind for _, kind, _, _ in person.captured}
        assert {"event", "ack", "http"} <= kinds, (name, kinds)
