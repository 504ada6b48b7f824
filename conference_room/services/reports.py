"""Professional reports: entered by staff or written through an invitation link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, la_settings, plain_english, queries, rendering, report_templates
from ..access import Actor, new_token, token_hash
from ..changes import conference_changed
from ..db import transaction
from ..errors import Conflict, Forbidden, Gone, Invalid, NotFound
from ..rules import dates
from ..schemas import Payload, parse
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
    shared_on: date | None = Field(default=None, strict=False)
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
    _require_not_started(conference)
    invitation = parse(InvitationIn, data)
    email = _check_email(invitation.email)
    template = template_for(db, conference, invitation.template)
    token = new_token()
    now = clock.stamp()
    with transaction(db) as tx:
        invitation_id = queries.insert_invitation(
            tx.db,
            {
                "conference_id": conference_id,
                "name": invitation.name,
                "agency": invitation.agency,
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
                "template": template.key,
                "author_name": invitation.name,
                "agency": invitation.agency,
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


class ReportDraft(Payload):
    """The writer's whole form, finished or not."""

    role: str | None = Field(default=None, max_length=200)
    sections: dict[str, str] = Field(default_factory=dict)
    restricted: str | None = None
    shared_with_family: bool | None = None
    shared_on: date | None = Field(default=None, strict=False)
    family_comments: str | None = None
    not_shared_reason: str | None = None


class Incomplete(Invalid):
    """The report cannot be sent yet; ``problems`` names each missing part."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(
            "Your report cannot be sent yet: " + " ".join(message for _, message in problems),
            field=problems[0][0],
        )
        self.problems = problems

    def as_dict(self) -> dict:
        """Return the error object, with every problem listed."""
        error = super().as_dict()
        error["problems"] = [{"field": f, "message": m} for f, m in self.problems]
        return error


@dataclass(frozen=True)
class Writing:
    """An opened report link: the invitation, its conference, the report and its template."""

    invitation: dict
    conference: dict
    report: dict
    template: report_templates.Template
    settings: la_settings.LASettings
    versions: list[dict]
    contact: str

    @property
    def actor(self) -> Actor:
        """Return the writer as the audit log names them."""
        return writer_actor(self.invitation, self.conference)

    @property
    def due(self) -> date:
        """Return the day the report is due."""
        return due_date(self.settings, self.conference)

    @property
    def late(self) -> bool:
        """Say whether the report is late."""
        first = self.versions[0]["saved_at"] if self.versions else None
        return is_late(self.due, first)

    @property
    def editable(self) -> bool:
        """Say whether the writer may still change the report (the conference has not started)."""
        return self.conference["status"] == "scheduled"

    @property
    def kind_name(self) -> str:
        """Return the council's name for this kind of conference."""
        return conferences.kind_name(self.settings, self.conference)

    @property
    def has_unsent_changes(self) -> bool:
        """Say whether there is a saved draft that differs from what was sent."""
        return self.report["draft"] is not None

    def form(self) -> dict:
        """Return what the form shows: the saved draft, else the version last sent."""
        return self.report["draft"] or _sent_form(self.report)


def writer_actor(invitation: dict, conference: dict) -> Actor:
    """Return the actor for the person writing through ``invitation``."""
    return Actor(
        kind="invitee",
        id=invitation["id"],
        name=invitation["name"],
        role="invitee",
        council_id=conference["council_id"],
        conference_id=conference["id"],
    )


def _contact(db: Database, invitation: dict, conference: dict) -> str:
    for user_id in (invitation["created_by"], conference["created_by"]):
        user = queries.user(db, user_id) if user_id else None
        if user is not None:
            return f"{user['name']} ({user['email']})"
    council = queries.council(db, conference["council_id"])
    return f"the child protection conference team at {council['name']}"


def load_for_token(db: Database, token: str) -> Writing:
    """Open the report behind a link, or refuse: 404 if unknown, 410 if it no longer works."""
    invitation = queries.invitation_by_token_hash(db, token_hash(token or ""))
    report = queries.report_for_invitation(db, invitation["id"]) if invitation else None
    if invitation is None or report is None:
        raise NotFound(
            "This link does not work. Check that you copied the whole link from the message "
            "you were sent, or ask the person who invited you to send it again."
        )
    conference = queries.conference(db, invitation["conference_id"])
    contact = _contact(db, invitation, conference)
    if invitation["revoked_at"]:
        raise Gone(
            "This link no longer works because the invitation to write this report was "
            f"withdrawn. If you still have something to share about this family, contact "
            f"{contact}."
        )
    if conference["status"] == "closed":
        raise Gone(
            "This link no longer works because the conference has finished and its record is "
            f"closed. If you have something to add, contact {contact}."
        )
    return Writing(
        invitation=invitation,
        conference=conference,
        report=report,
        template=template_for(db, conference, report["template"]),
        settings=la_settings.get(db, conference["council_id"]),
        versions=queries.report_versions(db, report["id"]),
        contact=contact,
    )


def _sent_form(report: dict) -> dict:
    sent = report["status"] == "submitted"
    return {
        "role": report["role"] or "",
        "sections": dict(report["sections"]),
        "restricted": report["restricted"] or "",
        "shared_with_family": bool(report["shared_with_family"]) if sent else None,
        "shared_on": report["shared_on"],
        "family_comments": report["family_comments"] or "",
        "not_shared_reason": report["not_shared_reason"] or "",
    }


def _text(value: str | None) -> str:
    # One stored form: LF line breaks (browsers post CRLF, scripts LF) so equal text compares
    # equal, and no bidi, invisible or control characters that could disguise what it says.
    return rendering.strip_hidden(value or "").strip()


def _parse_draft(data: dict, template: report_templates.Template) -> dict:
    """Validate a writer's form and return it in its stored shape."""
    draft = parse(ReportDraft, data)
    keys = template.section_keys()
    for key in draft.sections:
        if key not in keys:
            raise Invalid(
                f"sections.{key}: is not a section of the {template.name} template. "
                f"Its sections are: {', '.join(keys)}.",
                field=f"sections.{key}",
            )
    form = {
        "role": _text(draft.role),
        "sections": {
            key: _text(draft.sections.get(key)) for key in keys if _text(draft.sections.get(key))
        },
        "restricted": _text(draft.restricted),
        "shared_with_family": draft.shared_with_family,
        "shared_on": draft.shared_on.isoformat() if draft.shared_on else None,
        "family_comments": _text(draft.family_comments),
        "not_shared_reason": _text(draft.not_shared_reason),
    }
    fields = {f"sections.{key}": text for key, text in form["sections"].items()}
    fields.update(
        restricted=form["restricted"],
        family_comments=form["family_comments"],
        not_shared_reason=form["not_shared_reason"],
    )
    size = sum(len(text) for text in fields.values())
    if size > MAX_REPORT_CHARS:
        biggest = max(fields, key=lambda name: len(fields[name]))
        raise Invalid(
            f"{biggest}: the report is {size:,} characters long; the limit is "
            f"{MAX_REPORT_CHARS:,}. Nothing was saved. Shorten it, or keep the detail in your "
            "own records and say where it can be found.",
            field=biggest,
        )
    if draft.shared_on and draft.shared_on > dates.today_london():
        raise Invalid(
            "shared_on: the date you shared the report with the family is in the future.",
            field="shared_on",
        )
    return form


def _require_not_started(conference: dict) -> None:
    if conference["status"] != "scheduled":
        raise Conflict(
            "The conference has started, so reports can no longer be written or changed "
            "through a link.",
            code="started",
        )


def _open_for_writing(tx_db: Database, writing: Writing) -> dict:
    """Re-read the conference and report inside the transaction and check they are still open."""
    conference = queries.conference(tx_db, writing.conference["id"])
    invitation = queries.invitation(tx_db, writing.invitation["id"])
    if invitation["revoked_at"] or conference["status"] == "closed":
        raise Gone(f"This link no longer works. Contact {writing.contact}.")
    _require_not_started(conference)
    return queries.report(tx_db, writing.report["id"])


def save_draft(db: Database, token: str, data: dict) -> dict:
    """Keep the writer's unfinished report; what others read does not change."""
    writing = load_for_token(db, token)
    _require_not_started(writing.conference)
    form = _parse_draft(data, writing.template)
    now = clock.stamp()
    # Not audited: the page saves a draft every few seconds while someone types, and a draft is
    # private to its writer. Auditing each would flood the hash-chained log with entries of no
    # evidential value; what others read is the submitted versions, and each submit is audited.
    with transaction(db) as tx:
        report = _open_for_writing(tx.db, writing)
        unchanged = report["status"] == "submitted" and form == _sent_form(report)
        queries.save_report_draft(
            tx.db, report["id"], None if unchanged else form, None if unchanged else now
        )
    return {"saved_at": now, "unsent_changes": not unchanged}


def _missing(form: dict, template: report_templates.Template) -> list[tuple[str, str]]:
    problems = [
        (f"sections.{section.key}", f"“{section.title}” needs an answer.")
        for section in template.sections
        if section.required and not form["sections"].get(section.key)
    ]
    if form["shared_with_family"] is None:
        problems.append(
            ("shared_with_family", "Say whether you have gone through the report with the family.")
        )
    elif form["shared_with_family"] and not form["shared_on"]:
        problems.append(("shared_on", "Give the date you went through the report with the family."))
    elif not form["shared_with_family"] and not form["not_shared_reason"]:
        problems.append(
            ("not_shared_reason", "Say why you have not gone through the report with the family.")
        )
    return problems


def submit(db: Database, token: str, data: dict) -> tuple[dict, bool]:
    """Send the report (a new version each time); return it and whether anything changed."""
    writing = load_for_token(db, token)
    _require_not_started(writing.conference)
    form = _parse_draft(data, writing.template)
    problems = _missing(form, writing.template)
    if problems:
        raise Incomplete(problems)
    now = clock.stamp()
    body = {
        "template": writing.template.key,
        "author_name": writing.invitation["name"],
        "agency": writing.invitation["agency"],
        "role": form["role"],
        "sections": form["sections"],
        "restricted": form["restricted"] or None,
        "shared_with_family": int(form["shared_with_family"]),
        "shared_on": form["shared_on"] if form["shared_with_family"] else None,
        "family_comments": (form["family_comments"] or None)
        if form["shared_with_family"]
        else None,
        "not_shared_reason": None if form["shared_with_family"] else form["not_shared_reason"],
    }
    with transaction(db) as tx:
        report = _open_for_writing(tx.db, writing)
        changed = report["status"] != "submitted" or any(
            report[key] != value for key, value in body.items()
        )
        if changed:
            version = report["version"] + 1
            queries.update_report(
                tx.db,
                report["id"],
                {
                    **body,
                    "status": "submitted",
                    "version": version,
                    "submitted_at": now,
                    "updated_at": now,
                },
            )
            queries.insert_report_version(tx.db, report["id"], version, body, now)
            audit.record(
                tx,
                writing.actor,
                "report.submit",
                writing.conference["id"],
                {"report_id": report["id"], "version": version},
            )
            conference_changed(tx, writing.conference["id"], "reports")
        queries.save_report_draft(tx.db, report["id"], None, None)
    return public(queries.report(db, writing.report["id"])), changed


def preview(db: Database, token: str, data: dict) -> dict:
    """Return one field's Markdown as sanitised HTML, with plain-English suggestions."""
    writing = load_for_token(db, token)
    text = data.get("text")
    if not isinstance(text, str):
        raise Invalid("text: send the text to preview.", field="text")
    if len(text) > MAX_REPORT_CHARS:
        raise Invalid(f"text: the limit is {MAX_REPORT_CHARS:,} characters.", field="text")
    council_words = [entry.model_dump() for entry in writing.settings.jargon]
    return {
        "html": str(rendering.render_markdown(text)),
        "findings": [
            {
                "term": found.term,
                "plain": found.plain,
                "start": found.start,
                "end": found.end,
                "excerpt": found.excerpt,
                "message": f"“{found.term}”: a family may not know this. You could say: "
                f"{found.plain}.",
            }
            for found in plain_english.check_text(text, council_words)
        ],
    }


# -- the staff view -------------------------------------------------------------------------


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
