"""The chair's dashboard: the council's conferences and where each one's reports stand."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from .. import clock, la_settings, queries
from ..access import Actor
from ..errors import Forbidden
from ..rules import dates
from . import conferences, reports

RECENTLY_CLOSED = 10


def report_standing(due: date, first_submitted: date | None, today: date) -> str:
    """Say where one expected report stands: "in", "in_late", "late" or "waiting"."""
    if first_submitted is not None:
        return "in_late" if first_submitted > due else "in"
    return "late" if today > due else "waiting"


def upcoming(db: Database, actor: Actor) -> list[dict]:
    """Return the council's conferences that are not closed, soonest first, with their reports."""
    _require_staff(actor)
    return _summaries(db, actor, queries.upcoming_conferences(db, actor.council_id))


def recently_closed(db: Database, actor: Actor, limit: int = RECENTLY_CLOSED) -> list[dict]:
    """Return the council's most recently closed conferences, with their reports."""
    _require_staff(actor)
    return _summaries(db, actor, queries.closed_conferences(db, actor.council_id, limit))


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("Only staff can see the list of conferences.")


def _london_day(stamp: str | None) -> date | None:
    return clock.parse(stamp).astimezone(dates.LONDON).date() if stamp else None


def _summaries(db: Database, actor: Actor, rows: list[dict]) -> list[dict]:
    settings = la_settings.get(db, actor.council_id)
    today = dates.today_london()
    expected: dict[int, list[dict]] = {row["id"]: [] for row in rows}
    for report in queries.expected_reports(db, list(expected)):
        expected[report["conference_id"]].append(report)
    return [_summary(row, settings, expected[row["id"]], today) for row in rows]


def _summary(
    conference: dict, settings: la_settings.LASettings, expected: list[dict], today: date
) -> dict:
    due = reports.due_date(settings, conference)
    late, waiting, not_shared = [], [], []
    received = 0
    for report in expected:
        submitted = report["status"] == "submitted"
        # A report entered before versions were kept still counts as in on time.
        first = _london_day(report["first_submitted_at"]) or (due if submitted else None)
        standing = report_standing(due, first, today)
        if submitted:
            received += 1
            if not report["shared_with_family"]:
                not_shared.append(report["agency"])
        if standing in ("late", "in_late"):
            late.append({"agency": report["agency"], "submitted": submitted})
        elif standing == "waiting":
            waiting.append(report["agency"])
    return {
        "id": conference["id"],
        "title": conference["title"],
        "scheduled_for": conference["scheduled_for"],
        "venue": conference["venue"],
        "kind_name": conferences.kind_name(settings, conference),
        "status": conference["status"],
        "closed_at": conference["closed_at"],
        "due_date": due.isoformat(),
        "reports_in": received,
        "reports_expected": len(expected),
        "late": late,
        "waiting": waiting,
        "not_shared": not_shared,
    }
