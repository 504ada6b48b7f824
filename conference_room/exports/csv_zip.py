"""The CSV export: a zip with one CSV file per table, for case-management systems.

``decision`` holds ``children.csv`` (one row per child with the decision), ``plan.csv`` and
``dissent.csv``; ``record`` adds ``attendance.csv``, ``reports.csv``, ``report_sections.csv``
(each section's words as plain text; restricted information as a section of its own in the
full version), ``notes.csv``, ``scaling_rounds.csv``, ``scaling_answers.csv``,
``recommendations.csv`` and ``closed_sessions.csv``; a review's record also has
``scale_trend.csv`` (a row per child, revealed round and group, last time and today). Every
row of every file starts with ``document_status`` ("DRAFT" until the conference is closed, then
"FINAL") and ``protective_marking``, so a file taken out of the zip still says what it is.
UTF-8 with a byte-order mark (Excel then reads it as UTF-8), comma separated, CRLF line ends, a
header row even when there are no rows.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
``'`` so a spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Fixed: the same conference gives the same zip (a zip entry stores a date, not a zone).
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _table(data: dict, columns: list[str], rows: list[dict]) -> bytes:
    status = "DRAFT" if data["draft"] else "FINAL"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["document_status", "protective_marking", *columns])
    for row in rows:
        writer.writerow([status, data["protective_marking"], *(_cell(row.get(c)) for c in columns)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sections(base: dict, reports: list[dict]) -> list[dict]:
    """Return each report section's words as a row; restricted information (full) as its own."""
    rows = []
    for report in reports:
        for section in report["sections"]:
            rows.append({**base, "report_id": report["id"], **section})
        if report.get("restricted"):
            rows.append(
                {
                    **base,
                    "report_id": report["id"],
                    "key": "restricted",
                    "title": "Restricted information: not for the family",
                    "text": report["restricted"]["text"],
                }
            )
    return rows


TREND_COLUMNS = [
    "conference_id",
    "child_id",
    "child_name",
    "when",
    "round_conference_id",
    "round_conference_date",
    "round_id",
    "round_title",
    "all_children",
    "revealed_at",
    "group",
    "count",
    "median",
    "min",
    "max",
]


def _trend(base: dict, trend: list[dict]) -> list[dict]:
    """Return a review's scale then and now as rows: child, time (then, now), round, group."""
    rows = []
    for child in trend:
        for when in ("then", "now"):
            period = child[when]
            for one in period["rounds"] if period else []:
                for group, spread in one["groups"].items():
                    rows.append(
                        {
                            **base,
                            "child_id": child["child_id"],
                            "child_name": child["child_name"],
                            "when": when,
                            "round_conference_id": period["conference_id"],
                            "round_conference_date": period["date"],
                            "round_id": one["round_id"],
                            "round_title": one["title"],
                            "all_children": one["all_children"],
                            "revealed_at": one["revealed_at"],
                            "group": group,
                            **spread,
                        }
                    )
    return rows


def tables(data: dict) -> dict[str, tuple[list[str], list[dict]]]:
    """Return file name -> (columns, rows) for the document's data."""
    conference = data["conference"]
    base = {"conference_id": conference["id"], "conference_date": conference["date"]}
    children = []
    for child in data["children"]:
        decision = child["decision"] or {}
        children.append(
            {
                **base,
                "conference_kind": conference["kind"],
                "child_id": child["id"],
                "child_name": child["name"],
                "identifier": child.get("identifier"),
                "date_of_birth": child["date_of_birth"],
                "expected_date": child["expected_date"],
                **{
                    key: decision.get(key)
                    for key in (
                        "outcome",
                        "outcome_title",
                        "outcome_family_title",
                        "category_code",
                        "category_titles",
                        "reasons",
                        "lead_social_worker",
                        "core_group_members",
                        "core_group_on",
                        "review_on",
                        "decided_at",
                        "decided_by",
                    )
                },
            }
        )
    child_columns = list(children[0]) if children else ["conference_id"]
    if data["audience"] == "family":
        child_columns = [c for c in child_columns if c != "identifier"]
    plan_columns = [
        "conference_id",
        "id",
        "child_id",
        "child_name",
        "kind",
        "kind_title",
        "what",
        "who",
        "by_when",
        "how_we_know",
        "progress",
        "progress_title",
        "progress_note",
    ]
    if data["audience"] == "full":
        plan_columns.append("restricted")
    out = {
        "children.csv": (child_columns, children),
        "plan.csv": (plan_columns, [{**base, **a} for a in data["plan"]]),
        "dissent.csv": (
            ["conference_id", "child_id", "child_name", "name", "agency", "reason", "at"],
            [{**base, **d} for d in data["dissent"]],
        ),
    }
    if data["document"] != "record":
        return out
    attendance = [
        {**base, "list": name, **person}
        for name in ("invited", "attended", "apologies", "removed")
        for person in data["attendance"][name]
    ]
    rounds, answers = [], []
    for one in data["scaling"]:
        tally = one["tally"] or {}
        rounds.append({**base, **one, **{k: tally.get(k) for k in ("median", "min", "max")}})
        answers += [{**base, "round_id": one["id"], **answer} for answer in one["answers"]]
    full = data["audience"] == "full"
    report_columns = [
        "conference_id",
        "id",
        "author_name",
        "agency",
        "role",
        "received_at",
        "late",
        "shared_with_family",
        "shared_on",
        "family_comments",
    ]
    if full:
        report_columns.append("not_shared_reason")
    answer_columns = [
        "conference_id",
        "round_id",
        "name",
        "group",
        "score",
        "reason",
        "one_point_up",
        "entered_by_chair",
    ]
    if full:
        answer_columns.append("entered_by")
    note_columns = [
        "conference_id",
        "id",
        "stage",
        "stage_title",
        "child_id",
        "child_name",
        "text",
        "at",
        "corrects_note_id",
    ]
    if full:
        note_columns += ["author", "restricted"]
    out.update(
        {
            "attendance.csv": (
                [
                    "conference_id",
                    "list",
                    "name",
                    "role",
                    "agency",
                    "relationship",
                    "arrived_at",
                    "left_at",
                    "status",
                    "at",
                ],
                attendance,
            ),
            "reports.csv": (report_columns, [{**base, **r} for r in data["reports"]]),
            "report_sections.csv": (
                ["conference_id", "report_id", "key", "title", "text"],
                _sections(base, data["reports"]),
            ),
            "notes.csv": (note_columns, [{**base, **n} for n in data["notes"]]),
            "scaling_rounds.csv": (
                [
                    "conference_id",
                    "id",
                    "title",
                    "child_id",
                    "child_name",
                    "label",
                    "status",
                    "revealed",
                    "show_names",
                    "opened_at",
                    "revealed_at",
                    "answered",
                    "median",
                    "min",
                    "max",
                ],
                rounds,
            ),
            "scaling_answers.csv": (answer_columns, answers),
            "recommendations.csv": (
                [
                    "conference_id",
                    "child_id",
                    "child_name",
                    "agency",
                    "name",
                    "plan",
                    "plan_title",
                    "reason",
                    "entered_by_chair",
                    "at",
                ],
                [{**base, **r} for r in data["recommendations"]],
            ),
            "closed_sessions.csv": (
                ["conference_id", "started_at", "ended_at"],
                [{**base, **s} for s in data["closed_sessions"]],
            ),
        }
    )
    if "trend" in data:
        out["scale_trend.csv"] = (TREND_COLUMNS, _trend(base, data["trend"]))
    return out


def render(data: dict) -> bytes:
    """Return the zip of CSV files for the document's data."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, rows) in tables(data).items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _table(data, columns, rows))
    return buffer.getvalue()
