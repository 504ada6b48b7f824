"""Professional reports: entered by staff or written through an invitation link."""

from __future__ import annotations

import re
from datetime import date

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, la_settings, queries, report_templates
from ..access import Actor, new_token, token_hash
from ..changes import conference_changed
from ..db import transaction
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..rules import dates
from ..schemas import DateText, Payload, parse
from . import conferences

MAX_REPORT_CHARS = 200_000
STAFF_WHO_ENTER = ("chair", "admin", "minute_taker")
STAFF_WHO_INVITE = ("chair", "admin")


class ReportIn(Payload):
    template: str | None = Field(default=None, max_length=40)
    author_name: str = Field(min_length=1, max_length=200)
    agency: str = Field(min_length=1, max_length=200)
    role: str = Field(default="", max_length=200)
    sections: dict[str, str] = Field(default_factory=dict)
    restricted: str | None = None
    shared_with_family: bool = False
    shared_on: DateText | None = None
    family_comments: str | None = Field(default=None, max_length=20_000)
    not_shared_reason: str | None = Field(default=None, max_length=2000)


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
    template = template_for(db, conference, report.template)
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
        conference_changed(tx, conference_id, "reports")
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


def due_date(settings: la_settings.LASettings, conference: dict) -> date:
    """Return the day reports for ``conference`` are due: N working days before its day."""
    day = dates.parse_iso_datetime(conference["scheduled_for"]).astimezone(dates.LONDON).date()
    working_days = getattr(settings.report_deadline_days, conference["kind"])
    return dates.report_due(day, working_days, settings.closure_days)


def is_late(due: date, first_submitted_at: str | None, today: date | None = None) -> bool:
    """Say whether a report is late: first sent after ``due``, or not sent and past it."""
    # Local import: dashboard imports this module. The rule itself lives there, once.
    from .dashboard import report_standing

    first = (
        clock.parse(first_submitted_at).astimezone(dates.LONDON).date()
        if first_submitted_at
        else None
    )
    return report_standing(due, first, today or dates.today_london()) in ("late", "in_late")


# -- templates ------------------------------------------------------------------------------


def templates(db: Database, council_id: int) -> list[report_templates.Template]:
    """Return the templates a council can use: the built-in ones, then the council's own."""
    return report_templates.built_in() + la_settings.get(db, council_id).report_templates


def template_for(db: Database, conference: dict, key: str | None) -> report_templates.Template:
    """Return the template called ``key``, or the one a conference of this kind uses."""
    settings = la_settings.get(db, conference["council_id"])
    available = report_templates.built_in() + settings.report_templates
    if key is not None:
        template = report_templates.by_key(available, key)
        if template is None:
            keys = ", ".join(t.key for t in available)
            raise Invalid(f"template: must be one of {keys}.", field="template")
        return template
    # The council's own template for this kind wins over a built-in one for its base kind.
    kind = conferences.kind_of(settings, conference)
    for wanted in (kind.key if kind else None, conference["kind"]):
        for template in settings.report_templates:
            if wanted in template.kinds:
                return template
    return report_templates.for_kind(available, conference["kind"])


def add_template(db: Database, actor: Actor, data: dict) -> report_templates.Template:
    """Add a council's own report template; its key may not clash with another template."""
    if actor.role != "admin":
        raise Forbidden("Only an admin can add a report template.")
    template = parse(report_templates.Template, data)
    settings = la_settings.get(db, actor.council_id)
    kinds = {kind.key for kind in settings.conference_kinds}
    problem = la_settings.template_problem(template, settings.report_templates, kinds)
    if problem:
        field, message = problem
        raise Invalid(f"{field}: {message}.", field=field)
    stored = [t.model_dump(mode="json") for t in [*settings.report_templates, template]]
    with transaction(db) as tx:
        queries.put_setting(tx.db, actor.council_id, "report_templates", stored, clock.stamp())
        audit.record(tx, actor, "template.add", None, {"key": template.key})
    return template


# -- invitations ----------------------------------------------------------------------------


class InvitationIn(Payload):
    name: str = Field(min_length=1, max_length=200)
    agency: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    template: str | None = Field(default=None, max_length=40)


def _check_email(email: str | None) -> str | None:
    if not email:
        return None
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise Invalid(
            "email: that does not look like an email address; write it like name@agency.example.",
            field="email",
        )
    return email


def invite(db: Database, actor: Actor, conference_id: int, data: dict) -> tuple[dict, str]:
    """Invite a professional to write a report; return the invitation and its secret token."""
    if actor.role not in STAFF_WHO_INVITE:
        raise Forbidden("Only a chair or an admin can invite someone to write a report.")
    conference = conferences.load(db, actor, conference_id)
    conferences.require_open(conference)
    require_not_started(conference)
    invitation = parse(InvitationIn, data)
    email = _check_email(invitation.email)
    template = template_for(db, conference, invitation.template)
    with transaction(db) as tx:
        invitation_id, token = write_invitation(
            tx, actor, conference_id, invitation.name, invitation.agency, email, template.key
        )
    return _invitation_out(db, conference, queries.invitation(db, invitation_id)), token


def write_invitation(
    tx, actor: Actor, conference_id: int, name: str, agency: str, email: str | None, template: str
) -> tuple[int, str]:
    """Write an invitation and its empty report inside ``tx``; return (its id, its token)."""
    token = new_token()
    now = clock.stamp()
    invitation_id = queries.insert_invitation(
        tx.db,
        {
            "conference_id": conference_id,
            "name": name,
            "agency": agency,
            "email": email,
            "token_hash": token_hash(token),
            "created_at": now,
            "created_by": actor.id,
        },
    )
    # The report exists from the start, empty, so the chair sees who has not sent one yet.
    report_id = queries.insert_report(
        tx.db,
        {
            "conference_id": conference_id,
            "invitation_id": invitation_id,
            "template": template,
            "author_name": name,
            "agency": agency,
            "sections": {},
            "status": "draft",
            "version": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    audit.record(
        tx,
        actor,
        "invitation.create",
        conference_id,
        {"invitation_id": invitation_id, "report_id": report_id},
    )
    return invitation_id, token


def new_link(
    db: Database, actor: Actor, conference_id: int, invitation_id: int
) -> tuple[dict, str]:
    """Give an invitation a new private link (the old one stops working); return it once."""
    if actor.role not in STAFF_WHO_INVITE:
        raise Forbidden("Only a chair or an admin can make a new link.")
    conference = conferences.load(db, actor, conference_id)
    conferences.require_open(conference)
    require_not_started(conference)
    invitation = queries.invitation(db, invitation_id)
    if invitation is None or invitation["conference_id"] != conference_id:
        raise NotFound("There is no such invitation for this conference.")
    if invitation["revoked_at"]:
        raise Conflict("That invitation was withdrawn; invite them again instead.")
    token = new_token()
    with transaction(db) as tx:
        queries.set_invitation_token(tx.db, invitation_id, token_hash(token))
        audit.record(tx, actor, "invitation.link", conference_id, {"invitation_id": invitation_id})
    return _invitation_out(db, conference, queries.invitation(db, invitation_id)), token


def _invitation_out(db: Database, conference: dict, invitation: dict) -> dict:
    settings = la_settings.get(db, conference["council_id"])
    due = due_date(settings, conference)
    report = queries.report_for_invitation(db, invitation["id"])
    first = None
    if report is not None:
        versions = queries.report_versions(db, report["id"])
        first = versions[0]["saved_at"] if versions else None
    return {
        "id": invitation["id"],
        "conference_id": invitation["conference_id"],
        "name": invitation["name"],
        "agency": invitation["agency"],
        "email": invitation["email"],
        "template": report["template"] if report else None,
        "created_at": invitation["created_at"],
        "revoked_at": invitation["revoked_at"],
        "due": due.isoformat(),
        "report_id": report["id"] if report else None,
        "submitted": bool(report and report["status"] == "submitted"),
        "version": report["version"] if report else 0,
        "late": is_late(due, first),
    }


def invitations(db: Database, actor: Actor, conference_id: int) -> list[dict]:
    """Return a conference's invitations with their due date and report status (no tokens)."""
    conference = conferences.load(db, actor, conference_id)
    if not actor.is_staff:
        raise Forbidden("Only staff can see the invitations.")
    return [
        _invitation_out(db, conference, invitation)
        for invitation in queries.invitations(db, conference_id)
    ]


def revoke(db: Database, actor: Actor, conference_id: int, invitation_id: int) -> dict:
    """Withdraw an invitation: its link stops working; a report already sent is kept."""
    if actor.role not in STAFF_WHO_INVITE:
        raise Forbidden("Only a chair or an admin can withdraw an invitation.")
    conference = conferences.load(db, actor, conference_id)
    invitation = queries.invitation(db, invitation_id)
    if invitation is None or invitation["conference_id"] != conference_id:
        raise NotFound("There is no such invitation for this conference.")
    if invitation["revoked_at"] is None:
        with transaction(db) as tx:
            queries.revoke_invitation(tx.db, invitation_id, clock.stamp())
            audit.record(
                tx, actor, "invitation.revoke", conference_id, {"invitation_id": invitation_id}
            )
    return _invitation_out(db, conference, queries.invitation(db, invitation_id))


# -- writing a report through the link ------------------------------------------------------


def require_not_started(conference: dict) -> None:
    if conference["status"] != "scheduled":
        raise Conflict(
            "The conference has started, so reports can no longer be written or changed "
            "through a link.",
            code="started",
        )


def for_staff(db: Database, actor: Actor, conference_id: int) -> list[dict]:
    """Return every report of a conference with everything in it, for staff."""
    conference = conferences.load(db, actor, conference_id)
    if not actor.is_staff:
        raise Forbidden("Only staff can see every part of every report.")
    due = due_date(la_settings.get(db, conference["council_id"]), conference)
    firsts = queries.first_submissions(db, conference_id)
    withdrawn = {i["id"] for i in queries.invitations(db, conference_id) if i["revoked_at"]}
    out = []
    for report in queries.reports(db, conference_id):
        if report["status"] != "submitted" and report["invitation_id"] in withdrawn:
            continue  # nobody is expected to send it any more
        first = firsts.get(report["id"])
        out.append(
            {
                **public(report),
                "invitation_id": report["invitation_id"],
                "due": due.isoformat(),
                "first_submitted_at": first,
                "draft_saved_at": report["draft_saved_at"],
                "late": is_late(due, first),
            }
        )
    return out
