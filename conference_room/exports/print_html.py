"""The print-ready HTML export: one self-contained A4 document with the marking on every page.

No external resources: the stylesheet is a ``<style>`` element in the file, and the file's own
Content-Security-Policy (a ``<meta>``) allows that one stylesheet, by its hash, and nothing
else — no script at all, even if the file is opened from a disk or an e-mail. The app serves
the file as an attachment (``Content-Disposition: attachment``), so the browser saves it rather
than showing it under the app's own ``style-src 'self'`` policy.

Printing (Chromium, "Save as PDF" or a printer) uses CSS paged media: A4, and page margin boxes
with the council's protective marking at the top and bottom of every page (with "DRAFT" until
the conference is closed) and "Page N of M" at the bottom right. On screen the marking is shown
above and below the document, and a DRAFT banner under the title.

Every word people typed is escaped; report text is Markdown rendered by ``render_markdown``
(raw HTML off, then nh3's allow-list), like everywhere else in the app.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from html import escape

from ..rendering import render_markdown
from .blocks import Bullets, Fields, Heading, Layout, Paragraph, ReportText, Table

STYLESHEET = """
@page {
  size: A4;
  margin: 20mm 16mm 22mm 16mm;
  @top-center { content: HEADER; font: bold 9pt Arial, Helvetica, sans-serif; }
  @bottom-center { content: HEADER; font: bold 9pt Arial, Helvetica, sans-serif; }
  @bottom-right {
    content: "Page " counter(page) " of " counter(pages);
    font: 9pt Arial, Helvetica, sans-serif;
  }
}
html { color: #000; background: #fff; }
body { font: 11pt/1.45 Arial, Helvetica, sans-serif; max-width: 178mm; margin: 0 auto;
  padding: 0 4mm; }
.marking { text-align: center; font-weight: bold; letter-spacing: 0.04em; margin: 4mm 0; }
.banner { border: 2px solid #000; padding: 2mm 3mm; font-weight: bold; }
h1 { font-size: 20pt; margin: 2mm 0 4mm; }
h2 { font-size: 15pt; margin: 7mm 0 2mm; border-bottom: 1px solid #000; }
h3 { font-size: 12.5pt; margin: 5mm 0 2mm; }
h4, h5, h6 { font-size: 11pt; margin: 4mm 0 1mm; }
h1, h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
th, td { border: 1px solid #555; padding: 1.2mm 2mm; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
thead th { background: #e8e8e8; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.fields th { width: 32%; background: #f3f3f3; }
ul { padding-left: 6mm; }
.report { border-left: 3px solid #999; padding-left: 3mm; }
@media print { body { max-width: none; padding: 0; } .marking { margin: 0 0 3mm; } }
"""


@lru_cache(maxsize=512)
def report_html(markdown: str) -> str:
    """Return a report section as sanitised HTML (kept, like gather.report_text: a sent
    report's text no longer changes, and one record is often downloaded several times)."""
    return str(render_markdown(markdown))


def css_string(text: str) -> str:
    """Return ``text`` as a CSS string literal that cannot end the string or the stylesheet."""
    out = []
    for ch in text:
        if ch.isalnum() and ch.isascii() or ch in " -_.,:;()/'":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


def _text(text: str) -> str:
    """Return typed text escaped for HTML, keeping its line breaks."""
    return "<br>\n".join(escape(line) for line in text.strip().split("\n"))


def _block(block) -> str:
    if isinstance(block, Heading):
        level = block.level + 1
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        css = ' class="banner"' if block.kind == "banner" else ""
        return f"<p{css}>{_text(block.text)}</p>"
    if isinstance(block, Fields):
        rows = "".join(
            f'<tr><th scope="row">{escape(label)}</th><td>{_text(value)}</td></tr>'
            for label, value in block.rows
        )
        return f'<table class="fields"><tbody>{rows}</tbody></table>'
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in block.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_text(cell)}</td>" for cell in row) + "</tr>\n"
            for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table>"
    if isinstance(block, Bullets):
        items = "".join(f"<li>{_text(item)}</li>\n" for item in block.items)
        return f"<ul>\n{items}</ul>"
    if isinstance(block, ReportText):
        return f'<div class="report">{report_html(block.markdown)}</div>'
    raise TypeError(f"unknown block {block!r}")


def stylesheet(page: Layout) -> str:
    """Return the document's stylesheet, with its marking in the page margins."""
    return STYLESHEET.replace("HEADER", css_string(page.header))


def render(page: Layout) -> bytes:
    """Return the document as one self-contained, print-ready HTML file (UTF-8)."""
    css = stylesheet(page)
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    policy = f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:"
    marking = escape(page.header)
    parts = [
        "<!doctype html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(policy, quote=False)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(page.title)}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
        f'<p class="marking">{marking}</p>',
        "<main>",
        f"<h1>{escape(page.title)}</h1>",
        *(_block(block) for block in page.blocks),
        "</main>",
        f'<p class="marking">{marking}</p>',
        "</body>",
        "</html>",
    ]
    return ("\n".join(parts) + "\n").encode("utf-8")
