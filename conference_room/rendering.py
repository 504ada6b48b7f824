"""Turn text people typed into HTML or plain text that is safe to show anywhere.

Professionals write reports in Markdown; parents, children and other professionals read them on
phones. Everything typed by a person goes through one of three functions before it reaches a
page or an export:

- ``render_markdown(text)`` — a report body (or any long Markdown field) as sanitised HTML.
- ``render_plain(text)`` — a short field (a name, a scaling reason, an action) as escaped HTML that
  keeps the writer's line breaks and interprets no Markdown.
- ``plain_text(text)`` — the same words with no markup at all, for DOCX, CSV, JSON and the
  Markdown export (``from_markdown=False`` for short fields: only hidden characters go). The
  result is *text*: the exporter still escapes it for its own format.
- ``strip_hidden(text)`` — only the character clean-up below, for text stored or shown as typed
  (a draft in a ``<textarea>``, a name in JSON).

How ``render_markdown`` stays safe (two independent layers):

1. Markdown itself never passes raw HTML through. Python-Markdown's raw-HTML block and inline
   handlers are switched off, so ``<script>`` typed in a report is shown as the literal text
   ``<script>``: nothing the author typed silently disappears from the record, and nothing they
   typed can become a tag.
2. Whatever Markdown produces is then cleaned by ``nh3`` with an explicit allow-list of tags,
   ``href``/``title`` on links only, and ``http``/``https``/``mailto`` URLs only (relative URLs are
   dropped: a report has no business pointing into this app).

Extensions and why:

- ``tables`` (dates, attendance, who does what) and ``fenced_code`` (pasted text kept exactly):
  their output is inside the allow-list.
- ``sane_lists``: a numbered list followed by a bulleted one stays two lists, as people expect.
- ``nl2br``: most writers are not Markdown users and paste from Word or e-mail; a single line
  break (an address, a list without markers) should stay a line break on the phone. For the
  same writers a list may start straight after a line of text ("Worries:" then "- ..."), which
  Python-Markdown alone would run into the paragraph.
- Not ``extra``: it bundles ``attr_list`` (``{: onclick=...}`` adds arbitrary attributes),
  ``md_in_html`` (Markdown inside raw HTML), ``footnotes`` (relative ``#fn`` links and ids),
  ``abbr`` and ``def_list`` (tags outside the allow-list). None of them helps a report.

Headings: the page owns ``<h1>`` and ``<h2>`` (conference, report title), so every Markdown
heading is demoted two levels — ``#`` becomes ``<h3>``, ``##`` ``<h4>``, ``###`` ``<h5>`` and
anything deeper ``<h6>`` — which keeps the writer's own hierarchy inside the report. Images are
not allowed (they would load third-party URLs on a family's phone); a Markdown image is replaced by
its alt text.

Characters: bidi override/isolate controls and other invisible format characters (zero-width
spaces, soft hyphens, word joiners, BOMs, Unicode "tag" characters, Hangul fillers...) are removed
from the input and again from the output, together with control characters and unpaired
surrogates. Zero-width (non-)joiners are kept only between two non-ASCII characters, where emoji
sequences and scripts such as Persian or Bengali need them, and tag characters only inside an
emoji flag sequence such as England's.

Cost: Python-Markdown scans link brackets in quadratic time (8,000 ``[`` took 13 s), slows down
quadratically with the inline elements in one paragraph and recurses once per nesting level
(``+ + + ...`` raised RecursionError). Here the link processors look brackets up in a table built
once per text and bound how far a link's ``(...)`` part is searched, and text with more markup
than any real report (or nesting 16 deep on a line, or over 300,000 characters) is shown as plain
escaped paragraphs instead — every word still there, no formatting. A realistic 140 KB report
takes about 0.5 s and no hostile 200 KB input measured took over 1 s; render a report once when
it is saved rather than on every page view, since an eventlet server does nothing else meanwhile.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html import escape
from html.parser import HTMLParser
from typing import Final

import markdown
import nh3
from markdown import inlinepatterns
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup
from markupsafe import escape as markup_escape

__all__ = [
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "plain_text",
    "render_markdown",
    "render_plain",
    "strip_hidden",
]

ALLOWED_TAGS: Final[frozenset[str]] = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "code",
        "pre",
        "hr",
    }
)
ALLOWED_ATTRIBUTES: Final[dict[str, set[str]]] = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES: Final[frozenset[str]] = frozenset({"http", "https", "mailto"})
LINK_REL: Final[str] = "noopener noreferrer nofollow"
# Never allowed, and their content is dropped too (Markdown never emits them; belt and braces).
_CLEAN_CONTENT_TAGS: Final[frozenset[str]] = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math"}
)

_CLEANER: Final = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_CLEAN_CONTENT_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    strip_comments=True,
    link_rel=LINK_REL,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative="deny",
)

# ---------------------------------------------------------------------------------------------
# Characters
# ---------------------------------------------------------------------------------------------

# Invisible or direction-changing characters that can disguise what text says.
_INVISIBLE: Final[str] = (
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark (bidi)
    "\u115f\u1160"  # Hangul choseong / jungseong fillers
    "\u17b4\u17b5"  # Khmer inherent vowels (invisible)
    "\u180b-\u180f"  # Mongolian free variation selectors and vowel separator
    "\u200b"  # zero-width space
    "\u200e\u200f"  # left-to-right / right-to-left marks (bidi)
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\u206a-\u206f"  # deprecated format characters
    "\u3164"  # Hangul filler
    "\ufeff"  # byte order mark / zero-width no-break space
    "\uffa0"  # halfwidth Hangul filler
    "\ufff9-\ufffb"  # interlinear annotation controls
    "\U0001d173-\U0001d17a"  # musical symbol format controls
)
_CONTROLS: Final[str] = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f"
_SURROGATES_AND_NONCHARS: Final[str] = "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_CHARS_RE: Final = re.compile(
    # group 1: an emoji tag sequence (England, Scotland, Wales flags) is kept whole
    "(\U0001f3f4[\U000e0020-\U000e007e]{1,12}\U000e007f)"
    # anything else from the tag block is invisible "ASCII smuggling"
    "|[\U000e0000-\U000e007f]"
    # zero-width (non-)joiners next to ASCII or at an edge do nothing but hide things
    "|(?<![^\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f])"
    f"|[{_INVISIBLE}{_CONTROLS}{_SURROGATES_AND_NONCHARS}]"
)
_NEWLINES_RE: Final = re.compile("\r\n?|[\u0085\u2028\u2029]")


def _keep_flags(match: re.Match[str]) -> str:
    """Return the emoji flag sequence a match kept, or nothing."""
    return match.group(1) or ""


def strip_hidden(text: str) -> str:
    """Remove invisible, bidi and control characters and normalise line breaks."""
    return _CHARS_RE.sub(_keep_flags, _NEWLINES_RE.sub("\n", text))


def _coerce(text: object) -> str:
    """Return text as a str, treating None as empty."""
    if text is None:
        return ""
    return text if isinstance(text, str) else str(text)


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------

_MAX_LINK_TEXT: Final = 2_000  # characters between [ and ] of one link
_MAX_LINK_TARGET: Final = 2_000  # characters between ( and ) of one link
_LINK_TARGET_BUDGET: Final = 400_000  # characters scanned for link targets in one document


class _LinkScanState:
    """Share bracket tables and one scanning budget between a document's link processors."""

    _KEEP: Final = 8  # tables kept: the block being processed plus nested link texts

    def __init__(self) -> None:
        """Start with no tables and a full budget."""
        # Each table maps "distance from the end of the text" of a "[" to that of its "]": the
        # match depends only on what follows, so a table stays right for any later string that
        # shares the suffix (Markdown replaces each link it finds by a placeholder in front).
        self.tables: list[tuple[str, dict[int, int]]] = []
        self.budget = _LINK_TARGET_BUDGET

    def _table_for(self, data: str, from_end: int) -> dict[int, int]:
        """Return a bracket table valid for the last from_end characters of data."""
        for built, table in self.tables:
            if built is data or (
                from_end <= len(built) and data[-from_end:] == built[len(built) - from_end :]
            ):
                return table
        table: dict[int, int] = {}
        stack: list[int] = []
        length = len(data)
        for match in re.finditer(r"[\[\]]", data):
            if match.group() == "[":
                stack.append(length - match.start())
            elif stack:
                table[stack.pop()] = length - match.start()
        self.tables = [(data, table), *self.tables[: self._KEEP - 1]]
        return table

    def closing_bracket(self, data: str, opening: int) -> int | None:
        """Return the index of the ``]`` matching the ``[`` at ``opening``, if any."""
        from_end = len(data) - opening
        closing_from_end = self._table_for(data, from_end).get(from_end)
        return None if closing_from_end is None else len(data) - closing_from_end


def _bounded_link_class(base: type[inlinepatterns.LinkInlineProcessor]) -> type:
    """Return a subclass of a link processor whose bracket and target scans are bounded."""

    class Bounded(base):  # type: ignore[valid-type, misc]
        scan: _LinkScanState

        def getText(self, data: str, index: int) -> tuple[str, int, bool]:  # noqa: N802
            """Find the link text using the shared bracket table instead of a rescan."""
            if index == 0 or data[index - 1] != "[":
                return super().getText(data, index)
            closing = self.scan.closing_bracket(data, index - 1)
            if closing is None or closing - index > _MAX_LINK_TEXT:
                return "", index, False
            return data[index:closing], closing + 1, True

        def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:  # noqa: N802
            """Parse the link target within a bounded window and a per-document budget."""
            window = data[index : index + _MAX_LINK_TARGET]
            if ")" not in window or self.scan.budget <= 0:
                return "", None, index, False
            href, title, end, handled = super().getLink(window, 0)
            self.scan.budget -= end if handled else len(window)
            return href, title, index + end, handled

    Bounded.__name__ = f"Bounded{base.__name__}"
    return Bounded


_BOUNDED_PROCESSORS: Final[dict[str, tuple[type, str]]] = {
    "reference": (
        _bounded_link_class(inlinepatterns.ReferenceInlineProcessor),
        inlinepatterns.REFERENCE_RE,
    ),
    "link": (_bounded_link_class(inlinepatterns.LinkInlineProcessor), inlinepatterns.LINK_RE),
    "image_link": (
        _bounded_link_class(inlinepatterns.ImageInlineProcessor),
        inlinepatterns.IMAGE_LINK_RE,
    ),
    "image_reference": (
        _bounded_link_class(inlinepatterns.ImageReferenceInlineProcessor),
        inlinepatterns.IMAGE_REFERENCE_RE,
    ),
    "short_reference": (
        _bounded_link_class(inlinepatterns.ShortReferenceInlineProcessor),
        inlinepatterns.REFERENCE_RE,
    ),
    "short_image_ref": (
        _bounded_link_class(inlinepatterns.ShortImageReferenceInlineProcessor),
        inlinepatterns.IMAGE_REFERENCE_RE,
    ),
}


class _DemoteAndDropImages(Treeprocessor):
    """Demote headings two levels and replace images by their alt text."""

    def run(self, root: etree.Element) -> None:
        """Rewrite the document tree in place."""
        for element in root.iter():
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1] in "123456":
                element.tag = f"h{min(int(element.tag[1]) + 2, 6)}"
        for parent in list(root.iter()):
            for index in range(len(parent) - 1, -1, -1):
                child = parent[index]
                if child.tag != "img":
                    continue
                replacement = (child.get("alt") or "") + (child.tail or "")
                if index > 0:
                    previous = parent[index - 1]
                    previous.tail = (previous.tail or "") + replacement
                else:
                    parent.text = (parent.text or "") + replacement
                parent.remove(child)


_LIST_ITEM_RE: Final = re.compile(r"^ {0,3}(?:[-*+]|\d{1,2}[.)])[ \t]+\S")
_FENCE_RE: Final = re.compile(r"^ {0,3}(?:`{3,}|~{3,})")


class _ListsAfterParagraphs(Preprocessor):
    """Start a list where a writer starts one, even without a blank line before it."""

    def run(self, lines: list[str]) -> list[str]:
        """Insert a blank line between a paragraph line and a list item that follows it."""
        out: list[str] = []
        in_fence = in_list = False
        for line in lines:
            if _FENCE_RE.match(line):
                in_fence = not in_fence
            elif not in_fence:
                if not line.strip():
                    in_list = False
                elif _LIST_ITEM_RE.match(line):
                    if out and out[-1].strip() and not in_list:
                        out.append("")
                    in_list = True
            out.append(line)
        return out


def _new_markdown() -> markdown.Markdown:
    """Return a Markdown converter with raw HTML off and bounded link scanning."""
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "nl2br"], output_format="html"
    )
    # Raw HTML is shown as text, never passed through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    scan = _LinkScanState()
    for name, (cls, pattern) in _BOUNDED_PROCESSORS.items():
        # Replace each link processor at its own priority (the registry has no public getter;
        # the pathological-input tests fail loudly if a Markdown upgrade changes this).
        index = md.inlinePatterns.get_index_for_name(name)
        old_priority = md.inlinePatterns._priority[index].priority
        processor = cls(pattern, md)
        processor.scan = scan
        md.inlinePatterns.register(processor, name, old_priority)
    md.preprocessors.register(_ListsAfterParagraphs(md), "lists_after_paragraphs", 27)
    md.treeprocessors.register(_DemoteAndDropImages(md), "demote_and_drop_images", 15)
    return md


def _sanitise(html: str) -> str:
    """Clean HTML with the allow-list and strip disguising characters from the result."""
    cleaned = _CLEANER.clean(html)
    stripped = strip_hidden(cleaned)
    # Entities such as &#8238; only become characters inside nh3; removing them can change a
    # string nh3 already judged, so judge it again.
    return cleaned if stripped == cleaned else _CLEANER.clean(stripped)


# Python-Markdown slows down quadratically with the number of inline elements in one block
# ("*a*" repeated 15,000 times took 4 s, and an eventlet server does nothing else meanwhile) and
# recurses once per level of nesting ("+ + + + ..." raises RecursionError). Text past these limits
# is shown as plain paragraphs instead: every word still there, no formatting.
_MARKUP_CHARS: Final = "*_`[]!<>&\\~|\n"
_MAX_MARKUP_PER_BLOCK: Final = 2_000
_MAX_MARKUP_TOTAL: Final = 20_000
_MAX_MARKDOWN_CHARS: Final = 300_000
_INDENT_RE: Final = re.compile(r"^[ \t]+", re.MULTILINE)
_BLOCK_SPLIT_RE: Final = re.compile(r"\n[ \t]*\n")
# Sixteen list or quote markers in a row at the start of a line ("- > - > ..." or "1. 1. 1. ...").
_DEEP_NESTING_RE: Final = re.compile(r"^[ \t]*(?:(?:[-+*>]|\d{1,9}[.)])[ \t]*){16}", re.MULTILINE)


def _too_complex(source: str) -> bool:
    """Say whether Markdown would take too long on this text."""
    if len(source) > _MAX_MARKDOWN_CHARS or _DEEP_NESTING_RE.search(source):
        return True
    total = 0
    for block in _BLOCK_SPLIT_RE.split(source):
        count = sum(block.count(char) for char in _MARKUP_CHARS)
        # every four columns of indentation is one more level of nesting to work through
        count += sum(len(m.expandtabs(4)) // 4 for m in _INDENT_RE.findall(block))
        total += count
        if count > _MAX_MARKUP_PER_BLOCK or total > _MAX_MARKUP_TOTAL:
            return True
    return False


def _plain_paragraphs(source: str) -> str:
    """Return text as escaped HTML paragraphs with line breaks, interpreting no Markdown."""
    paragraphs = [block.strip("\n") for block in _BLOCK_SPLIT_RE.split(source)]
    return "\n".join(
        "<p>" + "<br>\n".join(escape(line, quote=False) for line in block.split("\n")) + "</p>"
        for block in paragraphs
        if block.strip()
    )


def render_markdown(text: str) -> Markup:
    """Render Markdown typed by a person as sanitised HTML."""
    source = strip_hidden(_coerce(text))
    if not source.strip():
        return Markup("")
    if _too_complex(source):
        html = _plain_paragraphs(source)
    else:
        try:
            html = _new_markdown().convert(source)
        except RecursionError:
            html = _plain_paragraphs(source)
    return Markup(_sanitise(html))


def render_plain(text: str) -> Markup:
    """Escape a short plain field for a page, keeping its line breaks."""
    source = strip_hidden(_coerce(text)).strip()
    return Markup("<br>\n").join(markup_escape(line) for line in source.split("\n"))


# ---------------------------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------------------------

_BLOCKS: Final = frozenset(
    {"p", "ul", "ol", "blockquote", "table", "pre", "h3", "h4", "h5", "h6", "hr"}
)

_STRUCTURE: Final = frozenset({"ul", "ol", "blockquote", "table", "thead", "tbody", "tr"})
_WHITESPACE_RE: Final = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Collect the readable text of sanitised HTML, keeping its shape with plain characters."""

    def __init__(self) -> None:
        """Start with an empty buffer."""
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [is_ordered, next_number]
        self.links: list[tuple[str | None, int]] = []  # per open link: (href, first part)
        self.first_cell = True
        self.open: list[str] = []

    def _trailing_newlines(self) -> int:
        """Count the newlines that end the text so far (None if there is no text yet)."""
        count = 0
        for part in reversed(self.parts):
            stripped = part.rstrip("\n")
            count += len(part) - len(stripped)
            if stripped:
                return count
        return -1

    def _newline(self, count: int = 1) -> None:
        """End the current line (or paragraph) unless it has already ended."""
        existing = self._trailing_newlines()
        if existing >= 0 and existing < count:
            self.parts.append("\n" * (count - existing))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block, list item, cell or link."""
        if tag not in {"br", "hr"}:
            self.open.append(tag)
        if tag in {"ul", "ol"} and self.lists:
            self._newline(1)  # a list inside a list item
        elif tag in _BLOCKS:
            self._newline(2)
        if tag in {"ul", "ol"}:
            self.lists.append([tag == "ol", 1])
        elif tag == "li":
            self._newline(1)
            indent = "  " * max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0]:
                self.parts.append(f"{indent}{self.lists[-1][1]}. ")
                self.lists[-1][1] += 1
            else:
                self.parts.append(f"{indent}- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("----")
            self._newline(2)
        elif tag == "tr":
            self._newline(1)
            self.first_cell = True
        elif tag in {"td", "th"}:
            if not self.first_cell:
                self.parts.append(" | ")
            self.first_cell = False
        elif tag == "a":
            self.links.append((dict(attrs).get("href"), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        """Close a block, list or link."""
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]
        if tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
            self._newline(1 if self.lists else 2)
        elif tag in _BLOCKS:
            self._newline(2)
        elif tag == "a" and self.links:
            href, first = self.links.pop()
            label = "".join(self.parts[first:]).strip()
            target = href.removeprefix("mailto:") if href else None
            if target and target != label:
                self.parts.append(f" ({target})")

    def handle_data(self, data: str) -> None:
        """Keep text, collapsing layout whitespace as a browser would (except in code blocks)."""
        if "pre" not in self.open:
            if not data.strip() and (not self.open or self.open[-1] in _STRUCTURE):
                return
            data = _WHITESPACE_RE.sub(" ", data)
            if self._trailing_newlines() != 0:
                data = data.lstrip(" ")
        if data:
            self.parts.append(data)


_SPACES_RE: Final = re.compile(r"[ \t]+\n")
_BLANK_LINES_RE: Final = re.compile(r"\n{3,}")


def plain_text(text: str, *, from_markdown: bool = True) -> str:
    """Return the words a reader sees, without markup or hidden characters, for exports."""
    source = strip_hidden(_coerce(text))
    if not from_markdown:
        return _SPACES_RE.sub("\n", source).strip()
    extractor = _TextExtractor()
    extractor.feed(str(render_markdown(source)))
    extractor.close()
    result = _BLANK_LINES_RE.sub("\n\n", _SPACES_RE.sub("\n", "".join(extractor.parts)))
    return strip_hidden(result).strip()
