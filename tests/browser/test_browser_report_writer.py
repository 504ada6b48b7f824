"""The report writer's page saves by itself: also after the server has asked it to wait (429),
as it does when a report is saved very often or a connection has tried too many wrong links."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.meeting import api, set_up_conference, sign_in
from tests.browser.people import LAPTOP, PHONE, Person

TEXT = "Seen at the surgery twice since May; growth and weight are on track."


def test_a_save_the_server_slowed_is_sent_again_by_itself_after_the_wait(browser, site, recorder):
    chair = Person(browser, site.url, "chair", recorder, **LAPTOP)
    sign_in(chair, site.staff["chair"])
    conference = set_up_conference(chair)
    invitation = api(
        chair,
        "POST",
        f"/api/v1/conferences/{conference['id']}/invitations",
        {"name": "Dr Ali", "agency": "GP"},
    )
    link = urlsplit(invitation["url"]).path

    writer = Person(browser, site.url, "GP on a phone", recorder, **PHONE)
    saves: list[int] = []

    def slow_the_first_save(route) -> None:
        if route.request.method != "PUT":
            route.continue_()
            return
        saves.append(len(saves))
        if len(saves) == 1:
            route.fulfill(
                status=429,
                headers={"Retry-After": "3", "Content-Type": "application/json"},
                body='{"error": {"code": "too_many_requests", "message": "Wait 3 seconds."}}',
            )
        else:
            route.continue_()

    writer.page.route("**/draft", slow_the_first_save)
    writer.page.goto(link)
    field = writer.page.locator("textarea[name^='sections.']").first
    field.fill(TEXT)
    status = writer.page.locator("[data-autosave-status]")
    expect(status).to_contain_text("Not saved yet")
    expect(status).to_contain_text("try again in 3 seconds")
    writer.look("a save the server slowed")
    field.blur()  # leaving the box saves at once, except while the server asked us to wait
    writer.page.wait_for_timeout(1000)
    assert len(saves) == 1, "saved again before the wait was over"
    expect(status).to_contain_text("Saved at")
    assert len(saves) == 2

    # The server has it: another device opening the link sees the text.
    other = Person(browser, site.url, "GP on a laptop", recorder, **LAPTOP)
    other.page.goto(link)
    expect(other.page.locator("textarea[name^='sections.']").first).to_have_value(TEXT)
    recorder.assert_accessible()
