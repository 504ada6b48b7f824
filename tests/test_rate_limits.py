"""Rate limits: guessing codes, passwords and links (per address and for everyone together),
and flooding with a right join code or report link."""

import re

import pytest

from conference_room.errors import TooManyRequests
from conference_room.rate_limits import RULES, Limiter
from tests.conftest import PASSWORD
from tests.report_helpers import Writer, complete_report

WRONG_CODE = "AAAAAAAAAA"


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app) -> FakeClock:
    """Give the app a limiter on a clock the test moves."""
    fake = FakeClock()
    app.extensions["cr_limiter"] = Limiter(clock=fake)
    return fake


def at(address: str) -> dict:
    """The request comes from ``address``."""
    return {"environ_base": {"REMOTE_ADDR": address}}


def join(client, code: str, name: str = "X", address: str = "10.0.0.1"):
    body = {"code": code, "name": name, "role": "family"}
    return client.post("/api/v1/join", json=body, **at(address))


def participants(db) -> int:
    return db.execute("SELECT COUNT(*) FROM participants").fetchone()[0]


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def assert_slowed(answer, words: str) -> None:
    assert answer.status_code == 429
    text = answer.get_data(as_text=True)
    assert words in text
    assert re.search(r"Try again in \d+ seconds|Wait \d+ seconds", text)
    assert int(answer.headers["Retry-After"]) > 0


# -- the rules ------------------------------------------------------------------------------


def test_the_limiter_forgets_failures_after_the_window():
    clock = FakeClock()
    limits = Limiter(clock=clock)
    for _ in range(RULES["join"].limit):
        limits.check("join", "1.2.3.4")
        limits.count("join", "1.2.3.4")
    with pytest.raises(TooManyRequests, match=r"Try again in \d+ seconds"):
        limits.check("join", "1.2.3.4")
    limits.check("join", "5.6.7.8")  # another address is not affected
    clock.now += RULES["join"].window
    limits.check("join", "1.2.3.4")


def test_take_counts_and_refuses_at_once_and_says_how_long_to_wait():
    clock = FakeClock()
    limits = Limiter(clock=clock)
    rule = RULES["join_conference"]
    limits.take("join_conference", "7")
    clock.now += 100  # the first use leaves the window 100 seconds before the others
    for _ in range(rule.limit - 1):
        limits.take("join_conference", "7")
    with pytest.raises(TooManyRequests) as refused:
        limits.take("join_conference", "7")
    assert refused.value.retry_after == rule.window - 100 + 1
    assert f"Try again in {rule.window - 100 + 1} seconds, or ask the chair" in str(
        refused.value.message
    )
    limits.take("join_conference", "8")  # another meeting is not affected
    clock.now += rule.window - 100
    limits.take("join_conference", "7")  # the first use has left the window
    with pytest.raises(TooManyRequests):
        limits.take("join_conference", "7")


def test_the_limiter_lets_go_of_addresses_it_no_longer_needs():
    clock = FakeClock()
    limits = Limiter(clock=clock)
    for number in range(5000):
        limits.count("join", f"10.1.{number // 256}.{number % 256}")
    assert len(limits) == 5000
    clock.now += RULES["join"].window
    for number in range(4000):
        limits.count("join", f"10.2.{number // 256}.{number % 256}")
    # The 5,000 stale addresses are dropped; only (at most) the 4,000 live ones are held.
    assert len(limits) <= 4000


def test_the_numbers_suit_a_real_meeting_and_a_real_writer():
    # 10-20 people whose phones rejoin, some sharing a phone, fit many times over.
    assert RULES["join_conference"].limit >= 3 * 20 and RULES["join_conference"].window >= 300
    # The page autosaves at most every 2 seconds (static/js/report-editor.js): 300 in 10 minutes.
    writes = RULES["link_writes"]
    assert writes.limit * 600 / writes.window >= 300
    assert writes.limit * 600 / writes.window < 1000
    # The service-wide ceilings are far above mistyping and far above one address's share.
    assert RULES["join_everyone"].limit >= 50 * RULES["join"].limit
    assert RULES["link_everyone"].limit >= 50 * RULES["link"].limit


# -- wrong join codes -----------------------------------------------------------------------


def test_guessing_join_codes_is_stopped_but_the_right_code_still_works_until_then(
    client, make_conference
):
    conference = make_conference()
    for _ in range(RULES["join"].limit):
        assert join(client, WRONG_CODE).status_code == 400
    blocked = join(client, conference["join_code"])
    assert_slowed(blocked, "from this connection")


def test_an_ipv6_guesser_counts_as_one_network_not_billions_of_addresses(client, make_conference):
    conference = make_conference()
    for number in range(RULES["join"].limit):
        assert join(client, WRONG_CODE, address=f"2001:db8:1:2::{number + 1:x}").status_code == 400
    assert join(client, conference["join_code"], address="2001:db8:1:2::ffff").status_code == 429
    assert join(client, conference["join_code"], address="2001:db8:1:3::1").status_code == 201


def test_a_room_of_phones_on_one_address_can_all_join(client, make_conference):
    conference = make_conference()
    for number in range(25):
        assert join(client, conference["join_code"], f"Person {number}").status_code == 201


def test_wrong_codes_from_many_addresses_pause_joining_until_the_window_passes(
    client, make_conference, db, clock
):
    conference = make_conference()
    ceiling, each = RULES["join_everyone"].limit, RULES["join"].limit
    for number in range(ceiling):  # spread so that no one address reaches its own limit
        address = f"10.{number // each // 250}.{number // each % 250}.1"
        assert join(client, WRONG_CODE, address=address).status_code == 400
    before = participants(db)
    paused = join(client, conference["join_code"], address="192.0.2.1")
    assert_slowed(paused, "joining is paused")
    assert "ask the chair" in paused.get_json()["error"]["message"]
    assert participants(db) == before
    clock.now += RULES["join_everyone"].window
    assert join(client, conference["join_code"], address="192.0.2.1").status_code == 201


def test_mistyped_codes_spread_over_a_busy_day_never_pause_joining(client, make_conference, clock):
    conference = make_conference()
    for number in range(300):  # far more mistakes than a council's busiest day
        assert (
            join(client, WRONG_CODE, address=f"10.9.{number // 250}.{number % 250}").status_code
            == 400
        )
        clock.now += 60
    assert join(client, conference["join_code"], address="192.0.2.1").status_code == 201


# -- one right join code, many joins --------------------------------------------------------


def test_one_code_joins_sixty_phones_then_slows_down_without_creating_anyone(
    client, make_conference, db, clock
):
    conference, other = make_conference(), make_conference()
    limit = RULES["join_conference"].limit
    for number in range(limit):
        answer = join(client, conference["join_code"], f"Person {number}", f"10.0.1.{number + 1}")
        assert answer.status_code == 201
    before = participants(db)
    refused = join(client, conference["join_code"], "One too many", "10.0.2.1")
    assert_slowed(refused, "Too many people have asked to join this meeting")
    assert "ask the chair" in refused.get_json()["error"]["message"]
    assert participants(db) == before
    # Not a guess: the address may still join another meeting, which is not affected.
    assert join(client, other["join_code"], "Someone", "10.0.2.1").status_code == 201
    clock.now += RULES["join_conference"].window
    assert join(client, conference["join_code"], "Later", "10.0.2.1").status_code == 201


def test_the_join_form_slows_a_flooded_code_with_a_plain_page(
    app, client, make_conference, db, clock
):
    conference = make_conference()
    for number in range(RULES["join_conference"].limit):
        assert (
            join(client, conference["join_code"], f"P{number}", f"10.0.3.{number + 1}").status_code
            == 201
        )
    before = participants(db)
    phone = app.test_client()  # a new phone, using the form
    page = phone.get(f"/j/{conference['join_code']}").get_data(as_text=True)
    form = {
        "csrf_token": _csrf(page),
        "code": conference["join_code"],
        "name": "Leanne",
        "who": "mum",
    }
    answer = phone.post(f"/j/{conference['join_code']}", data=form, **at("10.0.4.1"))
    assert_slowed(answer, "Too many people have asked to join this meeting")
    assert 'value="Leanne"' in answer.get_data(as_text=True)  # what they typed is kept
    assert participants(db) == before
    clock.now += RULES["join_conference"].window
    assert phone.post(f"/j/{conference['join_code']}", data=form).status_code == 302


def test_the_join_form_gives_429_for_too_many_wrong_codes(client, make_conference):
    make_conference()
    page = client.get("/j").get_data(as_text=True)
    form = {"csrf_token": _csrf(page), "code": WRONG_CODE, "name": "Leanne", "who": "mum"}
    for _ in range(RULES["join"].limit):
        assert client.post("/j", data=form).status_code == 400
    assert_slowed(client.post("/j", data=form), "Too many wrong join codes from this connection")


def test_join_links_with_wrong_codes_count_as_guesses_and_then_reveal_nothing(
    client, db, make_conference
):
    conference = make_conference()
    finished = make_conference()
    db.execute("UPDATE conferences SET status = 'closed' WHERE id = ?", [finished["id"]])
    # Not over the limit: a finished meeting's link says so; a wrong link says what to do.
    page = client.get(f"/j/{finished['join_code']}")
    assert page.status_code == 200 and "This meeting has finished" in page.get_data(as_text=True)
    wrong = client.get(f"/j/{WRONG_CODE}")
    assert wrong.status_code == 400 and "join code is not right" in wrong.get_data(as_text=True)
    for _ in range(RULES["join"].limit - 1):
        assert client.get(f"/j/{WRONG_CODE}").status_code == 400
    # Over it: neither a finished meeting nor a right code can be told from a wrong one.
    for code in (finished["join_code"], conference["join_code"], WRONG_CODE):
        answer = client.get(f"/j/{code}")
        assert_slowed(answer, "Too many wrong join codes from this connection")
        assert "finished" not in answer.get_data(as_text=True)
    # The links of right codes (and the form without a code) never count.
    other = at("10.0.9.1")
    for _ in range(RULES["join"].limit + 1):
        assert client.get(f"/j/{conference['join_code']}", **other).status_code == 200
        assert client.get(f"/j/{finished['join_code']}", **other).status_code == 200
        assert client.get("/j", **other).status_code == 200


# -- sign-in --------------------------------------------------------------------------------


def test_many_wrong_passwords_from_one_address_are_stopped(client, make_user):
    users = [make_user("chair") for _ in range(5)]
    for attempt in range(RULES["login"].limit):
        user = users[attempt % len(users)]  # spread so no single account locks first
        client.post("/api/v1/session", json={"email": user["email"], "password": "wrong"})
    blocked = client.post("/api/v1/session", json={"email": users[0]["email"], "password": "wrong"})
    assert_slowed(blocked, "from this connection")


def test_wrong_passwords_from_many_addresses_lock_the_account_everywhere(client, make_user):
    user = make_user("chair")
    for number in range(5):
        wrong = {"email": user["email"], "password": "wrong"}
        assert (
            client.post("/api/v1/session", json=wrong, **at(f"10.5.0.{number}")).status_code == 401
        )
    right = {"email": user["email"], "password": PASSWORD}
    assert_slowed(client.post("/api/v1/session", json=right, **at("10.6.0.1")), "ask an admin")
    page = client.get("/login").get_data(as_text=True)
    form = {**right, "csrf_token": _csrf(page)}
    assert_slowed(client.post("/login", data=form, **at("10.7.0.1")), "ask an admin")


# -- report links ---------------------------------------------------------------------------


@pytest.fixture
def writer(app, chair, make_conference) -> Writer:
    conference = make_conference()
    answer = chair.post(
        f"/api/v1/conferences/{conference['id']}/invitations",
        json={"name": "Sam Teacher", "agency": "Hill School"},
    )
    assert answer.status_code == 201, answer.get_json()
    return Writer(app, answer.get_json()["url"])


def test_guessing_report_links_is_stopped(client):
    for _ in range(RULES["link"].limit):
        assert client.get("/r/not-a-real-token").status_code == 404
    assert_slowed(client.get("/r/not-a-real-token"), "Too many wrong report links")


def test_wrong_links_from_many_addresses_pause_links_until_the_window_passes(client, writer, clock):
    ceiling, each = RULES["link_everyone"].limit, RULES["link"].limit
    for number in range(ceiling):
        address = f"10.{number // each // 250}.{number // each % 250}.2"
        assert client.get("/r/not-a-real-token", **at(address)).status_code == 404
    assert_slowed(writer.page(), "report links are paused")
    clock.now += RULES["link_everyone"].window
    assert writer.page().status_code == 200


def test_a_link_saved_too_often_is_slowed_and_keeps_what_was_saved(
    app, chair, make_conference, writer, db, clock
):
    draft = complete_report()
    limit = RULES["link_writes"].limit
    for number in range(limit - 1):
        assert writer.autosave({**draft, "role": f"Teacher {number}"}).status_code == 200
    assert writer.save_form({**draft, "role": "Last one"}).status_code == 303  # the form counts too
    saved = db.execute("SELECT draft FROM reports").fetchone()[0]
    refused = writer.autosave({**draft, "role": "One too many"})
    assert_slowed(refused, "saved very many times")
    assert "What you saved before is kept" in refused.get_json()["error"]["message"]
    assert db.execute("SELECT draft FROM reports").fetchone()[0] == saved
    assert_slowed(writer.submit_form(draft), "saved very many times")  # the page says so too
    assert writer.preview("Still previewing").status_code == 200  # counted on its own
    assert writer.page().status_code == 200  # reading is never slowed
    clock.now += RULES["link_writes"].window
    assert writer.autosave({**draft, "role": "Later"}).status_code == 200
