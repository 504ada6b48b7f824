"""Exports of one fixed, closed conference: golden files, the DOCX's structure, who sees what.

The meeting (tests/export_helpers.py) is held once for this module on a frozen clock; every
export is fetched through the real route. Golden files are in tests/golden/exports/: Markdown,
HTML and JSON as they are; DOCX as its text and structure (styles, tables, headers, footers);
CSV as the text of each file in the zip. ``UPDATE_GOLDEN=1`` rewrites them.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from docx import Document

from conference_room import councils, create_app, exports
from conference_room import db as database
from conference_room.access import user_actor
from conference_room.services import accounts
from tests.conftest import PASSWORD, Staff
from tests.export_helpers import (
    FAMILY_NEVER,
    IN_FULL_DECISION,
    NOBODY,
    FrozenClock,
    as_text,
    hold_meeting,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "exports"
CASES = [
    (document, audience, fmt)
    for document in exports.DOCUMENTS
    for audience in exports.AUDIENCES
    for fmt in exports.FORMATS
]
IDS = [f"{d}-{a}-{f}" for d, a, f in CASES]
ABBREVIATIONS = re.compile(r"\b(CP|CPP|CIN|NFA|ICPC|RCPC|LAC|NEG|PHY|EMO|SAB|MUL)\b")


@pytest.fixture(scope="module")
def meeting(tmp_path_factory):
    """The Pennicks' conference, held and closed; a signed-in chair to export it."""
    with pytest.MonkeyPatch.context() as patch:
        clock = FrozenClock(patch)
        path = tmp_path_factory.mktemp("exports") / "conference_room.db"
        db = database.connect(path)
        database.upgrade(db)
        council_id = councils.ensure(db, "Testshire Council")
        people = {}
        for role, name in (("chair", "Chris Chair"), ("minute_taker", "Morgan Minutes")):
            email = f"{role}@testshire.example"
            user = accounts.create_user(
                db, council_id, {"email": email, "name": name, "role": role, "password": PASSWORD}
            )
            people[role] = {**user, "email": email, "council_id": council_id}
        held = hold_meeting(
            db, clock, user_actor(people["chair"]), user_actor(people["minute_taker"])
        )
        app = create_app(
            {"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "t", "ASYNC_MODE": "threading"}
        )
        chair = Staff(app.test_client(), people["chair"]).sign_in()
        fetched: dict[tuple[str, str, str], object] = {}

        def export(document: str, audience: str, fmt: str):
            key = (document, audience, fmt)
            if key not in fetched:
                fetched[key] = chair.get(
                    f"/api/v1/conferences/{held.id}/export"
                    f"?format={fmt}&audience={audience}&document={document}"
                )
                assert fetched[key].status_code == 200, fetched[key].get_data(as_text=True)
            return fetched[key]

        yield SimpleNamespace(db=db, held=held, export=export, chair=chair)
        db.conn.close()


def golden_text(fmt: str, body: bytes) -> str:
    return as_text(fmt, body)


@pytest.mark.parametrize(("document", "audience", "fmt"), CASES, ids=IDS)
def test_every_export_matches_its_golden_file(meeting, document, audience, fmt):
    answer = meeting.export(document, audience, fmt)
    name = f"pennick-2027-03-04-{document}-{audience}.{exports.KINDS[fmt].extension}"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert answer.headers["Content-Type"].startswith(exports.KINDS[fmt].media_type.split(";")[0])
    text = golden_text(fmt, answer.get_data())
    golden = GOLDEN / (name + (".txt" if fmt in ("docx", "csv") else ""))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with UPDATE_GOLDEN=1 once"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(("document", "audience", "fmt"), CASES, ids=IDS)
def test_restricted_markers_reach_the_full_record_and_never_the_family(
    meeting, document, audience, fmt
):
    text = as_text(fmt, meeting.export(document, audience, fmt).get_data())
    for marker in NOBODY:
        assert marker not in text, "a round that was never revealed leaked its reason"
    if audience == "family":
        leaked = [marker for marker in FAMILY_NEVER if marker in text]
        assert not leaked, f"the family {document} ({fmt}) carries {leaked}"
    elif document == "record":
        missing = [marker for marker in FAMILY_NEVER if marker not in text]
        assert not missing, f"the full record ({fmt}) lacks {missing}"
    else:
        for marker in IN_FULL_DECISION:
            assert marker in text, f"the full decision sheet ({fmt}) lacks {marker}"


@pytest.mark.parametrize("document", exports.DOCUMENTS)
@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_family_version_uses_no_abbreviations(meeting, document, fmt):
    text = as_text(fmt, meeting.export(document, "family", fmt).get_data())
    assert not ABBREVIATIONS.findall(text)
    # ...while the full version gives the codes a case-management system imports.
    full = as_text(fmt, meeting.export(document, "full", fmt).get_data())
    assert "Emotional abuse (EMO)" in full and "Neglect (NEG)" in full


def test_names_on_a_round_revealed_without_names_stay_off_the_family_record(meeting):
    family = json.loads(meeting.export("record", "family", "json").get_data())
    full = json.loads(meeting.export("record", "full", "json").get_data())
    by_title = {(r["child_name"], r["title"]): r for r in family["scaling"]}
    unnamed = by_title[("Jayden Pennick", "Round 1")]
    assert not unnamed["show_names"] and unnamed["answers"]
    assert all("name" not in answer for answer in unnamed["answers"])
    assert [a["score"] for a in unnamed["answers"]] == sorted(
        a["score"] for a in unnamed["answers"]
    )
    named = by_title[("All children", "Round 1")]
    assert [a["name"] for a in named["answers"]] == ["Leanne Pennick", "Hannah Oduya"]
    # The full record names everyone and says which answer the chair entered for someone.
    proxy = [a for r in full["scaling"] for a in r["answers"] if a.get("entered_by_chair")]
    assert [(a["name"], a["entered_by"]) for a in proxy] == [("Sandra Pennick", "Chris Chair")]
    # A round never revealed has a count and nothing else, for everyone.
    for data in (family, full):
        hidden = [r for r in data["scaling"] if not r["revealed"]]
        assert [(r["answered"], r["tally"], r["answers"]) for r in hidden] == [(1, None, [])]


def test_the_family_record_leaves_out_what_was_recorded_in_a_closed_session(meeting):
    family = json.loads(meeting.export("record", "family", "json").get_data())
    full = json.loads(meeting.export("record", "full", "json").get_data())
    assert len(full["scaling"]) == len(family["scaling"]) + 1
    assert len(full["recommendations"]) == len(family["recommendations"]) + 1
    assert len(full["dissent"]) == len(family["dissent"]) + 1
    assert [r["agency"] for r in family["reports"]] == [
        "Children's Services",
        "Haverdale Primary School",
    ]
    assert all("restricted" not in r and "not_shared_reason" not in r for r in family["reports"])
    assert "identifier" not in family["children"][0]
    # The times of the closed sessions are the family's to know; what was said is not.
    assert family["closed_sessions"] == full["closed_sessions"]
    assert len(family["closed_sessions"]) == 2


def test_the_json_gives_a_case_management_system_each_childs_outcome_and_dates(meeting):
    data = json.loads(meeting.export("decision", "full", "json").get_data())
    assert data["draft"] is False and data["protective_marking"] == "OFFICIAL-SENSITIVE"
    assert data["conference"]["date"] == "2027-03-04"
    jayden, poppy, baby = data["children"]
    assert jayden["identifier"] == "NHS 943 476 5919"
    assert (jayden["decision"]["outcome"], jayden["decision"]["category_code"]) == (
        "cp_plan",
        "EMO",
    )
    assert (poppy["decision"]["core_group_on"], poppy["decision"]["review_on"]) == (
        "2027-03-16",
        "2027-06-03",
    )
    # Dates the chair left empty are the latest the rules allow.
    assert (jayden["decision"]["core_group_on"], jayden["decision"]["review_on"]) == (
        "2027-03-18",
        "2027-06-04",
    )
    assert baby["expected_date"] == "2027-05-20" and baby["decision"]["category_code"] is None


def _json_keys(value, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if not key.isdigit():
                found.add(key)
            _json_keys(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _json_keys(inner, found)
    return found


def test_every_json_field_is_documented_in_the_readme(meeting):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exports", 1)[1].split("\n## ", 1)[0]
    data = json.loads(meeting.export("record", "full", "json").get_data())
    undocumented = sorted(
        k for k in _json_keys(data, set()) if f"`{k}`" not in section and f"`{k}[]" not in section
    )
    assert not undocumented, f"README 'Exports' does not name {undocumented}"


@pytest.mark.parametrize("audience", exports.AUDIENCES)
def test_the_docx_has_real_headings_tables_and_the_marking_on_every_page(meeting, audience):
    doc = Document(io.BytesIO(meeting.export("record", audience, "docx").get_data()))
    styles = [(p.style.name, p.text) for p in doc.paragraphs if p.text.strip()]
    assert styles[0] == (
        "Title",
        "Record of the conference" if audience == "full" else "Record of the meeting",
    )
    headings = {text for style, text in styles if style.startswith("Heading")}
    assert {"Jayden Pennick", "Poppy Pennick", "Baby Pennick"} <= headings
    assert {s for s, _ in styles if s.startswith("Heading")} == {
        "Heading 1",
        "Heading 2",
        "Heading 3",
    }
    tables = {tuple(cell.text for cell in table.rows[0].cells): table for table in doc.tables}
    plan = next(t for head, t in tables.items() if head[:2] == ("For", "What will happen"))
    assert plan.style.name == "Table Grid"
    assert plan.rows[0]._tr.trPr.xpath("./w:tblHeader")  # the header row repeats on each page
    # Names on every round for the file; on a round revealed without names, none for the family.
    unnamed = any(head[:3] == ("Group", "Score", "Reasons") for head in tables)
    assert unnamed == (audience == "family")
    assert any(head[:4] == ("Name", "Group", "Score", "Reasons") for head in tables)
    assert any(head[:2] == ("Name", "Role") and "Arrived" in head for head in tables)
    assert len(doc.sections) >= 1
    for section in doc.sections:
        assert section.header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
        assert section.footer.paragraphs[0].text == "OFFICIAL-SENSITIVE"
        fields = section.footer._element.xpath(".//w:fldSimple/@w:instr")
        assert [f.strip() for f in fields] == ["PAGE", "NUMPAGES"]
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert doc.core_properties.title == styles[0][1]


def test_the_html_is_self_contained_and_its_one_stylesheet_is_pinned_by_hash(meeting):
    html = meeting.export("record", "full", "html").get_data(as_text=True)
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in html and "default-src 'none'" in html
    assert "@page" in styles[0] and "size: A4" in styles[0]
    assert 'counter(page) " of " counter(pages)' in styles[0]
    assert styles[0].count('content: "OFFICIAL-SENSITIVE";') == 2  # top and bottom
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html.split("<main>")[0])
    assert html.count('<p class="marking">OFFICIAL-SENSITIVE</p>') == 2


@pytest.mark.parametrize("audience", exports.AUDIENCES)
def test_the_csv_zip_has_one_file_per_table_each_row_marked(meeting, audience):
    body = meeting.export("record", audience, "csv").get_data()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        assert names[:3] == ["children.csv", "plan.csv", "dissent.csv"]
        assert "scaling_answers.csv" in names and "attendance.csv" in names
        children = list(
            csv.DictReader(io.StringIO(archive.read("children.csv").decode("utf-8-sig")))
        )
    assert [c["child_name"] for c in children] == [
        "Jayden Pennick",
        "Poppy Pennick",
        "Baby Pennick",
    ]
    assert {(c["document_status"], c["protective_marking"]) for c in children} == {
        ("FINAL", "OFFICIAL-SENSITIVE")
    }
    assert [c["category_code"] for c in children] == ["EMO", "NEG", ""]
    assert ("identifier" in children[0]) == (audience == "full")


def test_every_export_is_audited_with_who_what_and_for_whom(meeting):
    url = f"/api/v1/conferences/{meeting.held.id}/export?format=docx&audience=family"
    body = meeting.chair.get(url + "&document=decision").get_data()
    events = [
        e
        for e in meeting.db.query(
            "SELECT * FROM audit_events WHERE action = 'conference.export' ORDER BY id"
        )
    ]
    details = {
        (e["actor_name"], d["document"], d["audience"], d["format"])
        for e in events
        for d in [json.loads(e["detail"])]
    }
    assert ("Chris Chair", "decision", "family", "docx") in details
    last = json.loads(events[-1]["detail"])
    assert last == {
        "document": "decision",
        "audience": "family",
        "format": "docx",
        "draft": False,
        "filename": "pennick-2027-03-04-decision-family.docx",
        "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    assert events[-1]["actor_type"] == "user" and events[-1]["conference_id"] == meeting.held.id


OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed (optional check)")
def test_libreoffice_opens_the_docx_and_prints_the_marking_and_page_numbers(meeting, tmp_path):
    docx = tmp_path / "record.docx"
    docx.write_bytes(meeting.export("record", "full", "docx").get_data())
    subprocess.run(
        [OFFICE, "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"]
        + ["--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "record.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        pages = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60
        ).stdout.split("\f")[:-1]
        assert len(pages) > 1
        for number, page in enumerate(pages, 1):
            assert page.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks the marking"
            assert f"Page {number} of {len(pages)}" in page


def _chromium() -> str | None:
    from tests.browser.chromium import find_chromium

    return find_chromium()


@pytest.mark.skipif(
    _chromium() is None or shutil.which("pdftotext") is None,
    reason="needs Chromium and pdftotext (poppler-utils) to print and read back",
)
def test_chromium_prints_the_html_on_a4_with_the_marking_and_page_numbers_on_every_page(
    meeting, tmp_path
):
    page = tmp_path / "record.html"
    page.write_bytes(meeting.export("record", "family", "html").get_data())
    pdf = tmp_path / "record.pdf"
    subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
        + [f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer"]
        + [f"--print-to-pdf={pdf}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60)
    assert "(A4)" in info.stdout
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60
    ).stdout.split("\f")[:-1]
    assert len(pages) > 1
    for number, text in enumerate(pages, 1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks the marking"
        assert f"Page {number} of {len(pages)}" in text
