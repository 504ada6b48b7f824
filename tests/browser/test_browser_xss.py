"""The XSS corpus in a real browser: what hostile people type is shown as text, and never runs.

Names, organisations, job titles, report sections, scale reasons and "one point up", plan
actions, notes and the conference's title are filled with tests/xss_corpus.py. The chair's
console, the shared screen, the minute-taker's notes page and a family and a professional phone
are opened in Chromium (a phone also opens the report, whose sanitised HTML is the one place a
page inserts markup). Every page watches for ``securitypolicyviolation`` from the first byte:
markup that got into a page would be blocked by the Content-Security-Policy, and that block is
reported, so an empty list means nothing got in. No dialog may open either.
"""

from __future__ import annotations

import requests
import socketio
from playwright.sync_api import expect

from tests.browser.meeting import api, sign_in
from tests.browser.people import LAPTOP, PHONE, PROJECTOR, Person
from tests.xss_corpus import XSS_CORPUS

WATCH = """
window.__blocked = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__blocked.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
});
"""
WAIT = 10


def _usable(entry: str, limit: int) -> bool:
    try:
        entry.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return 0 < len(entry.strip()) <= limit


NAMES = [entry for entry in XSS_CORPUS if _usable(entry, 120)]
SAFE = "Sam Safe"  # a plain name, to know the page has drawn the list


class Watched(Person):
    """A browser context that records CSP blocks and dialogs on each of its pages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dialogs: list[str] = []
        self.context.add_init_script(WATCH)
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_nothing_ran(self) -> None:
        blocked = self.page.evaluate("window.__blocked")
        assert not blocked, f"{self.who}: the policy had to block {blocked[:5]}"
        assert not self.dialogs, f"{self.who}: a dialog opened: {self.dialogs[:5]}"


def _join(person: Person, code: str, body: dict) -> dict:
    answer = person.context.request.post("/api/v1/join", data={"code": code, **body})
    assert answer.ok, answer.text()
    return answer.json()


def _stranger_joins(site, chair: Person, conference: dict, body: dict) -> requests.Session:
    http = requests.Session()
    joined = http.post(
        site.url + "/api/v1/join", json={"code": conference["join_code"], **body}, timeout=WAIT
    )
    if joined.status_code == 201:
        pid = joined.json()["participant"]["id"]
        api(chair, "POST", f"/api/v1/conferences/{conference['id']}/participants/{pid}/admit")
    return http


def _socket(site, cookies: dict) -> socketio.Client:
    client = socketio.Client(reconnection=False, http_session=requests.Session())
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    client.connect(site.url, headers={"Cookie": cookie}, wait_timeout=WAIT)
    return client


def _close(client: socketio.Client) -> None:
    client.disconnect()
    client.eio.http.close()


def test_hostile_text_is_shown_as_text_and_never_runs(browser, site, recorder):
    chair = Watched(browser, site.url, "chair", recorder, **LAPTOP)
    sign_in(chair, site.staff["chair"])
    conference = api(
        chair,
        "POST",
        "/api/v1/conferences",
        {
            "kind": "initial",
            "scheduled_for": "2030-03-05T10:00",
            "title": NAMES[0],
            "venue": NAMES[1],
            "children": [{"name": NAMES[2], "date_of_birth": "2018-05-01"}],
            "family_members": [{"name": NAMES[3], "relationship": "mother", "household": True}],
        },
    )
    cid = conference["id"]
    everything = "\n\n".join(e for e in XSS_CORPUS if _usable(e, 20_000))
    report = {
        "author_name": NAMES[4],
        "agency": "Oak School",
        "role": NAMES[5],
        "sections": {"worries": everything, "working_well": everything[:20_000]},
        "restricted": everything,
        "shared_with_family": True,
    }
    api(chair, "POST", f"/api/v1/conferences/{cid}/reports", report)

    family = Watched(browser, site.url, "family phone", recorder, **PHONE)
    pro = Watched(browser, site.url, "professional phone", recorder, **PHONE)
    for person, body in (
        (family, {"name": SAFE, "role": "family", "relationship": NAMES[6][:60]}),
        (
            pro,
            {"name": NAMES[7], "role": "professional", "agency": NAMES[8], "job_title": NAMES[9]},
        ),
    ):
        pid = _join(person, conference["join_code"], body)["participant"]["id"]
        api(chair, "POST", f"/api/v1/conferences/{cid}/participants/{pid}/admit")
    strangers = [
        _stranger_joins(site, chair, conference, {"name": name, "role": "family"})
        for name in NAMES[10:40]
    ]

    # The live part, over real sockets: every stranger answers the scale with hostile reasons.
    staff_cookies = {c["name"]: c["value"] for c in chair.context.cookies()}
    console = _socket(site, staff_cookies)
    sockets = [console]
    try:
        assert console.call("conference.join", {"conference_id": cid}, timeout=WAIT)["ok"]
        round_id = console.call("scale.open", {"child_id": None, "label": NAMES[10]}, timeout=WAIT)
        for http, text in zip(strangers, NAMES[10:40], strict=True):
            phone = _socket(site, dict(http.cookies))
            sockets.append(phone)
            phone.call("conference.join", {"conference_id": cid}, timeout=WAIT)
            answer = {"round_id": round_id["round_id"], "score": 5, "reason": text}
            phone.call("scale.submit", {**answer, "next_step": text}, timeout=WAIT)
        console.call("scale.close", {"round_id": round_id["round_id"]}, timeout=WAIT)
        reveal = {"round_id": round_id["round_id"], "show_names": True}
        assert console.call("scale.reveal", reveal, timeout=WAIT)["ok"]
        for text in NAMES[:20]:
            action = {"what": text, "who": text, "by_when": text, "kind": "immediate"}
            assert console.call("action.add", action, timeout=WAIT)["ok"]
            note = {"stage": "sharing", "text": text}
            assert console.call("note.add", note, timeout=WAIT)["ok"]
    finally:
        for client in sockets:
            _close(client)
        for http in strangers:
            http.close()

    chair.page.goto(f"/c/{cid}/chair")
    expect(chair.page.get_by_text(SAFE).first).to_be_visible()
    expect(chair.page.get_by_text(NAMES[12], exact=True).first).to_be_attached()
    screen = Watched(
        browser,
        site.url,
        "shared screen",
        recorder,
        storage_state=chair.context.storage_state(),
        **PROJECTOR,
    )
    screen.open(f"/c/{cid}/screen")
    expect(screen.page.get_by_text(NAMES[11], exact=True).first).to_be_attached()
    minutes = Watched(browser, site.url, "minute-taker", recorder, **LAPTOP)
    sign_in(minutes, site.staff["minute_taker"])
    minutes.open(f"/c/{cid}/minutes")
    for phone in (family, pro):
        phone.open(f"/c/{cid}")
        expect(phone.page.get_by_text(SAFE).first).to_be_visible()
        phone.page.get_by_role("button", name="Oak School", exact=False).first.click()
        expect(phone.page.get_by_role("button", name="Close this report")).to_be_visible()
    # The watch works: markup put into a page by hand is blocked, and the block is reported.
    control = chair.context.new_page()
    control.goto(f"/c/{cid}/chair")
    control.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<img src=x onerror="alert(1)">')"""
    )
    control.wait_for_function("window.__blocked.length > 0", timeout=WAIT * 1000)
    control.close()
    people = (chair, screen, minutes, family, pro)
    for person in people:
        person.page.wait_for_timeout(300)  # let any late script or image try its luck
        person.look("hostile text", scan=False)
        person.assert_nothing_ran()
        person.close()
