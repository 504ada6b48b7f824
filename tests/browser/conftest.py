"""Browser fixtures: the system's Chromium through Playwright, and the real server to point it at.

Chromium is found by tests/browser/chromium.py. When it (or axe-core) is missing the browser
tests are skipped with the reason, except under CI=true, where they fail: CI must run them.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.chromium import launch, missing_reason
from tests.browser.people import Recorder
from tests.conftest import Server


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser():
    """The system Chromium, headless, shared by every browser test of the run."""
    reason = missing_reason()
    if reason:
        if _in_ci():
            pytest.fail(f"CI=true and the browser tests cannot run: {reason}", pytrace=False)
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    playwright = sync_playwright().start()
    try:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def site(db_path, make_user):
    """The real server on a fresh database, with a chair, a minute-taker and an admin."""
    people = {role: make_user(role) for role in ("chair", "minute_taker", "admin")}
    running = Server(db_path).start()
    running.staff = people
    yield running
    running.stop()


@pytest.fixture
def recorder(request) -> Recorder:
    """Screenshots for this test go to tests/artifacts/<test name>/."""
    return Recorder(request.node.name)
