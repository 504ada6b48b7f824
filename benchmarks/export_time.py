"""How long do the exports take for a big conference, and do live meetings wait meanwhile?

Builds, through the services, a closed conference with 12 reports of 2,000 words (each shared
with the family, each with restricted information), 3 children, 10 people, 6 revealed scaling
rounds, 30 plan actions, 40 notes, recommendations and decisions. Then:

1. In process: times ``services.exports.export`` (read, build, render, audit — what the route
   does) for every format, both documents and both audiences, ``--repeat`` times each: the
   first run cold (no report's text converted yet: the plain text of a sent report is kept in
   memory once made), then the median of the others.
2. Unless ``--no-live``: starts the real server (eventlet) on the same database, signs the
   chair in over HTTP, times a first small export (which also starts the server's helper
   process), then downloads the full record as DOCX ``--repeat`` times while a second
   connection asks ``/healthz`` every 20 ms; prints the download times and how long
   ``/healthz`` took while idle and while the exports were being built (the file is built in
   the server's low-priority helper process, so other requests should keep being answered).

Every wait has a timeout and the whole run stops after ``--budget`` seconds.

    .venv/bin/python benchmarks/export_time.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conference_room import councils, exports, queries  # noqa: E402
from conference_room import db as database  # noqa: E402
from conference_room.access import user_actor  # noqa: E402
from conference_room.exports.gather import report_text  # noqa: E402
from conference_room.exports.print_html import report_html  # noqa: E402
from conference_room.services import (  # noqa: E402
    accounts,
    conferences,
    decisions,
    live,
    plan,
    record,
    reports,
    scaling,
)
from conference_room.services import exports as export_service  # noqa: E402

PASSWORD = "benchmark password 2026"
WORDS = (
    "the family school health visitor social worker said that mum dad children home safe "
    "worried police visit plan attendance nursery baby sleep shouting calm support week "
    "month evening morning kitchen bedroom grandmother agreed missed appointment doctor "
    "progress letter meeting told us change drinking money housing tired happy playing"
).split()
SECTIONS = (
    "agency_involvement",
    "worries",
    "complicating_factors",
    "working_well",
    "child_views",
    "what_needs_to_happen",
    "if_nothing_changes",
    "unknowns",
    "recommendation",
    "safety_scale",
)


def prose(rng: random.Random, words: int) -> str:
    """Return exactly ``words`` words of Markdown: paragraphs of sentences, now and then a list."""
    blocks, left = [], words
    while left > 0:
        if rng.random() < 0.2 and left >= 32:
            items = [" ".join(rng.choices(WORDS, k=8)).capitalize() + "." for _ in range(4)]
            blocks.append("\n".join(f"- {item}" for item in items))
            left -= 32
        else:
            size = min(left, 60)
            text = " ".join(rng.choices(WORDS, k=size))
            blocks.append(text.capitalize() + ".")
            left -= size
    return "\n\n".join(blocks)


def build(db, council_id: int) -> tuple[int, dict]:
    """Hold the big conference through the services; return its id and the chair's account."""
    rng = random.Random(2027)
    users = {}
    for role in ("chair", "minute_taker"):
        email = f"{role}@bench.example"
        made = accounts.create_user(
            db,
            council_id,
            {"email": email, "name": f"Bench {role}", "role": role, "password": PASSWORD},
        )
        users[role] = {**made, "email": email, "council_id": council_id}
    chair, minutes = user_actor(users["chair"]), user_actor(users["minute_taker"])
    conference = conferences.create(
        db,
        chair,
        {
            "kind": "initial",
            "scheduled_for": "2030-03-05T10:00",
            "title": "The Benchmark family",
            "children": [
                {"name": f"Child {n}", "date_of_birth": f"201{n}-05-01"} for n in range(3)
            ],
            "family_members": [{"name": "Pat Bench", "relationship": "Mother", "household": True}],
        },
    )
    cid = conference["id"]
    children = [child["id"] for child in conference["children"]]
    per_section = 2000 // len(SECTIONS)  # 10 sections of 200 words
    for n in range(12):
        reports.add(
            db,
            chair,
            cid,
            {
                "author_name": f"Writer {n}",
                "agency": f"Agency {n}",
                "role": "Practitioner",
                "sections": {key: prose(rng, per_section) for key in SECTIONS},
                "restricted": prose(rng, 60),
                "shared_with_family": True,
            },
        )
    code = queries.conference(db, cid)["join_code"]
    people = []
    for n in range(10):
        role = "professional" if n % 2 else "family"
        joined, _ = live.join(
            db, {"code": code, "name": f"Person {n}", "role": role, "agency": f"Agency {n}"}
        )
        live.admit(db, chair, cid, joined["id"])
        people.append(live.participant_actor(queries.participant(db, joined["id"])))
    live.set_stage(db, chair, cid, {"stage": "scaling"})
    for n in range(6):
        round_id = scaling.open_round(db, chair, cid, {"child_id": children[n % 3]})["id"]
        for person in people:
            scaling.submit(
                db,
                person,
                cid,
                {
                    "round_id": round_id,
                    "score": rng.randint(0, 10),
                    "reason": " ".join(rng.choices(WORDS, k=25)),
                    "next_step": " ".join(rng.choices(WORDS, k=12)),
                },
            )
        scaling.close_round(db, chair, cid, {"round_id": round_id})
        scaling.reveal_round(db, chair, cid, {"round_id": round_id, "show_names": n % 2 == 0})
    for n in range(30):
        plan.add(
            db,
            minutes,
            cid,
            {
                "child_id": children[n % 3] if n % 4 else None,
                "what": " ".join(rng.choices(WORDS, k=15)),
                "who": f"Person {n % 10}",
                "by_when": "Every week",
                "how_we_know": " ".join(rng.choices(WORDS, k=10)),
                "kind": ("immediate", "contingency", "long_term")[n % 3],
            },
        )
    for _ in range(40):
        record.add_note(
            db, minutes, cid, {"stage": "sharing", "text": " ".join(rng.choices(WORDS, k=40))}
        )
    for person in people[1::2]:
        for child_id in children:
            decisions.recommend(
                db, person, cid, {"child_id": child_id, "plan": "cp_plan", "reason": "Harm."}
            )
    for child_id in children:
        decisions.record_decision(
            db,
            chair,
            cid,
            {
                "child_id": child_id,
                "outcome": "cp_plan",
                "categories": ["neglect"],
                "reasons": " ".join(rng.choices(WORDS, k=60)),
            },
        )
    record.close(db, chair, cid)
    return cid, users["chair"]


def in_process(db, chair: dict, cid: int, repeat: int, deadline: float) -> list[tuple]:
    """Time the export service for each document, audience and format; return result rows."""
    actor = user_actor(chair)
    rows = []
    for document in exports.DOCUMENTS:
        for fmt in exports.FORMATS:
            for audience in exports.AUDIENCES:
                times, size = [], 0
                report_text.cache_clear()  # the first run of each is cold
                report_html.cache_clear()
                for _ in range(repeat):
                    if time.monotonic() > deadline:
                        break
                    start = time.perf_counter()
                    made = export_service.export(
                        db, actor, cid, {"format": fmt, "audience": audience, "document": document}
                    )
                    times.append(time.perf_counter() - start)
                    size = len(made.body)
                if times:
                    rows.append((document, fmt, audience, times, size))
    return rows


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def live_server(db_path: Path, chair: dict, cid: int, repeat: int, deadline: float) -> dict:
    """Download the DOCX record from the real server while /healthz is asked every 20 ms."""
    import requests

    port = _free_port()
    env = {
        **os.environ,
        "CONFERENCE_ROOM_SECRET_KEY": "benchmark-secret",
        "CONFERENCE_ROOM_ASYNC_MODE": "eventlet",
    }
    log = open(db_path.with_suffix(".log"), "wb")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conference_room",
            "serve",
            "--port",
            str(port),
            "--db",
            str(db_path),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        ready = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > ready or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        web = requests.Session()
        signed = web.post(
            url + "/api/v1/session",
            json={"email": chair["email"], "password": PASSWORD},
            timeout=30,
        )
        signed.raise_for_status()
        pings: list[tuple[float, float]] = []
        stop = threading.Event()

        def ping() -> None:
            with requests.Session() as other:
                while not stop.is_set():
                    start = time.perf_counter()
                    other.get(url + "/healthz", timeout=10)
                    pings.append((start, time.perf_counter() - start))
                    stop.wait(0.02)

        pinger = threading.Thread(target=ping, daemon=True)
        pinger.start()
        time.sleep(1.0)
        idle_until = time.perf_counter()
        # The first export after a start also starts the helper process: timed on its own.
        start = time.perf_counter()
        web.get(
            url + f"/api/v1/conferences/{cid}/export?format=json&audience=full&document=decision",
            timeout=60,
        ).raise_for_status()
        first_export = time.perf_counter() - start
        windows, downloads = [], []
        for _ in range(repeat):
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            answer = web.get(
                url + f"/api/v1/conferences/{cid}/export?format=docx&audience=full&document=record",
                timeout=60,
            )
            answer.raise_for_status()
            end = time.perf_counter()
            downloads.append(end - start)
            windows.append((start, end))
        stop.set()
        pinger.join(timeout=15)
        idle = [took for at, took in pings if at < idle_until]
        busy = [took for at, took in pings if any(s <= at <= e for s, e in windows)]
        return {"first_export": first_export, "downloads": downloads, "idle": idle, "busy": busy}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each export (2 or more)")
    parser.add_argument("--budget", type=float, default=600, help="stop after this many seconds")
    parser.add_argument("--no-live", action="store_true", help="skip the real-server part")
    args = parser.parse_args()
    args.repeat = max(args.repeat, 2)
    deadline = time.monotonic() + args.budget
    with tempfile.TemporaryDirectory(prefix="export-bench-") as folder:
        db_path = Path(folder) / "bench.db"
        db = database.connect(db_path)
        database.upgrade(db)
        started = time.perf_counter()
        cid, chair = build(db, councils.ensure(db, "Bench Council"))
        words = sum(
            len([word for word in text.split() if word != "-"])
            for report in queries.reports(db, cid)
            for text in report["sections"].values()
        )
        print(
            f"built the conference in {time.perf_counter() - started:.1f} s: 12 reports, "
            f"{words} words in their sections; 6 revealed rounds; 30 actions; 40 notes"
        )
        rows = in_process(db, chair, cid, args.repeat, deadline)
        print(
            f"\nin process, services.exports.export, ms: the first run (cold: no report text "
            f"converted yet), then the median of the next {args.repeat - 1}"
        )
        print(
            "| document | format | full: first | full: then | family: first | family: then "
            "| size (full) |"
        )
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        table: dict[tuple[str, str], dict[str, tuple]] = {}
        for document, fmt, audience, times, size in rows:
            table.setdefault((document, fmt), {})[audience] = (times, size)
        for (document, fmt), by_audience in table.items():
            cells = []
            for audience in exports.AUDIENCES:
                times, _size = by_audience.get(audience, ([], 0))
                cells.append(ms(times[0]) if times else "–")
                cells.append(ms(statistics.median(times[1:])) if len(times) > 1 else "–")
            size = by_audience.get("full", ([], 0))[1]
            print(f"| {document} | {fmt} | " + " | ".join(cells) + f" | {size / 1024:.0f} KB |")
        db.conn.close()
        if not args.no_live and time.monotonic() < deadline:
            result = live_server(db_path, chair, cid, args.repeat, deadline)
            downloads, idle, busy = result["downloads"], result["idle"], result["busy"]
            print("\nreal server (eventlet) over HTTP:")
            print(
                f"  first export after the start (decision, JSON): {ms(result['first_export'])} ms"
            )
            print("  then the DOCX of the full record:")
            print(
                f"  download: first {ms(downloads[0])} ms, then median "
                f"{ms(statistics.median(downloads[1:] or downloads))} ms "
                f"({len(downloads)} downloads)"
            )
            if idle:
                print(
                    f"  /healthz while idle: median {ms(statistics.median(idle))} ms, "
                    f"slowest {ms(max(idle))} ms ({len(idle)} requests)"
                )
            if busy:
                print(
                    f"  /healthz during the exports: median {ms(statistics.median(busy))} ms, "
                    f"slowest {ms(max(busy))} ms ({len(busy)} requests)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
