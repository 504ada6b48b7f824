"""A whole meeting in a real browser: a chair, the shared screen and three phones.

Every screen is photographed at every step (tests/artifacts/<test>/) and checked with axe-core
against WCAG 2.2 A/AA; the test fails if any page in any state has a violation.
"""

from __future__ import annotations

import zipfile
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from conference_room import events, la_settings, realtime
from tests.browser.chromium import ROOT
from tests.browser.meeting import (
    PARENT,
    SOCIAL_WORKER,
    TEACHER,
    join_by_code,
    let_in,
    open_room,
    phone,
    sign_in,
)
from tests.browser.people import LAPTOP, Person, readme_shot

assert events  # importing it registers every client event in realtime.EVENTS
LATER_EVENTS = {"action.add", "decision.record", "conference.close"}
SCORES = {SOCIAL_WORKER["name"]: 4, TEACHER["name"]: 5, PARENT["name"]: 7}


def later_steps_missing() -> list[str]:
    """Name what the meeting's later steps need and is not built yet (events, pages, export)."""
    scripts = "".join(p.read_text("utf-8") for p in (ROOT / "static" / "js").glob("*.js"))
    pages = "".join(p.read_text("utf-8") for p in (ROOT / "templates" / "live").glob("*.html"))
    missing = [f"the {name} event" for name in sorted(LATER_EVENTS - set(realtime.EVENTS))]
    missing += [f"{name} in the pages' scripts" for name in LATER_EVENTS if name not in scripts]
    for element in ("plan-add-form", "agreed-plan-list", "close-start", "export-family-letter"):
        if f'id="{element}"' not in pages:
            missing.append(f"#{element} in templates/live")
    return missing


def everyone_looks(room, label: str) -> None:
    """Each screen in the room is photographed and scanned at this step."""
    for person in room.people:
        person.look(label)


def meeting_until_the_reveal(browser, site, recorder) -> SimpleNamespace:
    """Run the meeting from signing in to the revealed scale; return everyone in the room."""
    chair, screen, conference = open_room(browser, site, recorder)
    chair.look("console before anyone joins")
    screen.look("shared screen lobby")

    phones = {
        who["name"]: phone(browser, site, recorder, who) for who in (SOCIAL_WORKER, TEACHER, PARENT)
    }
    for who in (SOCIAL_WORKER, TEACHER, PARENT):
        phones[who["name"]].page.goto(f"/j/{conference['join_code']}")
        phones[who["name"]].look("join form")
        join_by_code(phones[who["name"]], conference["join_code"], who)
        phones[who["name"]].look("waiting to be let in")
    chair.look("console with three people waiting")

    for name in phones:
        let_in(chair.page, name)
    for person in phones.values():
        expect(person.page.locator("#meeting")).to_be_visible()
    expect(screen.page.locator(".cr-screen__people li")).to_have_count(3)
    room = SimpleNamespace(
        chair=chair,
        screen=screen,
        conference=conference,
        phones=phones,
        parent=phones[PARENT["name"]],
        people=[chair, screen, *phones.values()],
    )
    everyone_looks(room, "everyone let in")

    # The parent reads the social worker's report, then the plain-English words.
    parent = room.parent.page
    parent.get_by_role("button", name="Children's Social Care: Sam Okafor").tap()
    view = parent.locator("#report-view")
    expect(view).to_contain_text("six times")
    expect(view).not_to_contain_text("police matter")  # restricted: never on a family phone
    room.parent.look("parent reads a report")
    parent.get_by_role("link", name="Words we use").tap()
    glossary = parent.locator("#glossary")
    expect(glossary).to_be_in_viewport()
    expect(glossary.locator("dt").first).to_be_visible()
    assert glossary.locator("dt").count() >= 5
    room.parent.look("parent reads the words we use")

    # The chair moves to scaling and opens a round for Amy.
    console = chair.page
    console.get_by_role("button", name="Scaling", exact=True).click()
    expect(room.parent.page.locator("#stage-title")).to_have_text("How safe are things?")
    expect(phones[TEACHER["name"]].page.locator("#stage-title")).to_have_text("Scaling")
    console.get_by_label("Scale for").select_option(label="Amy Pennick")
    console.get_by_label("Worry or question (optional)").fill("Is Amy warm and fed?")
    console.get_by_role("button", name="Open a round").click()
    count = screen.page.locator(".cr-screen__code")
    expect(count).to_have_text("0 of 3")
    everyone_looks(room, "a scale round is open")

    answered = 0
    for name, score in SCORES.items():
        page = phones[name].page
        page.locator(f"label[for='score-{score}']").tap()
        page.get_by_label("Why did you choose that number?").fill(f"{name} thinks it is {score}.")
        if name == PARENT["name"]:
            page.locator("#scale").evaluate("(panel) => panel.scrollIntoView()")
            readme_shot(page, "phone-scaling.png")
        page.get_by_role("button", name="Send my answer").tap()
        expect(page.locator("#scale-body [role=status]")).to_contain_text(f"You chose {score}")
        answered += 1
        expect(count).to_have_text(f"{answered} of 3")
        phones[name].look(f"{name} has answered")
    screen.look("shared screen counts the answers")
    # The answers' pushes leave the scale's wording out (a field of its own): each screen still
    # shows it, in its own words.
    wording = la_settings.defaults()["scale"]
    expect(screen.page.locator(".cr-screen__ends")).to_have_text(
        f"0: {wording['zero_family']}10: {wording['ten_family']}"
    )
    legend = "#scale-body legend"
    expect(room.parent.page.locator(legend)).to_have_text(wording["question_family"])
    expect(phones[TEACHER["name"]].page.locator(legend)).to_have_text(wording["question"])

    console.get_by_role("button", name="Close this round").click()
    console.get_by_role("button", name="Reveal without names").click()
    line = screen.page.locator("svg.cr-number-line")
    expect(line).to_be_visible()
    expect(line.locator("circle")).to_have_count(1)  # the parent
    expect(line.locator("rect")).to_have_count(2)  # the two professionals
    expect(line.locator("desc")).to_contain_text("Middle answer 5")
    for person in phones.values():
        expect(person.page.locator("#scale-body")).to_contain_text("Middle answer 5")
    everyone_looks(room, "the answers are revealed")
    readme_shot(screen.page, "shared-screen-reveal.png")
    readme_shot(chair.page, "chair-console.png", down_to="#scale-rounds")
    return room


PLAN = [
    (
        "Gran collects Amy from school every day",
        "Gran (Mary Pennick)",
        "every school day",
        "Immediate safety",
    ),
    (
        "If Jo cannot heat the house, Amy stays with Gran",
        "Jo and Gran",
        "whenever it happens",
        "What if",
    ),
]


def plan_decision_and_close(room: SimpleNamespace, browser, site, recorder) -> None:
    """The chair adds two plan actions (each reaches every phone), records the decision and
    category and closes; the minute-taker downloads the decision letter and the family version."""
    console = room.chair.page
    console.get_by_role("button", name="Plan", exact=True).click()
    for what, who, when, kind in PLAN:
        console.get_by_label("What will happen").fill(what)
        console.get_by_label("Who will do it").fill(who)
        console.get_by_label("By when, or how often").fill(when)
        console.locator("#plan-add-form label", has_text=kind).click()
        console.get_by_role("button", name="Add to the plan").click()
        for person in room.phones.values():
            expect(person.page.locator("#agreed-plan-list")).to_contain_text(what)
        everyone_looks(room, f"plan action added: {what}")

    console.get_by_role("button", name="Decision", exact=True).click()
    child = room.conference["children"][0]
    form = console.locator(f"#decision-{child['id']}-form")
    form.get_by_label("Child protection plan", exact=True).check()
    form.get_by_label("Neglect", exact=True).check()
    form.get_by_label("Your reasons").fill("Amy is likely to suffer significant harm from neglect.")
    form.get_by_role("button", name="Record the decision for Amy Pennick").click()
    expect(console.locator(f"#decision-{child['id']}-recorded")).not_to_be_empty()
    expect(room.parent.page.locator("#decided-list")).to_contain_text("child protection plan")
    everyone_looks(room, "the decision is recorded")

    console.get_by_role("button", name="Close the conference").click()
    console.get_by_role("button", name="Yes, close the conference").click()
    for person in room.phones.values():
        expect(person.page.get_by_role("heading", name="The meeting has finished")).to_be_visible()
    everyone_looks(room, "the conference is closed")

    minutes = Person(browser, site.url, "minute-taker", recorder, **LAPTOP)
    room.people.append(minutes)
    sign_in(minutes, site.staff["minute_taker"])
    minutes.page.goto(f"/c/{room.conference['id']}/minutes")
    minutes.look("minutes page after closing")
    for link, name in (("#export-decision-letter", "full"), ("#export-family-letter", "family")):
        with minutes.page.expect_download() as download:
            minutes.page.locator(link).click()
        path = recorder.folder / f"decision-{name}.docx"
        download.value.save_as(path)
        with zipfile.ZipFile(path) as docx:
            text = docx.read("word/document.xml").decode("utf-8")
        assert "Amy Pennick" in text and "Gran collects Amy from school" in text
        assert "police matter" not in text  # restricted information is in no decision letter


def test_a_whole_meeting_on_phones_a_laptop_and_the_shared_screen(browser, site, recorder):
    room = meeting_until_the_reveal(browser, site, recorder)
    missing = later_steps_missing()
    if not missing:
        plan_decision_and_close(room, browser, site, recorder)
    for person in room.people:
        assert not person.console_errors, f"{person.who}: {person.console_errors}"
    recorder.assert_accessible()
    if missing:
        pytest.skip(
            "the meeting up to the reveal passed; the plan, decision, closing and export steps "
            "did not run, not built yet: " + "; ".join(missing)
        )
