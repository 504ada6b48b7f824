"""Professional reports: entered by staff or written through an invitation link."""

from __future__ import annotations

from datetime import date

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, queries, report_templates
from ..access import Actor
from ..db import transaction
from ..errors import Forbidden, Invalid
from ..schemas import Payload, parse
from . import conferences

MAX_REPORT_CHARS = 200_000
STAFF_WHO_ENTER = ("chair", "admin", "minute_taker")


class ReportIn(Payload):
    template: str | None = Field(default=None, max_length=40)
    author_name: str = Field(min_length=1, max_length=200)
    agency: str = Field(min_length=1, max_length=200)
    role: str = Field(default="", max_length=200)
    sections: dict[str, str] = Field(default_factory=dict)
    restricted: str | None = None
    shared_with_family: bool = False
    shared_on: date | None = Field(default=None, strict=False)
    family_comments: str | None = Field(default=None, max_length=20_000)
    not_shared_reason: str | None = Field(default=None, max_length=2000)


def templates(db: Database, council_id: int) -> list[report_templates.Template]:
    """Return the templates a council can use."""
    return report_templates.built_in()


def _check_body(report: ReportIn, template: report_templates.Template) -> None:
    unknown = [key for key in report.sections if key not in template.section_keys()]
    if unknown:
        raise Invalid(
            f"sections.{unknown[0]}: is not a section of the {template.name} template. "
            f"Its sections are: {', '.join(template.section_keys())}.",
            field=f"sections.{unknown[0]}",
        )
    size = sum(len(text) for text in report.sections.values()) + len(report.restricted or "")
    if size > MAX_REPORT_CHARS:
        raise Invalid(
            f"sections: the report is {size:,} characters long; the limit is "
            f"{MAX_REPORT_CHARS:,}. Shorten it or attach detail to the case record instead.",
            field="sections",
        )


def add(db: Database, actor: Actor, conference_id: int, data: dict) -> dict:
    """Enter a report received outside the app (for example by email); it counts as submitted."""
    if actor.role not in STAFF_WHO_ENTER:
        raise Forbidden("Only a chair, minute-taker or admin can enter a report.")
    conference = conferences.load(db, actor, conference_id)
    conferences.require_open(conference)
    report = parse(ReportIn, data)
    available = templates(db, actor.council_id)
    if report.template is None:
        template = report_templates.for_kind(available, conference["kind"])
    else:
        template = report_templates.by_key(available, report.template)
        if template is None:
            keys = ", ".join(t.key for t in available)
            raise Invalid(f"template: must be one of {keys}.", field="template")
    _check_body(report, template)
    now = clock.stamp()
    body = {
        "template": template.key,
        "author_name": report.author_name,
        "agency": report.agency,
        "role": report.role,
        "sections": {key: text for key, text in report.sections.items() if text.strip()},
        "restricted": (report.restricted or "").strip() or None,
        "shared_with_family": int(report.shared_with_family),
        "shared_on": report.shared_on.isoformat() if report.shared_on else None,
        "family_comments": report.family_comments or None,
        "not_shared_reason": report.not_shared_reason or None,
    }
    with transaction(db) as tx:
        report_id = queries.insert_report(
            tx.db,
            {
                **body,
                "conference_id": conference_id,
                "status": "submitted",
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
            },
        )
        queries.insert_report_version(tx.db, report_id, 1, body, now)
        audit.record(tx, actor, "report.add", conference_id, {"report_id": report_id})
    return public(queries.report(db, report_id))


def public(report: dict) -> dict:
    """Return the full (staff) view of a report."""
    return {
        "id": report["id"],
        "conference_id": report["conference_id"],
        "template": report["template"],
        "author_name": report["author_name"],
        "agency": report["agency"],
        "role": report["role"],
        "sections": report["sections"],
        "restricted": report["restricted"],
        "shared_with_family": bool(report["shared_with_family"]),
        "shared_on": report["shared_on"],
        "family_comments": report["family_comments"],
        "not_shared_reason": report["not_shared_reason"],
        "status": report["status"],
        "version": report["version"],
        "submitted_at": report["submitted_at"],
    }
