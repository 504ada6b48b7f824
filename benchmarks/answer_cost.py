"""What one answer costs: answers sent one at a time, the app against the bare Socket.IO floor.

live_load.py measures answers that arrive together; this one takes the queueing out. It starts
the real server on loopback with a fresh database (as live_load.py does: one conference, 15
phones admitted, a chair console and a shared screen), opens a scale round, and sends
`--answers` answers one after another, each from the next phone, waiting until every other
socket has the change (and the answer's ack) before the next. Then the same against
benchmarks/floor_server.py with 17 sockets in one room.

It reports, for each: the server's CPU time per answer (user and system, from /proc through
psutil, over the timed answers only), the time from sending to the last other socket having
the change (p50, p90), and to the ack. Exit status: 0 when every answer was acknowledged and
reached every other socket; 2 when one was refused or did not arrive within 30 seconds, or the
set-up ran out of time.

    .venv/bin/python benchmarks/answer_cost.py --answers 1500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import psutil
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
import live_load  # noqa: E402  (a script run from anywhere, its helpers beside it)
from harness import percentile, start_app, start_floor  # noqa: E402

PHONES = 15
CALL_TIMEOUT = 30.0  # seconds for one answer's ack and its pushes


class Stalled(Exception):
    """An answer's ack or its pushes did not come in time."""


async def until(condition, seconds: float, what: str) -> None:
    """Wait (yielding to the loop) until ``condition()`` holds, or raise Stalled."""
    deadline = time.perf_counter() + seconds
    while not condition():
        if time.perf_counter() > deadline:
            raise Stalled(f"{what} did not happen within {seconds:.0f} seconds")
        await asyncio.sleep(0)


def report(stack: str, cpu: tuple, sends: list[float], acks: list[float]) -> dict:
    """Return one stack's numbers: CPU per answer and the two latencies (ms)."""
    user, system = cpu
    n = len(sends)
    return {
        "stack": stack,
        "answers": n,
        "cpu_user_ms": round(user / n * 1000, 3),
        "cpu_system_ms": round(system / n * 1000, 3),
        "cpu_ms": round((user + system) / n * 1000, 3),
        "others_p50_ms": round(percentile(sends, 50) * 1000, 3),
        "others_p90_ms": round(percentile(sends, 90) * 1000, 3),
        "ack_p50_ms": round(percentile(acks, 50) * 1000, 3),
        "ack_p90_ms": round(percentile(acks, 90) * 1000, 3),
    }


def cpu_of(process: psutil.Process) -> tuple[float, float]:
    times = process.cpu_times()
    return times.user, times.system


def since(mark: tuple[float, float], now: tuple[float, float]) -> tuple[float, float]:
    return now[0] - mark[0], now[1] - mark[1]


async def run_app(args, workdir: Path) -> dict:
    """Answer one at a time in the app's scale round; return its numbers."""
    server = await asyncio.to_thread(start_app, workdir, {})
    socks: list[live_load.Sock] = []
    try:
        _, socks = await live_load.set_up_app(server.url, 1, PHONES, args.phase_timeout, True)
        chair = next(s for s in socks if s.kind == "chair")
        opened = await chair.client.call("scale.open", {"child_id": None}, timeout=CALL_TIMEOUT)
        round_id = opened["round_id"]
        phones = [s for s in socks if s.kind == "phone"]
        await until(lambda: all(s.states for s in socks), CALL_TIMEOUT, "the round's opening")
        process = psutil.Process(server.process.pid)
        sends, acks = [], []
        mark = cpu_of(process)
        for i in range(args.answers):
            phone = phones[i % PHONES]
            others = [s for s in socks if s is not phone]
            had = [len(s.states) for s in others]
            sent = time.perf_counter()
            ack = await phone.client.call(
                "scale.submit",
                {
                    "round_id": round_id,
                    "score": i % 11,
                    "reason": f"Reason {i}",
                    "client_id": f"a{i}",
                },
                timeout=CALL_TIMEOUT,
            )
            acked = time.perf_counter()
            if not ack.get("ok"):
                raise Stalled(f"answer {i} refused: {ack}")
            await until(
                lambda others=others, had=had: all(
                    len(s.states) > n for s, n in zip(others, had, strict=True)
                ),
                CALL_TIMEOUT,
                f"answer {i} reaching the others",
            )
            sends.append(max(s.states[-1][0] for s in others) - sent)
            acks.append(acked - sent)
            await asyncio.sleep(args.pause)
        return report("app", since(mark, cpu_of(process)), sends, acks)
    finally:
        await live_load.close_all(socks)
        server.stop()


async def run_floor(args, workdir: Path) -> dict:
    """The same against the bare relay: 17 sockets in one room, answers one at a time."""
    server = await asyncio.to_thread(start_floor, workdir)
    clients: list[socketio.AsyncClient] = []
    try:
        got: list[list[float]] = []
        for _ in range(PHONES + 2):
            client, arrivals = socketio.AsyncClient(reconnection=False), []
            client.on(
                "changed", lambda _message, arrivals=arrivals: arrivals.append(time.perf_counter())
            )
            await client.connect(server.url, transports=["websocket"], wait_timeout=30)
            await client.call("join", {"room": "c0"}, timeout=CALL_TIMEOUT)
            clients.append(client)
            got.append(arrivals)
        process = psutil.Process(server.process.pid)
        sends, acks = [], []
        mark = cpu_of(process)
        for i in range(args.answers):
            phone = 2 + i % PHONES  # the first two stand for the console and the screen
            others = [j for j in range(len(clients)) if j != phone]
            had = [len(got[j]) for j in others]
            sent = time.perf_counter()
            payload = {"room": "c0", "id": f"a{i}", "score": i % 11, "reason": f"Reason {i}"}
            ack = await clients[phone].call("answer", payload, timeout=CALL_TIMEOUT)
            acked = time.perf_counter()
            if not ack.get("ok"):
                raise Stalled(f"floor answer {i} refused: {ack}")
            await until(
                lambda others=others, had=had: all(
                    len(got[j]) > n for j, n in zip(others, had, strict=True)
                ),
                CALL_TIMEOUT,
                f"floor answer {i} reaching the others",
            )
            sends.append(max(got[j][-1] for j in others) - sent)
            acks.append(acked - sent)
            await asyncio.sleep(args.pause)
        return report("floor", since(mark, cpu_of(process)), sends, acks)
    finally:
        for client in clients:
            if client.connected:
                await client.disconnect()
        server.stop()


def line(result: dict) -> str:
    return (
        f"{result['stack']:<6} {result['answers']:>7} {result['cpu_ms']:>8.3f} "
        f"{result['cpu_user_ms']:>8.3f} {result['cpu_system_ms']:>8.3f} "
        f"{result['others_p50_ms']:>9.2f} {result['others_p90_ms']:>9.2f} "
        f"{result['ack_p50_ms']:>8.2f} {result['ack_p90_ms']:>8.2f}"
    )


HEADER = "stack  answers   cpu ms  user ms   sys ms  others50  others90   ack50    ack90"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1000, help="answers to time (default 1000)")
    parser.add_argument(
        "--pause", type=float, default=0.002, help="seconds between answers (default 0.002)"
    )
    parser.add_argument("--phase-timeout", type=float, default=120, help="seconds for set-up")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.answers < 1:
        parser.error("--answers must be at least 1")
    if args.pause < 0:
        parser.error("--pause cannot be negative")
    return args


async def run(args) -> list[dict]:
    results = []
    for stack in (run_app, run_floor):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(await stack(args, Path(tmp)))
    return results


def times(app: float, floor: float) -> str:
    """Return app/floor as "2.61x", or say there is none when the floor measured 0.

    The kernel counts a process's CPU in ticks of 10 ms, so a short run (the test's 20 answers)
    can find the floor's server used none at all.
    """
    if not floor:
        return "no ratio (the floor measured 0; send more answers)"
    return f"{app / floor:.2f}x"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = asyncio.run(run(args))
    except (Stalled, live_load.Timeout) as error:
        print(f"stopped: {error}", file=sys.stderr)
        return 2
    print(HEADER)
    for result in results:
        print(line(result))
    app, floor = results
    print(
        f"app/floor: cpu {times(app['cpu_ms'], floor['cpu_ms'])}, "
        f"others p50 {times(app['others_p50_ms'], floor['others_p50_ms'])}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
