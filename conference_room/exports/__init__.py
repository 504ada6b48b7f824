"""Exports of a conference: the decision sheet and the full record, for the file or the family.

``source.read`` reads the rows (database, request thread); ``gather.build`` turns them into the
document's data for one audience, applying the visibility rules once; ``render`` makes the file
in one format. ``build`` and ``render`` are pure and CPU-bound, so the route runs them in a
low-priority helper process (``concurrency.run_in_process``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from . import csv_zip, md, print_html
from .gather import build
from .layout import layout
from .source import Source, read

FORMATS = ("md", "html", "docx", "json", "csv")
AUDIENCES = ("full", "family")
DOCUMENTS = ("decision", "record")


@dataclass(frozen=True)
class Kind:
    media_type: str
    extension: str


KINDS = {
    "md": Kind("text/markdown; charset=utf-8", "md"),
    "html": Kind("text/html; charset=utf-8", "html"),
    "docx": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "json": Kind("application/json", "json"),
    "csv": Kind("application/zip", "zip"),
}


def render(data: dict, fmt: str) -> bytes:
    """Return the file of ``data`` (from ``build``) in format ``fmt``."""
    if fmt == "json":
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if fmt == "csv":
        return csv_zip.render(data)
    page = layout(data)
    if fmt == "md":
        return md.render(page)
    if fmt == "html":
        return print_html.render(page)
    if fmt == "docx":
        # python-docx is loaded only where files are made: the server's helper process.
        from . import docx_file

        generated = datetime.fromisoformat(data["generated_at"].replace("Z", "+00:00"))
        return docx_file.render(page, generated, data["council"])
    raise ValueError(f"unknown export format {fmt!r}")


def make(
    source: Source, fmt: str, audience: str, document: str, generated_at: datetime
) -> tuple[str, bytes]:
    """Build the document's data for ``audience``; return its file name and its file."""
    data = build(source, audience, document, generated_at)
    return filename(data, fmt), render(data, fmt)


def filename(data: dict, fmt: str) -> str:
    """Return the download's name, e.g. ``pennick-2027-03-04-decision-family.docx``."""
    conference = data["conference"]
    ascii_title = unicodedata.normalize("NFKD", conference["title"]).encode("ascii", "ignore")
    words = [
        word
        for word in re.findall(r"[a-z0-9]+", ascii_title.decode("ascii").lower())
        if word not in ("the", "family")
    ]
    name = "-".join(words)[:60].strip("-") or f"conference-{conference['id']}"
    extension = KINDS[fmt].extension
    return f"{name}-{conference['date']}-{data['document']}-{data['audience']}.{extension}"


__all__ = [
    "AUDIENCES",
    "DOCUMENTS",
    "FORMATS",
    "KINDS",
    "Source",
    "build",
    "filename",
    "make",
    "read",
    "render",
]
