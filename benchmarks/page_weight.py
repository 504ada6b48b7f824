"""Page weight: what a phone downloads to open the meeting, and how long that takes on slow 3G.

It starts the real server (`conference-room serve`, eventlet) on loopback with a fresh database,
creates a conference through the API as a chair, joins it as a parent (POST /api/v1/join, so no
page or asset is cached yet), lets them in, and opens the phone page (/c/<id>) in the system's
Chromium with an empty cache, in a fresh browser context each time:

- bytes: every HTTP answer's size on the wire (headers and compressed body, from the DevTools
  protocol's Network.loadingFinished) until the meeting is on screen, split into the page and its
  assets, and the live connection (Socket.IO's HTTP polling plus WebSocket frames);
- time on slow 3G (DevTools' preset: 2000 ms round trip, 400 kbit/s down and up, set with
  Network.emulateNetworkConditions): until the `load` event, and until the meeting is shown
  (the socket has joined and the first state is drawn). Median of --runs runs.

Chromium is found like the browser tests find it (CONFERENCE_ROOM_CHROMIUM, then the usual
paths); Playwright never downloads a browser. Exit status 0 when the phone page is within
--budget kilobytes, 1 when it is over, 2 when something failed.

    .venv/bin/python benchmarks/page_weight.py
    .venv/bin/python benchmarks/page_weight.py --runs 5 --json weight.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from harness import CHAIR_EMAIL, PASSWORD, start_app  # noqa: E402  (helper beside this script)

from tests.browser.chromium import find_chromium, launch, missing_reason  # noqa: E402

SLOW_3G = {
    "offline": False,
    "latency": 2000,  # ms round trip (DevTools: 400 ms x 5)
    "downloadThroughput": 500 * 1000 / 8 * 0.8,  # bytes/s (DevTools: 500 kbit/s x 0.8)
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}
SHOWN = "#meeting:not([hidden])"


def prepare(url: str) -> tuple[int, requests.Session]:
    """Create a conference, join it as a parent and let them in; return its id and the cookie."""
    chair = requests.Session()
    signed = chair.post(
        url + "/api/v1/session", json={"email": CHAIR_EMAIL, "password": PASSWORD}, timeout=30
    )
    signed.raise_for_status()
    token = {"X-CSRF-Token": signed.json()["csrf_token"]}
    conference = chair.post(
        url + "/api/v1/conferences",
        headers=token,
        timeout=30,
        json={
            "kind": "initial",
            "scheduled_for": "2030-03-05T10:00",
            "title": "The Pennick family",
            "children": [{"name": "Amy Pennick", "date_of_birth": "2018-05-01"}],
            "family_members": [{"name": "Jo Pennick", "relationship": "mother", "household": True}],
        },
    )
    conference.raise_for_status()
    cid = conference.json()["id"]
    parent = requests.Session()
    joined = parent.post(
        url + "/api/v1/join",
        timeout=30,
        json={"code": conference.json()["join_code"], "name": "Jo Pennick", "role": "family"},
    )
    joined.raise_for_status()
    pid = joined.json()["participant"]["id"]
    chair.post(
        f"{url}/api/v1/conferences/{cid}/participants/{pid}/admit", headers=token, timeout=30
    ).raise_for_status()
    return cid, parent


def open_phone_page(browser, url: str, cid: int, cookies, throttle: dict | None) -> dict:
    """Open /c/<cid> in a fresh context (empty cache); count bytes and time the load."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.add_cookies(
        [{"name": c.name, "value": c.value, "url": url} for c in cookies if c.value]
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", throttle)
    requests_seen: dict[str, dict] = {}
    frames = {"sent": 0, "received": 0}

    def on_response(event: dict) -> None:
        response = event["response"]
        requests_seen.setdefault(event["requestId"], {}).update(
            url=response["url"],
            encoding=response["headers"].get(
                "Content-Encoding", response["headers"].get("content-encoding", "")
            ),
        )

    def on_finished(event: dict) -> None:
        requests_seen.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    def on_frame(kind: str):
        def count(event: dict) -> None:
            frames[kind] += len(event["response"]["payloadData"].encode("utf-8"))

        return count

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameSent", on_frame("sent"))
    cdp.on("Network.webSocketFrameReceived", on_frame("received"))

    started = time.perf_counter()
    page.goto(f"{url}/c/{cid}", wait_until="load", timeout=120_000)
    loaded = time.perf_counter() - started
    page.wait_for_selector(SHOWN, timeout=120_000)
    shown = time.perf_counter() - started
    page.wait_for_load_state("networkidle", timeout=120_000)
    context.close()

    page_bytes, live_bytes, items = 0, 0, []
    for seen in requests_seen.values():
        if "bytes" not in seen or "url" not in seen:
            continue
        path = seen["url"].removeprefix(url)
        if path.startswith("/socket.io/"):
            live_bytes += seen["bytes"]
        else:
            page_bytes += seen["bytes"]
            items.append({"path": path, "bytes": seen["bytes"], "encoding": seen["encoding"]})
    live_bytes += frames["sent"] + frames["received"]
    return {
        "page_and_assets_bytes": page_bytes,
        "live_connection_bytes": live_bytes,
        "load_event_s": round(loaded, 2),
        "meeting_shown_s": round(shown, 2),
        "files": sorted(items, key=lambda item: -item["bytes"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="slow-3G loads to take the median of")
    parser.add_argument("--budget", type=float, default=100.0, help="kilobytes allowed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    reason = missing_reason()
    if reason:
        print(f"cannot measure: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="page-weight-") as workdir:
        server = start_app(Path(workdir))
        try:
            cid, parent = prepare(server.url)
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    fast = open_phone_page(browser, server.url, cid, parent.cookies, None)
                    slow = [
                        open_phone_page(browser, server.url, cid, parent.cookies, SLOW_3G)
                        for _ in range(max(1, args.runs))
                    ]
                finally:
                    browser.close()
        finally:
            server.stop()

    total = fast["page_and_assets_bytes"] + fast["live_connection_bytes"]
    result = {
        "chromium": find_chromium(),
        "first_load": fast,
        "total_kb": round(total / 1024, 1),
        "slow_3g": {
            "conditions": SLOW_3G,
            "runs": len(slow),
            "load_event_s_median": statistics.median(r["load_event_s"] for r in slow),
            "meeting_shown_s_median": statistics.median(r["meeting_shown_s"] for r in slow),
            "meeting_shown_s_all": [r["meeting_shown_s"] for r in slow],
        },
    }
    print("Phone page (/c/<id>), first load with an empty cache:")
    for item in fast["files"]:
        encoding = item["encoding"] or "not compressed"
        print(f"  {item['bytes'] / 1024:7.1f} KB  {item['path']}  ({encoding})")
    print(f"  page and assets: {fast['page_and_assets_bytes'] / 1024:.1f} KB")
    print(
        f"  live connection until the meeting shows: {fast['live_connection_bytes'] / 1024:.1f} KB"
    )
    print(f"  total: {result['total_kb']} KB (budget {args.budget:g} KB)")
    print(
        f"Slow 3G (2000 ms RTT, 400 kbit/s), median of {len(slow)}: "
        f"load event {result['slow_3g']['load_event_s_median']:.1f} s, "
        f"meeting shown {result['slow_3g']['meeting_shown_s_median']:.1f} s "
        f"(runs: {', '.join(f'{s:.1f}' for s in result['slow_3g']['meeting_shown_s_all'])} s)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if result["total_kb"] <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
