"""Exporting a conference's decision sheet or record: who may, which file, and the audit entry.

The chair and the minute-taker (and an admin standing in) export; nobody in the room does. The
file is built in the server's low-priority helper process (a thread would hold the GIL) so the
live meetings on this server keep moving while a long record renders, and every export is
written to the audit log: who, which document, for which audience, in which format, and the
SHA-256 of the file that left.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from sqlite_utils import Database

from .. import audit, clock, exports
from ..access import Actor
from ..concurrency import run_in_process
from ..db import transaction
from ..errors import Forbidden, Invalid
from . import conferences

EXPORTERS = ("chair", "minute_taker", "admin")
CHOICES = (
    ("format", exports.FORMATS),
    ("audience", exports.AUDIENCES),
    ("document", exports.DOCUMENTS),
)


@dataclass(frozen=True)
class ExportFile:
    """A finished export: what to call it, its media type and its bytes."""

    filename: str
    media_type: str
    body: bytes


def require_exporter(actor: Actor) -> None:
    """Refuse anyone but the chair, the minute-taker or an admin."""
    if not (actor.is_staff and actor.role in EXPORTERS):
        raise Forbidden(
            "Exports are made by the chair or the minute-taker. Ask them for the decision "
            "letter or the record."
        )


def choose(args: Mapping[str, str]) -> tuple[str, str, str]:
    """Return (format, audience, document) from the query, or refuse naming the allowed values."""
    chosen = []
    for name, allowed in CHOICES:
        value = args.get(name)
        if value not in allowed:
            given = "is missing" if value is None else f"{value!r} is not one we make"
            raise Invalid(
                f"{name}: {given}; use one of {', '.join(allowed)}.",
                field=name,
            )
        chosen.append(value)
    fmt, audience, document = chosen
    return fmt, audience, document


def export(db: Database, actor: Actor, conference_id: int, args: Mapping[str, str]) -> ExportFile:
    """Make one export of a conference for ``actor`` and write it to the audit log."""
    require_exporter(actor)
    conference = conferences.load(db, actor, conference_id)
    fmt, audience, document = choose(args)
    source = exports.read(db, conference)
    name, body = run_in_process(exports.make, source, fmt, audience, document, clock.now())
    with transaction(db) as tx:
        audit.record(
            tx,
            actor,
            "conference.export",
            conference_id,
            {
                "document": document,
                "audience": audience,
                "format": fmt,
                "draft": source.conference["status"] != "closed",
                "filename": name,
                "bytes": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            },
        )
    return ExportFile(name, exports.KINDS[fmt].media_type, body)
