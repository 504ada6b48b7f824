"""People at a meeting, each in their own Chromium context, and the checks we hold pages to.

A ``Person`` is one browser context (own cookies, own screen size) with one page. Every person
can take a screenshot of the step they are at and run axe-core on what they see.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field

from tests.browser.chromium import AXE, ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
README_SHOTS = ROOT / "docs" / "screenshots"

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NARROW_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}

# axe-core's tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
WAIT_MS = 15_000


@dataclass
class Recorder:
    """Numbers the steps of one test, keeps its screenshots and collects axe violations."""

    name: str
    step: int = 0
    scans: int = 0
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folder = ARTIFACTS / self.name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    def next(self, label: str) -> str:
        self.step += 1
        return f"{self.step:02d}-{slug(label)}"

    def assert_accessible(self) -> None:
        assert self.scans, "no page was scanned"
        assert not self.problems, "WCAG 2.2 A/AA violations:\n" + "\n".join(self.problems)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Person:
    """One person's browser: a context of their own and the page they look at."""

    def __init__(self, browser, base_url: str, who: str, recorder: Recorder, **context):
        self.who = who
        self.base_url = base_url
        self.recorder = recorder
        self.context = browser.new_context(base_url=base_url, **context)
        self.context.set_default_timeout(WAIT_MS)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def open(self, path: str) -> Person:
        self.page.goto(path)
        return self

    def new_page(self, path: str):
        """Open ``path`` in another tab of the same context (same cookies)."""
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.goto(path)
        return page

    def look(self, label: str, page=None, scan: bool = True) -> None:
        """Screenshot what this person sees at this step and check it with axe-core."""
        page = page or self.page
        name = f"{self.recorder.next(label)}-{slug(self.who)}"
        page.screenshot(path=str(self.recorder.folder / f"{name}.png"), full_page=True)
        if scan:
            self.recorder.scans += 1
            for problem in axe_violations(page):
                self.recorder.problems.append(f"[{label} / {self.who} / {page.url}] {problem}")

    def close(self) -> None:
        self.context.close()


def axe_violations(page) -> list[str]:
    """Run axe-core with the WCAG 2.0/2.1/2.2 A and AA rules; describe each violation."""
    if not page.evaluate("() => Boolean(window.axe)"):
        # evaluate() runs in the page without being subject to its Content-Security-Policy.
        page.evaluate(AXE.read_text("utf-8") + "\n;true")
    # Scanned from the top of the page: axe-core treats sticky bars as if they sat where they
    # are stuck, and would report everything scrolled beneath them as obscured
    # (dequelabs/axe-core#3720). Focus hidden under sticky bars is checked by check_focus().
    result = page.evaluate(
        """async (tags) => {
            const y = scrollY;
            scrollTo(0, 0);
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                               resultTypes: ["violations"]});
            const found = r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "),
                                            summary: n.failureSummary}))}));
            scrollTo(0, y);
            return found;
        }""",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(f"{n['target']} – {n['summary']}" for n in v["nodes"][:5])
        for v in result
    ]


def no_horizontal_scroll(page) -> None:
    """Assert the page is no wider than its viewport (WCAG 1.4.10 reflow)."""
    sizes = page.evaluate(
        """() => {
            const wide = [...document.querySelectorAll("body *")].filter((el) => {
                const r = el.getBoundingClientRect();
                return r.width && r.right > document.documentElement.clientWidth + 1;
            }).slice(0, 5).map((el) => el.tagName + "." + el.className + "#" + el.id);
            return {scroll: document.documentElement.scrollWidth,
                    client: document.documentElement.clientWidth, wide};
        }"""
    )
    assert sizes["scroll"] <= sizes["client"], f"{page.url} scrolls sideways: {sizes}"


def zoom_text(page, percent: int = 200) -> None:
    """Make text ``percent`` as large, as a browser's text-size setting does (rem-based type)."""
    page.evaluate("(p) => { document.documentElement.style.fontSize = p + '%'; }", percent)


FOCUS_CHECK = """() => {
    // What a person sees of the focused control: it (or, for a visually hidden radio, its
    // label) must look different from when it is not focused, and must not be entirely
    // covered by anything sticky or fixed (WCAG 2.4.7 and 2.4.11).
    const el = document.activeElement;
    if (!el || el === document.body) return {ok: false, why: "nothing has focus"};
    let shown = el;
    const box = el.getBoundingClientRect();
    if ((box.width <= 2 || box.height <= 2) && el.labels && el.labels.length) shown = el.labels[0];
    const look = (node) => {
        const s = getComputedStyle(node);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow,
                s.backgroundColor, s.color, s.textDecorationLine, s.borderColor].join("|");
    };
    const focused = look(shown);
    el.blur();
    const blurred = look(shown);
    el.focus({preventScroll: true});
    const r = shown.getBoundingClientRect();
    const inside = r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
    const points = [[0.5, 0.5], [0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9]].map(
        ([fx, fy]) => [r.left + r.width * fx, r.top + r.height * fy]);
    const seen = points.some(([x, y]) => {
        const top = document.elementFromPoint(x, y);
        return top && (shown.contains(top) || top.contains(shown) || el.contains(top));
    });
    const name = el.tagName + (el.id ? "#" + el.id : "") + " " +
        (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 40);
    return {ok: focused !== blurred && inside && seen, visible: focused !== blurred,
            inside, seen, name};
}"""


LEFT_THE_PAGE = "() => document.activeElement === document.body || !document.hasFocus()"


def check_focus(page) -> str:
    """Assert the focused element shows focus and is not hidden; return its description."""
    found = page.evaluate(FOCUS_CHECK)
    assert found["ok"], f"focus problem on {page.url}: {json.dumps(found)}"
    return found["name"]


def tab_to(page, matches, limit: int = 80, backwards: bool = False) -> str:
    """Press Tab until the focused element's description matches; check focus on each stop."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        if seen and seen[-1] != "(browser)" and page.evaluate(LEFT_THE_PAGE):
            seen.append("(browser)")  # past the last control focus goes to the browser's own bar
            continue
        try:
            name = check_focus(page)
        except AssertionError as problem:
            raise AssertionError(f"{problem}\nafter these stops: {seen}") from None
        seen.append(name)
        if matches(name):
            return name
    raise AssertionError(f"never reached the control by pressing {key}; stops: {seen}")


def readme_shot(page, name: str, down_to: str | None = None) -> None:
    """Photograph ``page`` into docs/screenshots/ for the README, when UPDATE_SCREENSHOTS=1.

    ``down_to`` names an element: the picture runs from the top of the page to its bottom.
    Normal runs leave the committed pictures alone, so the working tree stays clean.
    """
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(README_SHOTS / name)
    if down_to is None:
        page.screenshot(path=path)
        return
    bottom = page.evaluate(
        "(s) => document.querySelector(s).getBoundingClientRect().bottom + scrollY + 20", down_to
    )
    width = page.viewport_size["width"]
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": bottom}
    )
