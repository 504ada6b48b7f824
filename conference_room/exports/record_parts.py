"""The parts only the full record has: attendance, reports, closed sessions, notes, scaling (and
a review's scale then and now), recommendations and the reports' text, in the audience's words
(see layout.py)."""

from __future__ import annotations

from .blocks import (
    Block,
    Bullets,
    Fields,
    Heading,
    Paragraph,
    ReportText,
    Table,
    count,
    time_of,
    when,
    yes_no,
)

STAGE_ORDER = (
    "lobby",
    "welcome",
    "reading",
    "sharing",
    "scaling",
    "recommendations",
    "decision",
    "plan",
    "next_steps",
    "closed",
)


class RecordParts:
    """The record's own parts, and what every part uses; layout's writer builds on it."""

    data: dict
    family: bool
    blocks: list[Block]

    def words(self, full: str, family: str) -> str:
        """Return the wording for this document's audience."""
        return family if self.family else full

    def add(self, *blocks: Block) -> None:
        """Add blocks at the end of the document."""
        self.blocks.extend(blocks)

    def _table(self, columns: tuple[str, ...], rows: list[tuple[str, ...]], empty: str) -> None:
        self.add(Table(columns, rows) if rows else Paragraph(empty))

    def attendance_part(self) -> None:
        attendance = self.data["attendance"]
        self.add(Heading(1, self.words("Attendance", "Who was there")))

        def who(p: dict) -> tuple[str, str, str]:
            return (p["name"], p["role"], p["agency"] or p["relationship"])

        self.add(Heading(2, self.words("Invited", "Who was invited")))
        self._table(
            ("Name", "Role", "Organisation or relationship"),
            [who(p) for p in attendance["invited"]],
            "No one was recorded as invited.",
        )
        self.add(Heading(2, self.words("Attended", "Who came")))
        self._table(
            ("Name", "Role", "Organisation or relationship", "Arrived", "Left"),
            [
                (*who(p), time_of(p["arrived_at"]), time_of(p["left_at"]))
                for p in attendance["attended"]
            ],
            "No one was recorded as attending.",
        )
        self.add(Heading(2, self.words("Apologies", "Could not come (sent apologies)")))
        self._table(
            ("Name", "Role", "Organisation or relationship"),
            [who(p) for p in attendance["apologies"]],
            "None.",
        )
        self.add(Heading(2, self.words("Removed or turned away", "Asked to leave")))
        self._table(
            ("Name", "Role", "Organisation or relationship", "When", "What happened"),
            [
                (*who(p), time_of(p["at"]), p["status"].replace("_", " ").capitalize())
                for p in attendance["removed"]
            ],
            "None.",
        )

    def reports_received_part(self) -> None:
        reports = self.data["reports"]
        self.add(Heading(1, self.words("Reports received", "Reports")))
        columns = ("Written by", "Organisation", "Role", "Received", "Sent late")
        rows = []
        for report in reports:
            row: tuple[str, ...] = (
                report["author_name"],
                report["agency"],
                report["role"],
                when(report["received_at"]),
                yes_no(report["late"]),
            )
            if not self.family:
                row += (yes_no(report["shared_with_family"]),)
            rows.append(row)
        self._table(
            columns if self.family else (*columns, "Shared with the family"),
            rows,
            "No reports were received.",
        )

    def closed_sessions_part(self) -> None:
        periods = self.data["closed_sessions"]
        self.add(
            Heading(1, self.words("Closed sessions", "Times the family was asked to step out"))
        )
        self._table(
            ("Started", "Ended"),
            [(time_of(p["started_at"]), time_of(p["ended_at"])) for p in periods],
            self.words("There was no closed session.", "None."),
        )

    def notes_part(self) -> None:
        notes = self.data["notes"]
        self.add(Heading(1, self.words("Notes by stage", "Notes of the meeting")))
        if not notes:
            self.add(Paragraph("No notes were written."))
            return
        at = {n["id"]: n["at"] for n in notes}
        for stage in STAGE_ORDER:
            here = [n for n in notes if n["stage"] == stage]
            if not here:
                continue
            self.add(Heading(2, here[0]["stage_title"]))
            items = []
            for note in here:
                prefix = time_of(note["at"])
                if note["child_name"]:
                    prefix += f", about {note['child_name']}"
                if note["corrects_note_id"]:
                    prefix += f", correcting the note of {time_of(at[note['corrects_note_id']])}"
                if note.get("restricted"):
                    prefix += ", restricted: not for the family"
                if note.get("author"):
                    prefix += f" ({note['author']})"
                items.append(f"{prefix}: {note['text']}")
            self.add(Bullets(items))

    def scaling_part(self) -> None:
        rounds = self.data["scaling"]
        wording = self.data["scale"]
        self.add(Heading(1, self.words("Safety scaling", "How safe things are: the 0 to 10 scale")))
        self.add(Paragraph(f"0: {wording['zero']} 10: {wording['ten']}"))
        if not rounds:
            self.add(Paragraph("No scaling rounds were held."))
            return
        for one in rounds:
            title = f"{one['child_name']}: {one['title']}"
            if one["label"]:
                title += f" ({one['label']})"
            self.add(Heading(2, title))
            if not one["revealed"]:
                self.add(
                    Paragraph(
                        f"Not revealed: {count(one['answered'], 'person', 'people')} answered. "
                        "The scores and reasons stay private."
                    )
                )
                continue
            tally = one["tally"]
            if tally["count"]:
                by_group = tally["distribution"]
                self.add(
                    Paragraph(
                        f"{count(tally['count'], 'answer')} (family {sum(by_group['family'])}, "
                        f"professionals {sum(by_group['professional'])}). "
                        f"Middle score {tally['median']}, lowest {tally['min']}, "
                        f"highest {tally['max']}."
                    )
                )
            names = bool(one["answers"]) and "name" in one["answers"][0]
            columns: tuple[str, ...] = ("Group", "Score", "Reasons", "One point up")
            if names:
                columns = ("Name", *columns)
            rows = []
            for answer in one["answers"]:
                group = "Family" if answer["group"] == "family" else "Professional"
                row: tuple[str, ...] = (
                    group,
                    str(answer["score"]),
                    answer["reason"],
                    answer["one_point_up"] or "",
                )
                if names:
                    name = answer["name"]
                    if answer.get("entered_by_chair"):
                        by = answer.get("entered_by")
                        name += f" (entered for them by {by})" if by else " (entered for them)"
                    row = (name, *row)
                rows.append(row)
            self._table(columns, rows, "No one answered.")

    def trend_part(self) -> None:
        """A review's safety scale per child: the last conference's revealed rounds and today's."""
        self.add(Heading(1, "Safety scale: then and now"))
        self.add(
            Paragraph(
                self.words(
                    "For each child, the scaling rounds revealed at the last conference and at "
                    "this one. Each cell gives the middle score (the median), the lowest to the "
                    "highest score, and how many answered.",
                    "For each child, how people scored safety at the last meeting and at this "
                    "one. Each box gives the middle score, the lowest to the highest score, and "
                    "how many people answered.",
                )
            )
        )

        def cell(group: dict) -> str:
            if not group["count"]:
                return "No answers"
            answers = count(group["count"], "answer")
            return f"{group['median']} ({group['min']}–{group['max']}), {answers}"

        for child in self.data["trend"]:
            name, then, now = child["child_name"], child["then"], child["now"]
            self.add(Heading(2, name))
            if then is None:
                self.add(
                    Paragraph(
                        self.words(
                            f"{name} was not part of the last conference, so there is no earlier "
                            "score to compare with.",
                            f"{name} was not part of the last meeting, so there is no earlier "
                            "score to compare with.",
                        )
                    )
                )
                continue
            rows = []
            for period, when_ in (
                (then, self.words("Last conference", "Last meeting")),
                (now, self.words("This conference", "This meeting")),
            ):
                for one in period["rounds"]:
                    title = one["title"] + (
                        ", all children together" if one["all_children"] else ""
                    )
                    groups = one["groups"]
                    rows.append(
                        (
                            f"{when_}, {period['date_text']}",
                            title,
                            cell(groups["family"]),
                            cell(groups["professional"]),
                            cell(groups["all"]),
                        )
                    )
            if not then["rounds"]:
                self.add(
                    Paragraph(
                        self.words(
                            f"At the last conference ({then['date_text']}) no scaling round about "
                            f"{name} was revealed, so there is no earlier score to compare with.",
                            f"At the last meeting ({then['date_text']}) no scores about {name} "
                            "were shown, so there is no earlier score to compare with.",
                        )
                    )
                )
            if not now["rounds"]:
                self.add(
                    Paragraph(
                        self.words(
                            f"No scaling round about {name} was revealed at this conference.",
                            f"No scores about {name} were shown at this meeting.",
                        )
                    )
                )
            if rows:
                self.add(
                    Table(
                        ("When", "Round", "Family", "Professionals", "Everyone"),
                        rows,
                    )
                )

    def recommendations_part(self) -> None:
        recs = self.data["recommendations"]
        self.add(Heading(1, self.words("Recommendations", "What each professional suggested")))
        rows = []
        for rec in recs:
            name = rec["name"] + (" (entered by the chair)" if rec["entered_by_chair"] else "")
            rows.append((rec["agency"], name, rec["child_name"], rec["plan_title"], rec["reason"]))
        self._table(
            ("Organisation", "Name", "For", self.words("Recommendation", "Suggested"), "Why"),
            rows,
            "No recommendations were recorded.",
        )

    def reports_part(self) -> None:
        reports = self.data["reports"]
        if not reports:
            return
        self.add(Heading(1, self.words("The reports", "The reports")))
        for report in reports:
            title = f"{report['agency']}: {report['author_name']}"
            if report["role"]:
                title += f", {report['role']}"
            self.add(Heading(2, title))
            rows = [("Received", when(report["received_at"]))]
            if not self.family:
                rows.append(("Shared with the family", yes_no(report["shared_with_family"])))
                if report.get("not_shared_reason"):
                    rows.append(("Why not shared", report["not_shared_reason"]))
            self.add(Fields(rows))
            for section in report["sections"]:
                self.add(
                    Heading(3, section["title"]), ReportText(section["markdown"], section["text"])
                )
            if report.get("restricted"):
                self.add(
                    Heading(3, "Restricted information: not for the family"),
                    ReportText(report["restricted"]["markdown"], report["restricted"]["text"]),
                )
            if report["family_comments"]:
                self.add(
                    Heading(
                        3, self.words("The family's comments", "What you said about this report")
                    ),
                    Paragraph(report["family_comments"]),
                )
