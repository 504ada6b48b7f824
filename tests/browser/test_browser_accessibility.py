"""WCAG 2.2 A/AA in a real browser: the pages outside the meeting, the keyboard alone, and
phone pages at 360 px and at 200% text size.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.meeting import (
    PARENT,
    TEACHER,
    api,
    join_by_code,
    let_in,
    open_room,
    set_up_conference,
    sign_in,
)
from tests.browser.people import (
    LAPTOP,
    NARROW_PHONE,
    PHONE,
    Person,
    check_focus,
    no_horizontal_scroll,
    tab_to,
    zoom_text,
)
from tests.conftest import PASSWORD

SIZES = {"phone": PHONE, "laptop": LAPTOP}


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_pages_around_the_meeting_have_no_wcag_violations(browser, site, recorder, size):
    chair = Person(browser, site.url, f"chair on a {size}", recorder, **SIZES[size])
    sign_in(chair, site.staff["chair"])
    conference = set_up_conference(chair)
    cid = conference["id"]
    invitation = api(
        chair, "POST", f"/api/v1/conferences/{cid}/invitations", {"name": "Dr Ali", "agency": "GP"}
    )
    page = chair.page
    for path, label in [
        ("/", "dashboard"),
        ("/conferences/new", "new conference form"),
        (f"/conferences/{cid}/edit", "edit conference form"),
        (f"/conferences/{cid}/invitations", "asking for reports"),
    ]:
        page.goto(path)
        chair.look(label)
    page.goto("/conferences/new")
    submit(page, "Set up the conference")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    chair.look("new conference form with mistakes")
    page.goto(f"/conferences/{cid}/invitations")
    page.get_by_label("Their name").fill("Ms Hart")
    page.get_by_label("Their organisation").fill("Health visiting")
    submit(page, "Make a private link")
    chair.look("a private link was made")

    stranger = Person(browser, site.url, f"stranger on a {size}", recorder, **SIZES[size])
    for path, label in [
        ("/login", "sign in"),
        ("/j", "join without a code"),
        (f"/j/{conference['join_code']}", "join with the code"),
        (urlsplit(invitation["url"]).path, "report writer"),
        ("/no-such-page", "not found"),
    ]:
        stranger.page.goto(path)
        stranger.look(label)
    stranger.page.goto("/login")
    stranger.page.get_by_label("Email address").fill("nobody@example.org")
    stranger.page.get_by_label("Password").fill("wrong password here")
    submit(stranger.page, "Sign in")
    expect(stranger.page.locator(".govuk-error-summary")).to_be_visible()
    stranger.look("sign in refused")
    stranger.page.goto("/j")
    submit(stranger.page, "Join")
    expect(stranger.page.locator(".govuk-error-summary")).to_be_visible()
    stranger.look("join with mistakes")

    admin = Person(browser, site.url, f"admin on a {size}", recorder, **SIZES[size])
    sign_in(admin, site.staff["admin"])
    admin.page.goto("/admin/settings")
    admin.look("council settings")
    admin.page.get_by_label("Flag scores at or below").fill("eleven")
    submit(admin.page, "Save settings")
    expect(admin.page.locator(".govuk-error-summary")).to_be_visible()
    admin.look("council settings with a mistake")

    minutes = Person(browser, site.url, f"minute-taker on a {size}", recorder, **SIZES[size])
    sign_in(minutes, site.staff["minute_taker"])
    minutes.look("minute-taker's start page")
    recorder.assert_accessible()


def test_a_meeting_works_with_the_keyboard_alone(browser, site, recorder):
    """Tab, Shift+Tab, Enter, Space (and arrows inside a radio group); focus always shows."""
    chair = Person(browser, site.url, "chair", recorder, **LAPTOP)
    page = chair.page
    page.goto("/login")
    tab_to(page, lambda name: name.startswith("INPUT#email"))
    page.keyboard.type(site.staff["chair"]["email"])
    page.keyboard.press("Tab")
    assert check_focus(page).startswith("INPUT#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    conference = set_up_conference(chair)
    page.goto(f"/c/{conference['id']}/chair")
    expect(page.locator("#join-code")).not_to_be_empty()

    # A teacher on a laptop joins by code with the keyboard.
    teacher = Person(browser, site.url, "teacher", recorder, **LAPTOP)
    phone = teacher.page
    phone.goto(f"/j/{conference['join_code']}")
    tab_to(phone, lambda name: name.startswith("INPUT#name"))
    phone.keyboard.type(TEACHER["name"])
    tab_to(phone, lambda name: name.startswith("INPUT#who-"))
    phone.keyboard.press("Space")
    assert phone.locator("#who-professional").is_checked()
    tab_to(phone, lambda name: name.startswith("INPUT#agency"))
    phone.keyboard.type(TEACHER["agency"])
    tab_to(phone, lambda name: name.startswith("BUTTON") and "Join" in name)
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Please wait")).to_be_visible()

    # The chair lets them in, moves to scaling and opens a round: keyboard only.
    tab_to(page, lambda name: f"Let in: {TEACHER['name']}" in name)
    page.keyboard.press("Enter")
    expect(phone.locator("#meeting")).to_be_visible()
    tab_to(page, lambda name: name.startswith("BUTTON") and name.endswith(" Scaling"))
    page.keyboard.press("Space")
    expect(page.locator(".cr-agenda__item--current")).to_have_text("Scaling")
    tab_to(page, lambda name: name.startswith("SELECT#scale-child"))
    page.keyboard.press("ArrowDown")
    expect(page.locator("#scale-child")).not_to_have_value("")
    tab_to(page, lambda name: "Open a round" in name)
    page.keyboard.press("Enter")

    # The teacher answers 6 with the keyboard: arrows move through the eleven choices.
    expect(phone.locator("label[for='score-0']")).to_be_visible()
    tab_to(phone, lambda name: name.startswith("INPUT#score-"))
    for _ in range(6):
        phone.keyboard.press("ArrowRight")
    check_focus(phone)
    expect(phone.locator("#score-6")).to_be_checked()
    tab_to(phone, lambda name: name.startswith("TEXTAREA#scale-reason"))
    phone.keyboard.type("School attendance is better since January.")
    tab_to(phone, lambda name: "Send my answer" in name)
    phone.keyboard.press("Enter")
    expect(phone.locator("#scale-body [role=status]")).to_contain_text("You chose 6")
    teacher.look("answered with the keyboard")

    # Close and reveal; tick a statement; start and end a closed session.
    tab_to(page, lambda name: "Close this round" in name)
    page.keyboard.press("Enter")
    tab_to(page, lambda name: "Reveal without names" in name)
    page.keyboard.press("Space")
    expect(phone.locator("#scale-body")).to_contain_text("Middle answer 6")
    tab_to(page, lambda name: name.startswith("INPUT#statement-"))
    page.keyboard.press("Space")
    expect(page.locator("input[id^=statement-]").first).to_be_checked()
    tab_to(page, lambda name: "Start closed session" in name, backwards=True)
    page.keyboard.press("Space")
    expect(page.locator("#closed-session")).to_have_attribute("aria-pressed", "true")
    chair.look("closed session started with the keyboard")
    tab_to(page, lambda name: "End closed session" in name)
    page.keyboard.press("Enter")
    expect(page.locator("#closed-session")).to_have_attribute("aria-pressed", "false")

    # Someone in the room without a phone, added through the details form.
    tab_to(page, lambda name: "Add someone without a phone" in name)
    page.keyboard.press("Enter")
    tab_to(page, lambda name: name.startswith("INPUT#apology-name"))
    page.keyboard.type("Grandma Pennick")
    tab_to(page, lambda name: "Here without a phone" in name)
    page.keyboard.press("Space")
    expect(page.locator("#admitted-people")).to_contain_text("Grandma Pennick")
    recorder.assert_accessible()


BANNER_SHOWS = """() => {
    const banner = document.getElementById("connection-status");
    const r = banner.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return r.top >= 0 && r.bottom <= innerHeight && Boolean(top) && banner.contains(top);
}"""


def test_focus_is_never_hidden_under_the_sticky_bars_of_a_family_phone(browser, site, recorder):
    chair, screen, conference = open_room(browser, site, recorder)
    # A parent using a keyboard with a phone-sized screen (switch access works the same way).
    parent = Person(
        browser,
        site.url,
        "parent",
        recorder,
        viewport={"width": 390, "height": 700},
        has_touch=True,
    )
    join_by_code(parent, conference["join_code"], PARENT)
    let_in(chair.page, PARENT["name"])
    page = parent.page
    expect(page.locator("#meeting")).to_be_visible()
    for offline in (False, True):
        parent.context.set_offline(offline)
        if offline:
            expect(page.locator("#connection-status")).to_have_text("Reconnecting…")
        page.keyboard.press("End")
        page.locator("footer").click()  # start from the end of the page
        stops = []
        for _ in range(60):
            page.keyboard.press("Shift+Tab")
            stops.append(check_focus(page))
            if offline:
                assert page.evaluate(BANNER_SHOWS), f"'Reconnecting…' is covered at {stops[-1]}"
            if "Exit this page" in stops[-1]:
                break
        assert "Exit this page" in stops[-1], stops
        assert len(stops) > 5, stops
        parent.look("tabbed back to the top" + (" while offline" if offline else ""))
    parent.context.set_offline(False)
    recorder.assert_accessible()


def phone_fits(person: Person, label: str) -> None:
    """The page fits 360 px with normal text and with text at 200%; photograph both."""
    no_horizontal_scroll(person.page)
    zoom_text(person.page, 200)
    try:
        no_horizontal_scroll(person.page)
        person.look(f"{label} at 200% text", scan=False)
    finally:
        zoom_text(person.page, 100)


def test_phone_pages_fit_360px_and_200_percent_text(browser, site, recorder):
    chair, screen, conference = open_room(browser, site, recorder)
    parent = Person(browser, site.url, "parent", recorder, **NARROW_PHONE)
    teacher = Person(browser, site.url, "teacher", recorder, **NARROW_PHONE)
    for person, who in ((parent, PARENT), (teacher, TEACHER)):
        person.page.goto(f"/j/{conference['join_code']}")
        phone_fits(person, "join form")
        join_by_code(person, conference["join_code"], who)
        phone_fits(person, "waiting")
        let_in(chair.page, who["name"])
        expect(person.page.locator("#meeting")).to_be_visible()
        phone_fits(person, "meeting")
        person.look("meeting at 360px")

    parent.page.get_by_role("button", name="Children's Social Care: Sam Okafor").tap()
    expect(parent.page.locator("#report-view")).to_contain_text("six times")
    phone_fits(parent, "report open")
    parent.page.locator("summary").first.tap()
    phone_fits(parent, "who's who explained")

    console = chair.page
    console.get_by_role("button", name="Scaling", exact=True).click()
    console.get_by_role("button", name="Open a round").click()
    for person, score in ((parent, 8), (teacher, 3)):
        expect(person.page.locator("label[for='score-0']")).to_be_visible()
        phone_fits(person, "scale open")
        person.page.locator(f"label[for='score-{score}']").tap()
        person.page.get_by_label("Why did you choose that number?").fill("A long reason " * 20)
        person.page.get_by_role("button", name="Send my answer").tap()
        expect(person.page.locator("#scale-body [role=status]")).to_contain_text(
            f"You chose {score}"
        )
        phone_fits(person, "answered")
        person.look("answered at 360px")
    console.get_by_role("button", name="Close this round").click()
    console.get_by_role("button", name="Reveal with names").click()
    for person in (parent, teacher):
        expect(person.page.locator("#scale-body")).to_contain_text("Middle answer")
        phone_fits(person, "revealed")
        person.look("revealed at 360px")

    console.get_by_role("button", name="Start closed session").click()
    expect(parent.page.get_by_role("heading", name="Please step out")).to_be_visible()
    phone_fits(parent, "closed session")
    parent.look("closed session at 360px")
    console.get_by_role("button", name="End closed session").click()
    expect(parent.page.locator("#meeting")).to_be_visible()
    console.get_by_role("button", name=f"Remove: {TEACHER['name']}").click()
    expect(teacher.page.get_by_role("heading", name="You are not in this meeting")).to_be_visible()
    phone_fits(teacher, "removed")
    teacher.look("removed at 360px")
    recorder.assert_accessible()
