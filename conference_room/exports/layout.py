"""The reading order and the words of a decision sheet or record, as blocks for any format.

``layout(data)`` turns the document's data (gather.build) into a title and a list of simple
blocks — headings, paragraphs, label/value fields, tables, bullet lists and report text — in the
audience's words: the family version says "What was decided" and "Kind of harm" and never uses
an abbreviation or a category code. The Markdown, HTML and DOCX writers only draw these blocks,
so the three always hold the same content.
"""

from __future__ import annotations

from .blocks import (
    Block,
    Bullets,
    Fields,
    Heading,
    Layout,
    Paragraph,
    Table,
    day_text,
    time_of,
    when,
)
from .record_parts import RecordParts

TITLES = {
    ("decision", "full"): "Decision sheet",
    ("decision", "family"): "What the meeting decided",
    ("record", "full"): "Record of the conference",
    ("record", "family"): "Record of the meeting",
}


class _Writer(RecordParts):
    """Collects the blocks of one document, in the audience's words."""

    def __init__(self, data: dict):
        self.data = data
        self.family = data["audience"] == "family"
        self.blocks: list[Block] = []

    # -- the parts ---------------------------------------------------------------------------

    def heading_part(self) -> None:
        data, conference = self.data, self.data["conference"]
        if data["draft"]:
            self.add(
                Paragraph(
                    "DRAFT: the conference is not closed yet, so this may still change."
                    if not self.family
                    else "DRAFT: the meeting is not finished yet, so this may still change.",
                    "banner",
                )
            )
        rows = [
            (self.words("Family", "Family"), conference["title"]),
            (self.words("Kind of conference", "Meeting"), conference["kind_name"]),
            (self.words("Date and time", "When"), conference["when_text"]),
        ]
        if conference["venue"]:
            rows.append(("Where", conference["venue"]))
        if conference["chair"]:
            rows.append(("Chair", ", ".join(conference["chair"])))
        rows.append(("Council", data["council"]))
        if not self.family:
            status = (
                f"Closed, {when(conference['closed_at'])}"
                if conference["status"] == "closed"
                else "Not closed yet (draft)"
            )
            rows.append(("Record", status))
        self.add(Fields(rows))
        self.add(Heading(1, self.words("Children", "The children")))
        columns = ("Name", "Date of birth", "Age on the day")
        rows_: list[tuple[str, ...]] = []
        for child in data["children"]:
            born = day_text(child["date_of_birth"]) or f"Due {day_text(child['expected_date'])}"
            row: tuple[str, ...] = (child["name"], born, child["age_text"])
            if not self.family:
                row += (child.get("identifier") or "",)
            rows_.append(row)
        self.add(Table(columns if self.family else (*columns, "ID number"), rows_))

    def decision_part(self) -> None:
        self.add(
            Heading(1, self.words("Decision for each child", "What was decided for each child"))
        )
        for child in self.data["children"]:
            self.add(Heading(2, child["name"]))
            decision = child["decision"]
            if decision is None:
                self.add(Paragraph("No decision has been recorded yet."))
                continue
            outcome = decision["outcome_family_title" if self.family else "outcome_title"]
            rows = [(self.words("Decision", "What was decided"), outcome)]
            if decision["category_titles"]:
                titles = ", ".join(decision["category_titles"])
                if not self.family:
                    titles += f" ({decision['category_code']})"
                rows.append((self.words("Category", "Kind of harm"), titles))
            rows.append((self.words("The chair's reasons", "Why"), decision["reasons"]))
            if decision["lead_social_worker"]:
                rows.append(("Lead social worker", decision["lead_social_worker"]))
            if decision["core_group_members"]:
                rows.append(
                    (
                        self.words("Core group members", "People who will work on the plan"),
                        ", ".join(decision["core_group_members"]),
                    )
                )
            if decision["core_group_on_text"]:
                rows.append(
                    (
                        self.words("First core group meeting", "First meeting about the plan"),
                        decision["core_group_on_text"],
                    )
                )
            if decision["review_on_text"]:
                rows.append(
                    (
                        self.words("Review conference", "Next meeting to check how it is going"),
                        decision["review_on_text"],
                    )
                )
            self.add(Fields(rows))

    def plan_part(self) -> None:
        plan = self.data["plan"]
        self.add(Heading(1, self.words("Outline safety plan", "The safety plan")))
        if not plan:
            self.add(Paragraph("No actions have been agreed yet."))
            return
        columns: tuple[str, ...] = ("For", "What will happen", "Who", "By when", "How we will know")
        if not self.family:
            columns += ("Shared with the family",)

        progress = any(a["progress"] for a in plan)  # a review: the last plan, carried on
        if progress:
            columns += ("Progress since the last conference",)

        def row(action: dict) -> tuple[str, ...]:
            cells: tuple[str, ...] = (
                action["child_name"],
                action["what"],
                action["who"],
                action["by_when"],
                action["how_we_know"],
            )
            if progress:
                note = action["progress_note"]
                title = action["progress_title"] or ""
                cells += (f"{title}: {note}" if note and title else title or note or "",)
            if not self.family:
                cells += ("No: restricted" if action["restricted"] else "Yes",)
            return cells

        main = [a for a in plan if a["kind"] != "contingency"]
        other = [a for a in plan if a["kind"] == "contingency"]
        if main:
            self.add(Table((*columns, "Kind"), [(*row(a), a["kind_title"]) for a in main]))
        self.add(Heading(2, self.words("Contingency: what if…", "If things go wrong")))
        self._table(columns, [row(a) for a in other], "No “what if…” actions have been agreed.")

    def dissent_part(self) -> None:
        self.add(Heading(1, self.words("Dissent", "Disagreement with the decision")))
        dissent = self.data["dissent"]
        if not dissent:
            self.add(
                Paragraph(
                    self.words(
                        "No dissent was recorded.",
                        "No one recorded disagreement with the decision.",
                    )
                )
            )
            return
        items = []
        for d in dissent:
            who = f"{d['name']} ({d['agency']})" if d["agency"] else d["name"]
            items.append(f"{who}, about {d['child_name']}, at {time_of(d['at'])}: {d['reason']}")
        self.add(Bullets(items))

    def complaints_part(self) -> None:
        self.add(
            Heading(1, self.words("The right to complain", "If you are unhappy: how to complain"))
        )
        self.add(Paragraph(self.data["complaints"]))


def layout(data: dict) -> Layout:
    """Return the title and blocks of the document ``data`` describes."""
    writer = _Writer(data)
    writer.heading_part()
    if data["document"] == "record":
        writer.attendance_part()
        writer.reports_received_part()
        writer.closed_sessions_part()
        writer.notes_part()
        writer.scaling_part()
        if "trend" in data:  # a review: each child's scale last time and today
            writer.trend_part()
        writer.recommendations_part()
    writer.decision_part()
    writer.plan_part()
    writer.dissent_part()
    writer.complaints_part()
    if data["document"] == "record":
        writer.reports_part()
    return Layout(
        title=TITLES[(data["document"], data["audience"])],
        marking=data["protective_marking"],
        draft=data["draft"],
        blocks=writer.blocks,
    )
