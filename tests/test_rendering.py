"""Markdown, plain fields and plain text: hostile input is inert, normal writing still works."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest
from markupsafe import Markup, escape

from conference_room.rendering import (
    ALLOWED_TAGS,
    plain_text,
    render_markdown,
    render_plain,
    strip_hidden,
)
from tests.xss_corpus import CORPUS_IDS, XSS_CORPUS, assert_inert, executable_fragments

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HIDDEN = re.compile(
    f"[{BIDI}\u200b\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\U000e0000-\U000e007f]"
)


class _Collect(HTMLParser):
    """Collect (tag, attribute names) for every start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name for name, _ in attrs}))


def tags_of(html: str) -> list[tuple[str, set[str]]]:
    parser = _Collect()
    parser.feed(html)
    return parser.tags


# -- the corpus ---------------------------------------------------------------------------------


def test_the_corpus_is_big_enough_and_has_a_200_kb_payload():
    assert len(XSS_CORPUS) >= 40
    assert len(set(CORPUS_IDS)) == len(XSS_CORPUS)
    assert max(len(entry) for entry in XSS_CORPUS) == 200_000


@pytest.mark.parametrize("payload", XSS_CORPUS, ids=CORPUS_IDS)
def test_markdown_output_is_inert(payload):
    html = render_markdown(payload)
    assert isinstance(html, Markup)
    assert_inert(html)
    for tag, attributes in tags_of(html):
        assert tag in ALLOWED_TAGS
        assert attributes <= ({"href", "title", "rel"} if tag == "a" else set())


@pytest.mark.parametrize("payload", XSS_CORPUS, ids=CORPUS_IDS)
def test_plain_field_output_is_inert_and_has_no_tags(payload):
    html = render_plain(payload)
    assert_inert(html)
    assert {tag for tag, _ in tags_of(html)} <= {"br"}


@pytest.mark.parametrize("payload", XSS_CORPUS, ids=CORPUS_IDS)
def test_plain_text_has_no_hidden_characters(payload):
    for text in (plain_text(payload), plain_text(payload, from_markdown=False)):
        assert not HIDDEN.search(text)
        assert_inert(escape(text))  # what an exporter writes after escaping for its format


@pytest.mark.parametrize(
    "payload",
    [
        "[" * 200_000,
        "[a](" * 50_000,
        "*a*" * 66_000,
        "a\n" * 100_000,
        "\\" * 200_000,
        "> " * 100_000,
        "+ " * 100_000,
        "1. " * 66_000,
        "".join(" " * (4 * depth) + "- a\n" for depth in range(400)),
    ],
    ids=[
        "brackets",
        "open-links",
        "emphasis",
        "lines",
        "backslashes",
        "quotes",
        "lists",
        "ol",
        "indent",
    ],
)
def test_pathological_markdown_neither_hangs_nor_raises(payload):
    started = time.perf_counter()
    html = render_markdown(payload)
    assert time.perf_counter() - started < 5  # Python-Markdown alone: minutes, or RecursionError
    assert_inert(html)
    assert html  # the words are still shown


# -- normal writing still works ---------------------------------------------------------------


def test_lists_emphasis_and_line_breaks():
    html = render_markdown("Worries:\n- **Dad** drinks\n- *Mum* is tired\n\n1. one\n2. two")
    assert "<li><strong>Dad</strong> drinks</li>" in html
    assert "<li><em>Mum</em> is tired</li>" in html
    assert "<ol>" in html and "<ul>" in html
    assert "Worries:" in html
    assert render_markdown("12 High Street\nTownsville") == "<p>12 High Street<br>\nTownsville</p>"


def test_links_keep_http_https_mailto_with_rel():
    html = render_markdown(
        "[guide](https://example.org/guide) [old](http://example.org) "
        "[mail](mailto:duty@example.gov.uk) <https://example.org/auto>"
    )
    rel = 'rel="noopener noreferrer nofollow"'
    assert f'<a href="https://example.org/guide" {rel}>guide</a>' in html
    assert f'<a href="http://example.org" {rel}>old</a>' in html
    assert f'<a href="mailto:duty@example.gov.uk" {rel}>mail</a>' in html
    assert f'<a href="https://example.org/auto" {rel}>https://example.org/auto</a>' in html


def test_link_titles_are_kept_and_escaped():
    html = render_markdown('[x](https://example.org "A <b> title")')
    assert 'title="A &lt;b&gt; title"' in html


@pytest.mark.parametrize(
    "target",
    ["javascript:alert(1)", "/relative", "//evil.example/", "#fragment", "ftp://example.org"],
)
def test_other_link_targets_lose_the_href_but_keep_the_words(target):
    html = render_markdown(f"[the words]({target})")
    assert "href" not in html
    assert "the words" in html


def test_tables_render():
    html = render_markdown("| Agency | Score |\n|---|---|\n| School | 4 |")
    assert "<table>" in html and "<th>Agency</th>" in html and "<td>4</td>" in html


@pytest.mark.parametrize(
    ("markdown", "tag"),
    [("# A", "h3"), ("## A", "h4"), ("### A", "h5"), ("#### A", "h6"), ("###### A", "h6")],
)
def test_headings_are_demoted_below_the_pages_own(markdown, tag):
    assert render_markdown(markdown) == f"<{tag}>A</{tag}>"


def test_setext_headings_are_demoted_too():
    assert render_markdown("Worries\n=======") == "<h3>Worries</h3>"


def test_code_quote_and_rule():
    html = render_markdown("```\n<b>x</b>\n```\n\n> Mum said\n\n---")
    assert "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>" in html
    assert "<blockquote>" in html and "<hr>" in html


def test_raw_html_is_shown_as_text_not_dropped():
    assert render_markdown("Dad said <he hits me>") == "<p>Dad said &lt;he hits me&gt;</p>"
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"


def test_images_become_their_alt_text():
    assert render_markdown("See ![the bedroom](https://example.org/x.jpg) photo") == (
        "<p>See the bedroom photo</p>"
    )


def test_extra_syntax_that_could_add_attributes_is_not_enabled():
    html = render_markdown('Text {: onclick="x" }\n\nTerm\n: definition\n\n[^1]\n\n[^1]: note')
    assert "onclick=" not in str(tags_of(html))
    assert "<dl>" not in html and "<sup" not in html


def test_empty_text():
    assert render_markdown("") == Markup("")
    assert render_markdown("   \n\n ") == Markup("")
    assert render_plain("") == Markup("")
    assert plain_text("") == ""


# -- characters ------------------------------------------------------------------------------


def test_bidi_controls_are_removed_literal_or_as_entities():
    html = render_markdown("Dad \u202eevil\u202c &#8238;said&#x2066; \u2067x\u2069")
    assert html == "<p>Dad evil said x</p>"
    assert not re.search(f"[{BIDI}]", str(html))


def test_zero_width_and_tag_characters_are_removed():
    assert render_markdown("C\u200bI\u2060N\ufeff ok\u00ad") == "<p>CIN ok</p>"
    assert render_markdown("a\U000e0041\U000e0042b") == "<p>ab</p>"


def test_emoji_sequences_and_scripts_that_need_joiners_survive():
    england = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645"  # "I want", needs a ZWNJ
    assert strip_hidden(f"{england} {family} {persian}") == f"{england} {family} {persian}"
    assert strip_hidden("ab\u200ccd\u200d") == "abcd"


def test_line_breaks_are_normalised():
    assert strip_hidden("a\r\nb\rc\u2028d") == "a\nb\nc\nd"


# -- short plain fields ------------------------------------------------------------------------


def test_render_plain_escapes_and_keeps_line_breaks():
    html = render_plain('Mum & Dad said "no" <b>\nsecond line\u202e')
    assert isinstance(html, Markup)
    assert html == "Mum &amp; Dad said &#34;no&#34; &lt;b&gt;<br>\nsecond line"
    assert str(escape(html)) == str(html)  # Jinja will not escape it twice


def test_render_plain_does_not_interpret_markdown():
    assert render_plain("1986. **Baby** Smith") == "1986. **Baby** Smith"


# -- plain text for exports --------------------------------------------------------------------


def test_plain_text_drops_markup_and_keeps_the_words():
    text = plain_text(
        "# Worries\n\nDad **drinks** a lot.\nMum said <no>.\n\n- one\n- two\n    - nested\n\n"
        "1. first\n2. second\n\nSee [the guide](https://example.org/g) or <duty@example.gov.uk>."
    )
    assert text == (
        "Worries\n\nDad drinks a lot.\nMum said <no>.\n\n- one\n- two\n  - nested\n\n"
        "1. first\n2. second\n\nSee the guide (https://example.org/g) or duty@example.gov.uk."
    )


def test_plain_text_of_a_table_and_code():
    assert plain_text("| a | b |\n|---|---|\n| 1 | 2 |") == "a | b\n1 | 2"
    assert plain_text("```\n  x = <y>\n```") == "x = <y>"


def test_plain_text_strips_hidden_characters():
    assert plain_text("Dad \u202eevil\u202c s\u200baid\x00") == "Dad evil said"
    assert plain_text(" Baby \u202eSmith\n", from_markdown=False) == "Baby Smith"


def test_plain_text_without_markdown_keeps_every_character_typed():
    typed = "1986. **Baby** Smith <3 & # not a heading"
    assert plain_text(typed, from_markdown=False) == typed


# -- the checker itself --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<p>hi</p><script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<img src="x" onerror="alert(1)">',
        "<p/onclick=alert(1)>x</p>",
        '<a title="x"onclick="alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="  JAVA&#x09;SCRIPT:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<a href="vbscript:x">x</a>',
        '<div style="width:expression(alert(1))">x</div>',
        '<svg><a><animate attributeName="href" values="javascript:alert(1)"/></a></svg>',
        "<p>text</p><img src=x onerror=alert(1)",
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        "<iframe></iframe>",
        "<p>evil \u202e text</p>",
        "<p>evil &#x202E; text</p>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    ],
)
def test_the_checker_catches_live_constructs(html):
    with pytest.raises(AssertionError, match="not inert"):
        assert_inert(html)


def test_the_checker_names_the_offending_fragment():
    with pytest.raises(AssertionError) as caught:
        assert_inert('<p>ok</p><img src=x onerror="alert(1)">')
    assert "onerror" in str(caught.value) and "<img src=x" in str(caught.value)


@pytest.mark.parametrize(
    "html",
    [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        '<p title="&lt;script&gt; javascript:alert(1) onclick=x">x</p>',
        '<p title="<script>">x</p>',
        '<a href="https://example.org/?q=javascript:x" rel="noopener">x</a>',
        "<p>javascript:alert(1) onerror=alert(1)</p>",
        "<textarea><script>alert(1)</script></textarea>",
        "<!-- <script>alert(1)</script> -->",
        '<input value="javascript:alert(1)">',
    ],
)
def test_the_checker_passes_inert_html(html):
    assert executable_fragments(html) == []


def test_the_checker_accepts_the_apps_own_page_furniture_and_nothing_more():
    page = (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        '<link rel="stylesheet" href="/static/build/app.css">'
        '<script type="module" src="/static/js/base.js"></script>'
        '<script type="application/json" id="state">{"a": 1}</script></head><body>'
        '<form method="post" action="/logout"><button>Sign out</button></form>'
        '<img src="/static/logo.png" alt=""><svg viewBox="0 0 1 1"><path d="M0 0h1"/></svg>'
        "<p>BODY</p></body></html>"
    )
    assert_inert(page.replace("BODY", "fine"))
    for hostile in (
        "<script>alert(1)</script>",
        '<script src="https://evil.example/x.js"></script>',
        '<meta http-equiv="refresh" content="0">',
        '<form action="https://evil.example/"></form>',
        '<img src="https://evil.example/track.gif">',
        "<img src=x onerror=alert(1)>",
        "<base href=/>",
    ):
        with pytest.raises(AssertionError):
            assert_inert(page.replace("BODY", hostile))


def test_payload_text_loses_hidden_direction_characters():
    from conference_room.schemas import Payload, parse

    class Named(Payload):
        name: str
        sections: dict[str, str]

    parsed = parse(Named, {"name": "Jo\u202eeoJ", "sections": {"a": "x\u2066y\u200bz"}})
    assert parsed.name == "JoeoJ" and parsed.sections == {"a": "xyz"}
