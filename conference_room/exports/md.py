"""The Markdown export: the layout's blocks as CommonMark, carrying no raw HTML.

Everything people typed is plain text here (``rendering.plain_text``) and is escaped for
Markdown: ``<`` becomes ``&lt;`` (so no tag, comment or autolink survives), ``&`` before a
name or number becomes ``&amp;`` (so an entity cannot smuggle one in), and the characters
that start emphasis, links, code or a block at the start of a line are backslash-escaped. A
report's lists keep their "- " and "1. " markers, so they are still lists.
"""

from __future__ import annotations

import re

from .blocks import Bullets, Fields, Heading, Layout, Paragraph, ReportText, Table

_INLINE = re.compile(r"([\\`*_\[\]|~])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;?)")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.M)


def escape(text: str, *, keep_lists: bool = False) -> str:
    """Return ``text`` safe to place in Markdown: shown as written, never as markup."""
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    if keep_lists:
        # A report's own list markers (from plain_text) stay list markers.
        text = re.sub(r"^(\s*)\\(-|\d+[.)]) ", r"\1\2 ", text, flags=re.M)
    return text


def _cell(text: str) -> str:
    return escape(" ".join(text.split())) or " "


def _lines(text: str) -> str:
    """Return multi-line typed text as one Markdown paragraph with hard line breaks."""
    return "  \n".join(escape(line.strip()) for line in text.splitlines() if line.strip())


def _block(block) -> str:
    if isinstance(block, Heading):
        return "#" * (block.level + 1) + " " + escape(block.text)
    if isinstance(block, Paragraph):
        text = _lines(block.text)
        return f"**{text}**" if block.kind == "banner" else text
    if isinstance(block, Fields):
        return "\n".join(f"- **{escape(label)}:** {_cell(value)}" for label, value in block.rows)
    if isinstance(block, Table):
        head = "| " + " | ".join(escape(c) for c in block.columns) + " |"
        rule = "|" + " --- |" * len(block.columns)
        rows = ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
        return "\n".join([head, rule, *rows])
    if isinstance(block, Bullets):
        return "\n".join("- " + _cell(item) for item in block.items)
    if isinstance(block, ReportText):
        return escape(block.text, keep_lists=True)
    raise TypeError(f"unknown block {block!r}")


def render(page: Layout) -> bytes:
    """Return the document as Markdown (UTF-8), the marking on its first and last lines."""
    parts = [escape(page.header), "# " + escape(page.title)]
    parts += [_block(block) for block in page.blocks]
    parts.append(escape(page.header))
    return ("\n\n".join(parts) + "\n").encode("utf-8")
