"""The demo: a fictional council, its staff and one conference, seeded through the services."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from importlib import resources

from sqlite_utils import Database

from . import councils, queries
from .access import user_actor
from .rules import dates
from .services import accounts, conferences, decisions, live, plan, record, reports, scaling

DEMO_PASSWORD = "demo-password-2026"  # printed on start; the demo is for trying the app locally
DEMO_USERS = (
    ("admin@northmere.example", "Ade Admin", "admin"),
    ("chair@northmere.example", "Chris Chair", "chair"),
    ("minutes@northmere.example", "Morgan Minutes", "minute_taker"),
)


def _data() -> dict:
    text = (resources.files("conference_room") / "data" / "demo.json").read_text("utf-8")
    return json.loads(text)


def seed(db: Database) -> list[str]:
    """Seed the demo if absent; return the lines to print (logins and join code)."""
    data = _data()
    council_id = councils.ensure(db, data["council"])
    for email, name, role in DEMO_USERS:
        if queries.user_by_email(db, email) is None:
            accounts.create_user(
                db,
                council_id,
                {"email": email, "name": name, "role": role, "password": DEMO_PASSWORD},
            )
    chair = user_actor(queries.user_by_email(db, "chair@northmere.example"))
    existing = [
        c
        for c in queries.conferences_for_council(db, council_id)
        if c["title"] == data["conference"]["title"] and c["status"] != "closed"
    ]
    conference = existing[0] if existing else _seed_conference(db, chair, data)
    review = _seed_review(db, chair, data["earlier_conference"])
    lines = [f"Demo logins (password for each: {DEMO_PASSWORD}):"]
    lines += [f"  {role:<13} {email}" for email, _, role in DEMO_USERS]
    lines.append(
        f"Demo conference: {conference['title']}, join code "
        f"{conferences.display_join_code(conference['join_code'])} "
        f"(phones open /j/{conference['join_code']})"
    )
    lines.append(
        f"Demo review: {review['title']}, reviewing a closed conference (its plan carried forward)"
    )
    return lines


def _seed_review(db: Database, chair, data: dict) -> dict:
    """Seed a closed initial conference, run through the services, and an upcoming review."""
    title = data["title"] + " (review)"
    for conference in queries.conferences_for_council(db, chair.council_id):
        if conference["title"] == title:
            return conference
    today = dates.today_london()
    day = today - timedelta(days=data["days_ago"])
    while not dates.is_working_day(day):
        day -= timedelta(days=1)
    earlier = conferences.create(
        db,
        chair,
        {
            "kind": data["kind"],
            "title": data["title"],
            "venue": data["venue"],
            "scheduled_for": dates.to_iso(datetime.combine(day, time(10, 0), tzinfo=dates.LONDON)),
            "children": [
                {
                    "name": c["name"],
                    "date_of_birth": c["date_of_birth"],
                    "school": c["school_or_nursery"],
                }
                for c in data["children"]
            ],
            "family_members": data["family_members"],
        },
    )
    cid = earlier["id"]
    for invitation in data["invitations"]:
        reports.invite(db, chair, cid, invitation)
    people = {p["name"]: live.add_without_phone(db, chair, cid, p)["id"] for p in data["people"]}
    child_id = earlier["children"][0]["id"]
    round_id = scaling.open_round(db, chair, cid, {"child_id": child_id})["id"]
    for score in data["scores"]:
        answer = {k: score[k] for k in ("score", "reason", "next_step")}
        scaling.submit(
            db,
            chair,
            cid,
            {**answer, "round_id": round_id, "on_behalf_of": people[score["person"]]},
        )
    scaling.close_round(db, chair, cid, {"round_id": round_id})
    scaling.reveal_round(db, chair, cid, {"round_id": round_id})
    for action in data["actions"]:
        plan.add(db, chair, cid, {**action, "child_id": child_id})
    decisions.record_decision(db, chair, cid, {**data["decision"], "child_id": child_id})
    record.close(db, chair, cid)
    review_day = dates.add_working_days(today, data["review_in_working_days"])
    created = conferences.create(
        db,
        chair,
        {
            "kind": "review",
            "reviews": cid,
            "title": title,
            "venue": data["venue"],
            "scheduled_for": dates.to_iso(
                datetime.combine(review_day, time(10, 0), tzinfo=dates.LONDON)
            ),
        },
    )
    return queries.conference(db, created["id"])


def _seed_conference(db: Database, chair, data: dict) -> dict:
    today = dates.today_london()
    # Far enough ahead that the demo reports, entered today, are not late.
    meeting_day = dates.add_working_days(today, 3)
    scheduled = datetime.combine(meeting_day, time(10, 0), tzinfo=dates.LONDON)
    children = []
    for child in data["children"]:
        entry = {
            "name": child["name"],
            "gp": child.get("gp"),
            "school": child.get("school_or_nursery"),
        }
        if child.get("unborn"):
            # Keep the baby unborn whenever the demo is run.
            entry["expected_date"] = (today + timedelta(weeks=12)).isoformat()
        else:
            entry["date_of_birth"] = child["date_of_birth"]
        children.append({key: value for key, value in entry.items() if value is not None})
    created = conferences.create(
        db,
        chair,
        {
            **data["conference"],
            "scheduled_for": dates.to_iso(scheduled),
            "children": children,
            "family_members": data["family_members"],
        },
    )
    for report in data["reports"]:
        reports.add(db, chair, created["id"], report)
    return queries.conference(db, created["id"])
