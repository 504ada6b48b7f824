"""What an export is made from: every row it needs, read from the database in one snapshot.

``read`` is the only part of an export that touches the database (a few SELECTs in one read
transaction, so a decision changed meanwhile cannot leave the record half old, half new). The
rest (gather.build and the writers) is pure and runs in the server's helper process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from .. import la_settings, queries, report_templates
from ..db import read_snapshot
from ..services import decisions as decision_service
from ..services import reports as report_service
from ..services import review as review_service


@dataclass(frozen=True)
class Source:
    """The rows one conference's exports are made from, read in one snapshot."""

    conference: dict
    council: str
    settings: la_settings.LASettings
    templates: list[report_templates.Template]
    children: list[dict]
    family_members: list[dict]
    participants: list[dict]
    invitations: list[dict]
    reports: list[dict]
    first_submissions: dict[int, str]
    due: date
    rounds: list[dict]
    answers: list[dict]
    actions: list[dict]
    recommendations: list[dict]
    decisions: list[dict]
    dissents: list[dict]
    notes: list[dict]
    closed_sessions: list[dict]
    users: dict[int, dict]
    # A review's scale trend: per child carried from the last conference, the rows it is made
    # from (services.review.trend_rows); empty for any other conference.
    trends: list[dict]


def read(db: Database, conference: dict) -> Source:
    """Read every row the exports of ``conference`` need, in one consistent snapshot."""
    cid = conference["id"]
    with read_snapshot(db):
        conference = queries.conference(db, cid)
        settings = la_settings.get(db, conference["council_id"])
        children = queries.children(db, cid)
        by_id = {child["id"]: child for child in children}
        decisions = [
            {
                **decision_service.decision_out(db, conference, row, by_id[row["child_id"]]),
                "decided_by": row["decided_by"],
            }
            for row in queries.decisions(db, cid)
        ]
        notes = queries.notes(db, cid)
        user_ids = {d["decided_by"] for d in decisions} | {n["author_user_id"] for n in notes}
        users = {uid: queries.user(db, uid) for uid in sorted(u for u in user_ids if u)}
        trends = []
        if conference["reviews_id"] is not None:
            for child in children:
                rows = review_service.trend_rows(db, conference, child)
                if rows is not None:
                    trends.append(rows)
        return Source(
            conference=conference,
            council=(queries.council(db, conference["council_id"]) or {}).get("name", ""),
            settings=settings,
            templates=report_service.templates(db, conference["council_id"]),
            children=children,
            family_members=queries.family_members(db, cid),
            participants=queries.participants(db, cid),
            invitations=queries.invitations(db, cid),
            reports=queries.reports(db, cid),
            first_submissions=queries.first_submissions(db, cid),
            due=report_service.due_date(settings, conference),
            rounds=queries.scale_rounds(db, cid),
            answers=queries.scale_answers(db, cid),
            actions=queries.plan_actions(db, cid),
            recommendations=queries.recommendations(db, cid),
            decisions=decisions,
            dissents=queries.dissents(db, cid),
            notes=notes,
            closed_sessions=queries.closed_sessions(db, cid),
            users={uid: user for uid, user in users.items() if user},
            trends=trends,
        )
