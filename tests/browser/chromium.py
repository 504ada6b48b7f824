"""Find the system's Chromium and start it for Playwright (never a downloaded browser).

Used by the browser tests and by benchmarks/page_weight.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ENV_VARIABLE = "CONFERENCE_ROOM_CHROMIUM"
ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Debian's package installs /usr/bin/chromium; Ubuntu and Fedora call it chromium-browser;
# Google's build is accepted too.
KNOWN_PATHS = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/lib/chromium/chromium",
    "/snap/bin/chromium",
    "/usr/bin/google-chrome-stable",
    "/usr/bin/google-chrome",
)

# Headless, and quiet: no first-run screens, no calls home, no component or sync updates
# (the machine may have no internet at all).
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Stop Playwright from ever fetching a browser of its own.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def find_chromium() -> str | None:
    """Return the path of Chromium: the environment variable first, then the usual places."""
    chosen = os.environ.get(ENV_VARIABLE, "").strip()
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for path in KNOWN_PATHS:
        if os.access(path, os.X_OK):
            return path
    for name in ("chromium", "chromium-browser", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_reason() -> str | None:
    """Say why the browser tests cannot run here, or None when they can."""
    chosen = os.environ.get(ENV_VARIABLE, "").strip()
    if chosen and not os.access(chosen, os.X_OK):
        return f"{ENV_VARIABLE}={chosen} is not an executable file."
    if find_chromium() is None:
        return (
            "Chromium was not found (looked at $"
            + ENV_VARIABLE
            + ", "
            + ", ".join(KNOWN_PATHS)
            + "). Install it with `sudo apt-get install chromium` or run "
            "scripts/ensure_system_packages.sh as root, or set " + ENV_VARIABLE + " to its path."
        )
    if not AXE.is_file():
        return f"{AXE.relative_to(ROOT)} is missing: run `npm ci` (or `make assets`)."
    return None


def launch(playwright, **options):
    """Start the system Chromium headless with our flags; returns a Playwright Browser."""
    path = find_chromium()
    if path is None:
        raise RuntimeError(missing_reason())
    return playwright.chromium.launch(
        executable_path=path, args=LAUNCH_ARGS, timeout=60_000, **options
    )
