"""Writing a report through a private link: load it, autosave drafts, preview, submit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, la_settings, plain_english, queries, rendering, report_templates
from ..access import Actor, token_hash
from ..changes import conference_changed
from ..db import transaction
from ..errors import Gone, Invalid, NotFound
from ..rules import dates
from ..schemas import DateText, Payload, parse
from . import conferences
from .reports import (
    MAX_REPORT_CHARS,
    due_date,
    is_late,
    public,
    require_not_started,
    template_for,
)


class ReportDraft(Payload):
    """The writer's whole form, finished or not."""

    role: str | None = Field(default=None, max_length=200)
    sections: dict[str, str] = Field(default_factory=dict)
    restricted: str | None = None
    shared_with_family: bool | None = None
    shared_on: DateText | None = None
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
    previous_plan: list[dict] = field(default_factory=list)

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
        previous_plan=_previous_plan(db, conference),
    )


def _previous_plan(db: Database, conference: dict) -> list[dict]:
    """For a review: the actions carried from the last plan, with their progress so far."""
    from ..rules.review import PROGRESS

    if conference["reviews_id"] is None:
        return []
    return [
        {**action, "progress_title": PROGRESS.get(action["progress"] or "", "Not marked yet")}
        for action in queries.plan_actions(db, conference["id"])
        if action["carried_from_id"] is not None
    ]


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


def _open_for_writing(tx_db: Database, writing: Writing) -> dict:
    """Re-read the conference and report inside the transaction and check they are still open."""
    conference = queries.conference(tx_db, writing.conference["id"])
    invitation = queries.invitation(tx_db, writing.invitation["id"])
    if invitation["revoked_at"] or conference["status"] == "closed":
        raise Gone(f"This link no longer works. Contact {writing.contact}.")
    require_not_started(conference)
    return queries.report(tx_db, writing.report["id"])


def save_draft(db: Database, token: str, data: dict) -> dict:
    """Keep the writer's unfinished report; what others read does not change."""
    writing = load_for_token(db, token)
    require_not_started(writing.conference)
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
    require_not_started(writing.conference)
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
    unknown = sorted(set(data) - {"text"})
    if unknown:
        raise Invalid(f"{unknown[0]}: is not a field we know; remove it.", field=unknown[0])
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
