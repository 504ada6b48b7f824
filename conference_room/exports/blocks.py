"""The simple blocks every document is drawn from, and small wording helpers they share.

A document is a title, the protective marking, whether it is a draft, and a list of blocks:
headings, paragraphs, label/value fields, tables, bullet lists and report text. The Markdown,
HTML and DOCX writers each draw these six kinds of block, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .. import clock
from ..rules import dates


@dataclass(frozen=True)
class Heading:
    """A heading under the document's title."""

    level: int  # 1 to 3, under the document's title
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text (line breaks kept)."""

    text: str
    kind: str = ""  # "" or "banner" (the DRAFT notice)


@dataclass(frozen=True)
class Fields:
    """Label and value pairs, such as the conference's facts or one child's decision."""

    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    """A table with a header row."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass(frozen=True)
class Bullets:
    """A bulleted list."""

    items: list[str]


@dataclass(frozen=True)
class ReportText:
    """A report section as its writer typed it, and the same words as plain text."""

    markdown: str  # as the writer typed it (HTML renders it, sanitised)
    text: str  # the same words without markup (Markdown and DOCX use these)


Block = Heading | Paragraph | Fields | Table | Bullets | ReportText


@dataclass
class Layout:
    """A whole document: its title, the marking on every page, draft or final, its blocks."""

    title: str
    marking: str
    draft: bool
    blocks: list[Block] = field(default_factory=list)

    @property
    def header(self) -> str:
        """Return the line printed at the top and bottom of every page."""
        return f"{self.marking} — DRAFT" if self.draft else self.marking


def time_of(stamp: str | None) -> str:
    """Return a stored timestamp as a London time of day, "10:05"."""
    return f"{clock.parse(stamp).astimezone(dates.LONDON):%H:%M}" if stamp else ""


def when(stamp: str | None) -> str:
    """Return a stored timestamp in UK form, "Thursday 4 March 2027, 10:05"."""
    return dates.format_datetime(clock.parse(stamp)) if stamp else ""


def day_text(iso: str | None) -> str:
    """Return a stored date (YYYY-MM-DD) in UK form, "Thursday 4 March 2027"."""
    return dates.format_date(date.fromisoformat(iso)) if iso else ""


def count(n: int, one: str, many: str | None = None) -> str:
    """Return "1 answer", "2 answers" (or ``many``)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def yes_no(value: bool) -> str:
    """Return "Yes" or "No"."""
    return "Yes" if value else "No"
