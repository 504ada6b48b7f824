"""A fixed conference for the export tests, held through the services on a frozen clock.

``hold_meeting(db, chair, minutes)`` runs the Pennicks' initial conference on Thursday
4 March 2027 from the invitations to the close: reports (one shared with restricted
information, one not shared, one late), people joining, apologies, a removal, a closed
session, scaling rounds (revealed with and without names, one never revealed), notes, the
plan, recommendations, decisions and dissent. Every time is set with ``clock.at(...)`` before
each step, so the stored data — and the exports — are the same on every run.

The marker strings are put where only the full record may carry them; ``FAMILY_NEVER`` lists
those, ``NOBODY`` the one that no export may carry (a reason in a round never revealed).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from conference_room import clock, queries
from conference_room.rules import dates
from conference_room.services import conferences, decisions, live, plan, record, reports, scaling

LONDON = ZoneInfo("Europe/London")

RESTRICTED_SECTION = "ZZ-RESTRICTED-SECTION-5d1f"
UNSHARED_REPORT = "ZZ-UNSHARED-REPORT-a0c3"
UNSHARED_REASON = "ZZ-NOT-SHARED-REASON-77e2"
CLOSED_NOTE = "ZZ-CLOSED-SESSION-NOTE-c3d1"
CLOSED_ACTION = "ZZ-CLOSED-SESSION-ACTION-77ab"
CLOSED_ROUND_REASON = "ZZ-CLOSED-SESSION-ROUND-19b0"
CLOSED_RECOMMENDATION = "ZZ-CLOSED-SESSION-RECOMMENDATION-4be1"
CLOSED_DISSENT = "ZZ-CLOSED-SESSION-DISSENT-8c2a"
RESTRICTED_ACTION = "ZZ-RESTRICTED-ACTION-0d9a"
RESTRICTED_NOTE = "ZZ-RESTRICTED-NOTE-2b6c"
UNREVEALED_REASON = "ZZ-UNREVEALED-REASON-e9f4"

# Only the full record carries these (the decision sheet has the plan's two).
FAMILY_NEVER = (
    RESTRICTED_SECTION,
    UNSHARED_REPORT,
    UNSHARED_REASON,
    CLOSED_NOTE,
    CLOSED_ACTION,
    CLOSED_ROUND_REASON,
    CLOSED_RECOMMENDATION,
    CLOSED_DISSENT,
    RESTRICTED_ACTION,
    RESTRICTED_NOTE,
)
IN_FULL_DECISION = (CLOSED_ACTION, RESTRICTED_ACTION, CLOSED_DISSENT)
NOBODY = (UNREVEALED_REASON,)
DAY = (2027, 3, 4)


class FrozenClock:
    """The app's clock (and its "today"), set by the test to London times."""

    def __init__(self, monkeypatch):
        self.moment = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
        monkeypatch.setattr(clock, "now", lambda: self.moment)
        monkeypatch.setattr(dates, "_utc_now", lambda: self.moment)

    def at(self, hhmm: str, day: tuple[int, int, int] = DAY) -> None:
        """Set the time to ``hhmm`` London time on ``day`` (the conference day by default)."""
        hour, minute = (int(part) for part in hhmm.split(":"))
        self.moment = datetime(*day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def _person(db, chair, conference, name, role="family", **extra):
    joined, _token = live.join(
        db, {"code": conference["join_code"], "name": name, "role": role, **extra}
    )
    live.admit(db, chair, conference["id"], joined["id"])
    return live.participant_actor(queries.participant(db, joined["id"]))


def _round(db, chair, cid, child_id, answers, clock_, *, show_names, reveal=True, label=None):
    round_id = scaling.open_round(db, chair, cid, {"child_id": child_id, "label": label})["id"]
    for who, score, reason, step in answers:
        payload = {"round_id": round_id, "score": score, "reason": reason, "next_step": step}
        if isinstance(who, int):  # someone without a phone: the chair enters their answer
            who, payload["on_behalf_of"] = chair, who
        scaling.submit(db, who, cid, payload)
    scaling.close_round(db, chair, cid, {"round_id": round_id})
    if reveal:
        scaling.reveal_round(db, chair, cid, {"round_id": round_id, "show_names": show_names})
    return round_id


def hold_meeting(db, clock_: FrozenClock, chair, minutes, *, close: bool = True):
    """Hold the fixed conference; return its ids and the people in it."""
    clock_.at("09:00", (2027, 2, 1))
    conference = conferences.create(
        db,
        chair,
        {
            "kind": "initial",
            "scheduled_for": "2027-03-04T10:00",
            "title": "The Pennick family",
            "venue": "Elmbank House, Meeting Room 2",
            "children": [
                {
                    "name": "Jayden Pennick",
                    "date_of_birth": "2017-03-09",
                    "identifier": "NHS 943 476 5919",
                },
                {"name": "Poppy Pennick", "date_of_birth": "2022-10-14"},
                {"name": "Baby Pennick", "expected_date": "2027-05-20"},
            ],
            "family_members": [
                {"name": "Leanne Pennick", "relationship": "Mother", "household": True},
                {"name": "Craig Hollis", "relationship": "Leanne's partner", "household": True},
            ],
        },
    )
    cid = conference["id"]
    jayden, poppy, baby = (child["id"] for child in conference["children"])
    clock_.at("09:30", (2027, 2, 1))
    reports.invite(db, chair, cid, {"name": "Priya Shah", "agency": "Health visiting"})
    clock_.at("14:00", (2027, 2, 26))
    reports.add(
        db,
        chair,
        cid,
        {
            "author_name": "Hannah Oduya",
            "agency": "Children's Services",
            "role": "Social worker",
            "sections": {
                "agency_involvement": "I have been the family's social worker since November.",
                "worries": "Jayden heard shouting and *a bang*.\n\n- Two police call-outs\n"
                "- Leanne feels low",
                "working_well": "Leanne rang the police herself. Sandra helps after school.",
            },
            "restricted": f"Police enquiry details. {RESTRICTED_SECTION}",
            "shared_with_family": True,
            "shared_on": "2027-02-26",
            "family_comments": "Leanne said the report is fair.",
        },
    )
    clock_.at("15:00", (2027, 2, 26))
    reports.add(
        db,
        chair,
        cid,
        {
            "author_name": "DC Sam Patel",
            "agency": "Police",
            "role": "Detective constable",
            "sections": {"worries": f"Two call-outs since August. {UNSHARED_REPORT}"},
            "shared_with_family": False,
            "not_shared_reason": f"An investigation is under way. {UNSHARED_REASON}",
        },
    )
    clock_.at("16:00", (2027, 3, 3))  # after the due day (2 working days before): late
    reports.add(
        db,
        chair,
        cid,
        {
            "author_name": "Gareth Lowe",
            "agency": "Haverdale Primary School",
            "role": "Designated safeguarding lead",
            "sections": {"worries": "Jayden has been late 14 times this term."},
            "shared_with_family": True,
            "shared_on": "2027-03-03",
        },
    )
    conference = queries.conference(db, cid)
    clock_.at("09:50")
    leanne = _person(db, chair, conference, "Leanne Pennick", relationship="Mother")
    craig = _person(db, chair, conference, "Craig Hollis", relationship="Leanne's partner")
    gareth = _person(
        db, chair, conference, "Gareth Lowe", "professional", agency="Haverdale Primary School"
    )
    hannah = _person(
        db, chair, conference, "Hannah Oduya", "professional", agency="Children's Services"
    )
    sam = _person(db, chair, conference, "Sam Patel", "professional", agency="Police")
    clock_.at("09:52")
    live.record_apologies(
        db, chair, cid, {"name": "Dr N. Adebayo", "role": "professional", "agency": "GP"}
    )
    nan = live.add_without_phone(db, chair, cid, {"name": "Sandra Pennick", "role": "family"})
    stranger, _ = live.join(
        db, {"code": conference["join_code"], "name": "Unknown caller", "role": "observer"}
    )
    live.turn_away(db, chair, cid, stranger["id"])
    clock_.at("10:00")
    live.set_stage(db, chair, cid, {"stage": "welcome"})
    record.add_note(db, minutes, cid, {"stage": "welcome", "text": "Everyone said who they are."})
    clock_.at("10:10")
    live.set_stage(db, chair, cid, {"stage": "sharing"})
    record.add_note(
        db,
        minutes,
        cid,
        {
            "stage": "sharing",
            "text": "Leanne said things are calmer now.\nCraig agreed.",
            "child_id": jayden,
        },
    )
    record.add_note(
        db,
        minutes,
        cid,
        {"stage": "sharing", "text": f"Safety of staff. {RESTRICTED_NOTE}", "restricted": True},
    )
    clock_.at("10:25")
    live.set_stage(db, chair, cid, {"stage": "scaling"})
    _round(
        db,
        chair,
        cid,
        jayden,
        [
            (leanne, 6, "Things are calmer at home.", "Craig finishes his course."),
            (craig, 7, "We have not argued since January.", None),
            (gareth, 3, "Jayden is often late and tired.", "He arrives on time for a month."),
            (hannah, 3, "Two incidents in three months.", "A safety plan the family uses."),
            (nan["id"], 5, "Sandra: the children come to me when it is loud.", None),
        ],
        clock_,
        show_names=False,
    )
    clock_.at("10:35")
    _round(
        db,
        chair,
        cid,
        None,
        [
            (leanne, 6, "We are trying hard.", None),
            (hannah, 4, "Some safety is in place.", "Nan agrees to the plan."),
        ],
        clock_,
        show_names=True,
        label="All three children",
    )
    clock_.at("10:40")
    _round(
        db,
        chair,
        cid,
        poppy,
        [(gareth, 2, f"Not sure yet. {UNREVEALED_REASON}", None)],
        clock_,
        show_names=False,
        reveal=False,
    )
    clock_.at("10:45")
    live.set_closed_session(db, chair, cid, True)
    record.add_note(db, minutes, cid, {"stage": "scaling", "text": f"Police update. {CLOSED_NOTE}"})
    plan.add(
        db,
        chair,
        cid,
        {
            "what": f"Police share bail conditions. {CLOSED_ACTION}",
            "who": "Police",
            "by_when": "Friday",
            "kind": "immediate",
        },
    )
    _round(
        db,
        chair,
        cid,
        jayden,
        [(sam, 2, f"Bail conditions. {CLOSED_ROUND_REASON}", None)],
        clock_,
        show_names=True,
    )
    decisions.recommend(
        db,
        sam,
        cid,
        {"child_id": jayden, "plan": "cp_plan", "reason": f"Risk of harm. {CLOSED_RECOMMENDATION}"},
    )
    clock_.at("10:55")
    live.set_closed_session(db, chair, cid, False)
    clock_.at("11:00")
    live.set_stage(db, chair, cid, {"stage": "recommendations"})
    decisions.recommend(
        db,
        hannah,
        cid,
        {"child_id": jayden, "plan": "cp_plan", "reason": "Harm is likely to happen again."},
    )
    decisions.recommend(
        db,
        gareth,
        cid,
        {"child_id": poppy, "plan": "cin_plan", "reason": "Poppy is thriving at nursery."},
    )
    clock_.at("11:10")
    live.set_stage(db, chair, cid, {"stage": "decision"})
    decisions.record_decision(
        db,
        chair,
        cid,
        {
            "child_id": jayden,
            "outcome": "cp_plan",
            "categories": ["emotional"],
            "reasons": "Jayden has been frightened by violence at home.\nIt may happen again.",
            "lead_social_worker": "Hannah Oduya",
            "core_group_members": ["Leanne Pennick", "Craig Hollis", "Hannah Oduya", "Gareth Lowe"],
        },
    )
    decisions.record_decision(
        db,
        chair,
        cid,
        {
            "child_id": poppy,
            "outcome": "cp_plan",
            "categories": ["neglect"],
            "reasons": "Poppy's health checks were missed.",
            "lead_social_worker": "Hannah Oduya",
            "core_group_on": "2027-03-16",
            "review_on": "2027-06-03",
        },
    )
    decisions.record_decision(
        db,
        chair,
        cid,
        {
            "child_id": baby,
            "outcome": "cin_plan",
            "reasons": "Support during the pregnancy is enough for now.",
        },
    )
    clock_.at("11:15")
    decisions.dissent(
        db, gareth, cid, {"child_id": poppy, "reason": "School sees no neglect of Poppy."}
    )
    clock_.at("11:16")
    live.set_closed_session(db, chair, cid, True)
    decisions.dissent(
        db, sam, cid, {"child_id": baby, "reason": f"Baby is at risk. {CLOSED_DISSENT}"}
    )
    clock_.at("11:18")
    live.set_closed_session(db, chair, cid, False)
    clock_.at("11:20")
    live.set_stage(db, chair, cid, {"stage": "plan"})
    plan.add(
        db,
        minutes,
        cid,
        {
            "child_id": jayden,
            "what": "Craig will start the domestic abuse programme.",
            "who": "Craig",
            "by_when": "1 April 2027",
            "how_we_know": "The programme tells Hannah he attends.",
            "kind": "long_term",
        },
    )
    plan.add(
        db,
        minutes,
        cid,
        {
            "what": "Sandra will have the children if an argument starts.",
            "who": "Sandra and Leanne",
            "by_when": "Every time",
            "kind": "contingency",
        },
    )
    plan.add(
        db,
        minutes,
        cid,
        {
            "child_id": poppy,
            "what": "Leanne will take Poppy to her health check.",
            "who": "Leanne",
            "by_when": "18 March 2027",
            "kind": "immediate",
        },
    )
    plan.add(
        db,
        minutes,
        cid,
        {
            "what": f"Staff visit in pairs. {RESTRICTED_ACTION}",
            "who": "Children's Services",
            "by_when": "Until review",
            "kind": "immediate",
            "restricted": True,
        },
    )
    record.add_note(
        db, minutes, cid, {"stage": "plan", "text": "The plan was read back and agreed."}
    )
    clock_.at("11:30")
    live.remove(db, chair, cid, craig.id)
    if close:
        clock_.at("11:45")
        record.close(db, chair, cid)
    clock_.at("12:00")
    return SimpleNamespace(
        id=cid, children=(jayden, poppy, baby), conference=queries.conference(db, cid)
    )


def docx_text(body: bytes) -> str:
    """Return a DOCX as text: each paragraph with its style, table rows, headers, footers."""
    from docx import Document

    doc = Document(io.BytesIO(body))
    lines = []
    for number, section in enumerate(doc.sections, 1):
        for part, name in ((section.header, "header"), (section.footer, "footer")):
            for paragraph in part.paragraphs:
                lines.append(f"[section {number} {name}] {paragraph_text(paragraph)}")
    body_element = doc.element.body
    for child in body_element.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            from docx.text.paragraph import Paragraph

            paragraph = Paragraph(child, doc)
            if paragraph.text.strip():
                lines.append(f"[{paragraph.style.name}] {paragraph.text}")
        elif tag == "tbl":
            from docx.table import Table

            table = Table(child, doc)
            lines.append(f"[table {table.style.name}]")
            for row in table.rows:
                lines.append("  | " + " | ".join(cell.text for cell in row.cells) + " |")
    return "\n".join(lines) + "\n"


def paragraph_text(paragraph) -> str:
    """Return a paragraph's text with its fields (PAGE, NUMPAGES) shown as {PAGE}."""
    parts = []
    for element in paragraph._p.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "r":
            parts.append("".join(t.text or "" for t in element.iter() if t.tag.endswith("}t")))
        elif tag == "fldSimple":
            instruction = element.get(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instr"
            )
            parts.append("{" + instruction.strip() + "}")
    return "".join(parts)


def zip_text(body: bytes) -> str:
    """Return a zip of CSV files as text: each file's name, then its contents."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return "".join(
            f"== {name}\n{archive.read(name).decode('utf-8-sig').replace(chr(13), '')}"
            for name in archive.namelist()
        )


def as_text(fmt: str, body: bytes) -> str:
    """Return an export as searchable text, whatever its format."""
    if fmt == "docx":
        return docx_text(body)
    if fmt == "csv":
        return zip_text(body)
    return body.decode("utf-8")
