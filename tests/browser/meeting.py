"""What people do at a meeting, in the browser: sign in, set up, join by code, let people in."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.people import LAPTOP, PHONE, PROJECTOR, Person, Recorder
from tests.conftest import PASSWORD

SOCIAL_WORKER = {"name": "Sam Okafor", "who": "professional", "agency": "Children's Social Care"}
TEACHER = {"name": "Priya Shah", "who": "professional", "agency": "Hillside Primary School"}
PARENT = {"name": "Jo Pennick", "who": "mum"}

REPORT = {
    "author_name": "Sam Okafor",
    "agency": "Children's Social Care",
    "role": "Social worker",
    "shared_with_family": True,
    "sections": {
        "agency_involvement": "I have visited the family at home **six times** since March.",
        "worries": "Amy has missed school and the house was cold when I visited.",
        "working_well": "Jo takes Amy to every health appointment.",
        "what_needs_to_happen": "A core group will meet within 10 working days.",
        "if_nothing_changes": "We would think about going to court.",
        "recommendation": "A child protection plan under the category of neglect.",
        "safety_scale": "I scaled 4 because the heating is now fixed.",
    },
    "restricted": "Restricted: a police matter that the family must not see.",
}


def sign_in(person: Person, user: dict) -> None:
    """Sign in at /login as a person would: type the email and password, press the button."""
    page = person.page
    page.goto("/login")
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def api(person: Person, method: str, path: str, body: dict | None = None) -> dict:
    """Call the JSON API with this person's cookie and CSRF token; return the JSON answer."""
    request = person.context.request
    token = request.get("/api/v1/session").json()["csrf_token"]
    answer = request.fetch(path, method=method, data=body, headers={"X-CSRF-Token": token})
    assert answer.ok, f"{method} {path}: {answer.status} {answer.text()}"
    return answer.json()


def set_up_conference(chair: Person) -> dict:
    """Create a conference with one child and enter the social worker's report."""
    conference = api(
        chair,
        "POST",
        "/api/v1/conferences",
        {
            "kind": "initial",
            "scheduled_for": "2030-03-05T10:00",
            "title": "The Pennick family",
            "children": [{"name": "Amy Pennick", "date_of_birth": "2018-05-01"}],
            "family_members": [{"name": "Jo Pennick", "relationship": "mother", "household": True}],
        },
    )
    api(chair, "POST", f"/api/v1/conferences/{conference['id']}/reports", REPORT)
    return conference


def join_by_code(phone: Person, code: str, who: dict) -> None:
    """Open /j/<code> on a phone, tap in the name and who they are, tap Join."""
    page = phone.page
    page.goto(f"/j/{code}")
    page.get_by_label("Your name").tap()
    page.get_by_label("Your name").fill(who["name"])
    page.locator(f"label[for='who-{who['who']}']").tap()
    if who.get("agency"):
        page.get_by_label("If you are here for your work: your organisation").fill(who["agency"])
    page.get_by_role("button", name="Join").tap()
    expect(page.get_by_role("heading", name="Please wait")).to_be_visible()


def let_in(chair_page, name: str) -> None:
    """The chair presses "Let in" next to a waiting person's name."""
    chair_page.get_by_role("button", name=f"Let in: {name}").click()
    expect(chair_page.get_by_role("button", name=f"Remove: {name}")).to_be_visible()


def open_room(browser, site, recorder: Recorder):
    """Sign the chair in on a laptop; open the console and, in a second window, the screen."""
    chair = Person(browser, site.url, "chair", recorder, **LAPTOP)
    sign_in(chair, site.staff["chair"])
    conference = set_up_conference(chair)
    chair.page.goto(f"/c/{conference['id']}/chair")
    expect(chair.page.locator("#join-code")).not_to_be_empty()
    screen = Person(
        browser,
        site.url,
        "shared screen",
        recorder,
        storage_state=chair.context.storage_state(),
        **PROJECTOR,
    )
    screen.open(f"/c/{conference['id']}/screen")
    expect(screen.page.locator(".cr-screen__code")).not_to_be_empty()
    return chair, screen, conference


def phone(browser, site, recorder: Recorder, who: dict) -> Person:
    """A phone of its own (390×844, touch) for one person."""
    return Person(browser, site.url, who["name"], recorder, **PHONE)
