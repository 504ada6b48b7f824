"""A phone that loses its connection says so, and catches up by itself when it is back."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.meeting import PARENT, join_by_code, let_in, open_room, phone


def test_a_phone_that_goes_offline_catches_up_without_a_reload(browser, site, recorder):
    chair, screen, conference = open_room(browser, site, recorder)
    parent = phone(browser, site, recorder, PARENT)
    join_by_code(parent, conference["join_code"], PARENT)
    let_in(chair.page, PARENT["name"])
    page = parent.page
    expect(page.locator("#stage-title")).to_have_text("Getting ready")
    page.evaluate("() => { window.crSamePage = true; }")
    banner = page.locator("#connection-status")
    expect(banner).to_be_hidden()

    parent.context.set_offline(True)
    expect(banner).to_have_text("Reconnecting…")
    parent.look("phone offline")
    console = chair.page
    console.get_by_role("button", name="Sharing", exact=True).click()
    console.get_by_role("button", name="Scaling", exact=True).click()
    console.get_by_role("button", name="Open a round").click()
    expect(screen.page.locator(".cr-screen__code")).to_have_text("0 of 1")
    expect(page.locator("#stage-title")).to_have_text("Getting ready")  # it cannot know yet

    parent.context.set_offline(False)
    expect(banner).to_be_hidden()
    expect(page.locator("#stage-title")).to_have_text("How safe are things?")
    expect(page.locator("#scale")).to_be_visible()
    expect(page.locator("label[for='score-0']")).to_be_visible()
    assert page.evaluate("() => window.crSamePage === true"), "the page was reloaded"
    parent.look("phone back online")
    recorder.assert_accessible()
