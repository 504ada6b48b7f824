"""The DOCX export (python-docx): real heading styles, tables, the marking on every page.

Word and LibreOffice both read it as an ordinary document: the title in the "Title" style,
parts in "Heading 1" to "Heading 3" (so the navigation pane and a table of contents work),
label/value facts and every list of people, reports, scores and plan actions as "Table Grid"
tables whose header row repeats on each page, bullets in "List Bullet". Every section's header
and footer carry the council's protective marking ("— DRAFT" until the conference is closed)
and the footer has "Page N of M" as Word fields, which Word and LibreOffice fill in.

python-docx opens its default template (Word's built-in styles) and writes the page set-up,
header, footer and properties; the body is built as WordprocessingML elements directly, because
python-docx's ``add_paragraph``, ``add_run`` and ``add_table`` (which look up styles by name,
scan siblings and examine every character) took seconds for a long record.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from .blocks import Bullets, Fields, Heading, Layout, Paragraph, ReportText, Table

# Characters XML 1.0 cannot hold (rendering.plain_text already removes them; belt and braces).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LIST_LINE = re.compile(r"^\s*(?:- |\d+[.)] )")
# Style ids in python-docx's default template: "Heading1" is Word's "Heading 1", and so on.
TITLE, LIST_BULLET, LIST_PARAGRAPH, TABLE_GRID = "Title", "ListBullet", "ListParagraph", "TableGrid"
PAGE_WIDTH, PAGE_HEIGHT, SIDE_MARGIN, END_MARGIN = Mm(210), Mm(297), Mm(18), Mm(20)
TEXT_WIDTH_TWIPS = (PAGE_WIDTH - 2 * SIDE_MARGIN) // 635  # EMU to twentieths of a point


def _w(tag: str, parent=None, **attributes: str):
    """Return a new ``w:`` element (under ``parent``, if given) with ``w:`` attributes."""
    element = (
        etree.Element(qn(f"w:{tag}"))
        if parent is None
        else etree.SubElement(parent, qn(f"w:{tag}"))
    )
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _runs(paragraph, text: str, bold: bool = False) -> None:
    """Write ``text`` into the ``w:p`` element, keeping its line breaks as line breaks."""
    lines = _xml_text(text).replace("\t", " ").split("\n")
    for index, line in enumerate(lines):
        run = _w("r", paragraph)
        if bold:
            _w("b", _w("rPr", run))
        words = _w("t", run)
        words.set(qn("xml:space"), "preserve")
        words.text = line
        if index < len(lines) - 1:
            _w("br", run)


def _paragraph(text: str, style: str | None = None, bold: bool = False):
    """Return a ``w:p`` element in the style with id ``style``."""
    paragraph = _w("p")
    if style:
        _w("pStyle", _w("pPr", paragraph), val=style)
    _runs(paragraph, text, bold)
    return paragraph


def _table(columns: tuple[str, ...] | None, rows: list[tuple[str, ...]], bold_first=False):
    """Return a "Table Grid" ``w:tbl`` element; a header row repeats on every page."""
    width = len(columns) if columns else len(rows[0])
    column_twips = str(TEXT_WIDTH_TWIPS // width)
    table = _w("tbl")
    properties = _w("tblPr", table)
    _w("tblStyle", properties, val=TABLE_GRID)
    _w("tblW", properties, w="0", type="auto")
    _w(
        "tblLook",
        properties,
        val="04A0",
        firstRow="1",
        lastRow="0",
        firstColumn="1",
        lastColumn="0",
        noHBand="0",
        noVBand="1",
    )
    grid = _w("tblGrid", table)
    for _ in range(width):
        _w("gridCol", grid, w=column_twips)

    def add_row(cells: tuple[str, ...], header: bool) -> None:
        row = _w("tr", table)
        if header:
            _w("tblHeader", _w("trPr", row))
        for index, text in enumerate(cells):
            cell = _w("tc", row)
            _w("tcW", _w("tcPr", cell), w=column_twips, type="dxa")
            cell.append(_paragraph(text, bold=header or (bold_first and index == 0)))

    if columns:
        add_row(columns, header=True)
    for row in rows:
        add_row(row, header=False)
    return table


def _report_text(text: str) -> list:
    """Return a report section's paragraphs: its lists as list paragraphs."""
    out = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = chunk.split("\n")
        if all(_LIST_LINE.match(line) for line in lines):
            for line in lines:
                if line.lstrip().startswith("- "):
                    out.append(_paragraph(line.lstrip()[2:], LIST_BULLET))
                else:
                    out.append(_paragraph(line.strip(), LIST_PARAGRAPH))
        elif chunk.strip():
            out.append(_paragraph(chunk))
    return out


def _elements(block) -> list:
    """Return the body elements that draw ``block``."""
    if isinstance(block, Heading):
        return [_paragraph(block.text, f"Heading{block.level}")]
    if isinstance(block, Paragraph):
        return [_paragraph(block.text, bold=block.kind == "banner")]
    if isinstance(block, Fields):
        return [_table(None, block.rows, bold_first=True), _paragraph("")]
    if isinstance(block, Table):
        # The empty paragraph keeps two tables apart (Word would join tables that touch).
        return [_table(block.columns, block.rows), _paragraph("")]
    if isinstance(block, Bullets):
        return [_paragraph(item, LIST_BULLET) for item in block.items]
    if isinstance(block, ReportText):
        return _report_text(block.text)
    raise TypeError(f"unknown block {block!r}")


def _field(paragraph, instruction: str) -> None:
    """Add a Word field (PAGE, NUMPAGES) that the word processor fills in."""
    simple = _w("fldSimple", paragraph._p, instr=instruction)
    _w("t", _w("r", simple)).text = "1"


def _page_furniture(doc, page: Layout) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin = section.bottom_margin = END_MARGIN
        section.left_margin = section.right_margin = SIDE_MARGIN
        for part in (section.header, section.footer):
            marking = part.paragraphs[0]
            marking.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _runs(marking._p, page.header, bold=True)
        numbers = section.footer.add_paragraph()
        numbers.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        numbers.add_run("Page ")
        _field(numbers, "PAGE")
        numbers.add_run(" of ")
        _field(numbers, "NUMPAGES")


def render(page: Layout, generated_at: datetime, author: str) -> bytes:
    """Return the document as a .docx file."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    properties = doc.core_properties
    properties.title = page.title
    properties.subject = page.header
    properties.author = properties.last_modified_by = _xml_text(author)
    properties.created = properties.modified = generated_at.replace(tzinfo=None)
    properties.revision = 1
    properties.comments = ""
    _page_furniture(doc, page)
    end = doc.element.body.sectPr  # the body's content goes before its section properties
    end.addprevious(_paragraph(page.title, TITLE))
    for block in page.blocks:
        for element in _elements(block):
            end.addprevious(element)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
