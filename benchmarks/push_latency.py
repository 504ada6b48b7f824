"""Does a small live update wait for Nagle's algorithm? The app with TCP_NODELAY on and off.

Starts the real server (eventlet) on loopback twice, with CONFERENCE_ROOM_TCP_NODELAY=1 and =0.
A chair console and one admitted phone connect (python-socketio asyncio clients); the chair
moves the stage `--rounds` times, `--pause` seconds apart, and each time we time:

- ack: `stage.set` sent → its acknowledgement back at the chair (the ack is the second small
  frame on the chair's connection, right after the chair's own `conference.changed`);
- phone: `stage.set` sent → the phone's `conference.changed`;
- pair: two `stage.set` sent back to back → the phone's second `conference.changed`.

    .venv/bin/python benchmarks/push_latency.py --rounds 40
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import CHAIR_EMAIL, PASSWORD, start_app, summary  # noqa: E402
from live_load import conference_body, cookie_of, phone_body, post  # noqa: E402

STAGES = ("welcome", "reading")


async def connected(
    url: str, cookie: str, conference_id: int, versions: list
) -> socketio.AsyncClient:
    """Return a socket joined to the conference that notes (time, version) of each change."""
    client = socketio.AsyncClient(reconnection=False)
    client.on(
        "conference.changed",
        lambda message: versions.append((time.perf_counter(), message["version"])),
    )
    await client.connect(
        url,
        headers={"Cookie": f"conference_room={cookie}"},
        transports=["websocket"],
        wait_timeout=30,
    )
    ack = await client.call("conference.join", {"conference_id": conference_id}, timeout=30)
    if not ack.get("ok"):
        raise RuntimeError(f"conference.join refused: {ack}")
    return client


async def arrival(versions: list, version: int, seconds: float = 5.0) -> float:
    """Return when ``version`` arrived, waiting at most ``seconds``."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for at, seen in versions:
            if seen == version:
                return at
        await asyncio.sleep(0.0005)
    raise TimeoutError(f"version {version} did not arrive within {seconds} s")


async def measure(url: str, rounds: int, pause: float) -> dict:
    """Time acks, single pushes and back-to-back pushes against the server at ``url``."""
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(30)
    ) as http:
        signed, body = await post(
            http, url + "/api/v1/session", {"email": CHAIR_EMAIL, "password": PASSWORD}
        )
        chair_cookie, csrf = cookie_of(signed), body["csrf_token"]
        _, made = await post(
            http, url + "/api/v1/conferences", conference_body(0), chair_cookie, csrf
        )
        joined, body = await post(http, url + "/api/v1/join", phone_body(made["join_code"], 1))
        pid = body["participant"]["id"]
        await post(
            http,
            f"{url}/api/v1/conferences/{made['id']}/participants/{pid}/admit",
            {},
            chair_cookie,
            csrf,
        )
    chair_seen: list = []
    phone_seen: list = []
    chair = await connected(url, chair_cookie, made["id"], chair_seen)
    phone = await connected(url, cookie_of(joined), made["id"], phone_seen)
    acks, pushes, pairs = [], [], []
    try:
        for number in range(rounds):
            await asyncio.sleep(pause)
            sent = time.perf_counter()
            ack = await chair.call("stage.set", {"stage": STAGES[number % 2]}, timeout=10)
            acks.append(time.perf_counter() - sent)
            pushes.append(await arrival(phone_seen, ack["version"]) - sent)
        for number in range(rounds):
            await asyncio.sleep(pause)
            first = asyncio.ensure_future(chair.call("stage.set", {"stage": "sharing"}, timeout=10))
            second_sent = time.perf_counter()
            second = asyncio.ensure_future(
                chair.call("stage.set", {"stage": STAGES[number % 2]}, timeout=10)
            )
            await first
            version = (await second)["version"]
            pairs.append(await arrival(phone_seen, version) - second_sent)
    finally:
        for client in (chair, phone):
            await client.disconnect()
    return {
        name: {**summary(times), "over_35ms": sum(1 for t in times if t >= 0.035)}
        for name, times in (("ack", acks), ("phone", pushes), ("pair", pairs))
    }


def main(argv: list[str] | None = None) -> int:
    """Measure with TCP_NODELAY on and off and print both."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between changes")
    args = parser.parse_args(argv)
    print("TCP_NODELAY  measure  count   p50 ms   p95 ms   max ms  >=35 ms")
    for nodelay in ("1", "0"):
        with tempfile.TemporaryDirectory(prefix="push_latency_") as tmp:
            server = start_app(Path(tmp), {"CONFERENCE_ROOM_TCP_NODELAY": nodelay})
            try:
                result = asyncio.run(
                    asyncio.wait_for(measure(server.url, args.rounds, args.pause), 300)
                )
            finally:
                server.stop()
        for name, numbers in result.items():
            print(
                f"{nodelay:>11}  {name:<7} {numbers['count']:>6} {numbers['p50_ms']:>8.1f} "
                f"{numbers['p95_ms']:>8.1f} {numbers['max_ms']:>8.1f} {numbers['over_35ms']:>8}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
