"""The plain-English check: jargon found where it is, never inside other words, councils' own."""

from __future__ import annotations

import dataclasses
import json

import pytest

from conference_room.plain_english import BUILT_IN, Finding, JargonTerm, check_text, load_jargon
from tests.xss_corpus import XSS_CORPUS

REQUIRED = (
    "ICPC RCPC CPC CIN CP CPP CAF EHA EH LAC CLA DV DA s47 s17 MASH PLO ICS SW IRO CAMHS HV LADO "
    "MARAC IDVA FGC TAF NFA SEND EHCP PEP CSE CCE FII NAI"
).split() + [
    "section 47",
    "core group",
    "threshold",
    "significant harm",
    "safeguarding concerns",
    "disguised compliance",
    "engagement",
    "presenting",
    "escalate",
]


@pytest.fixture(scope="module")
def terms() -> list[JargonTerm]:
    return load_jargon()


def found(text: str, terms: list[JargonTerm]) -> list[tuple[str, str]]:
    """Return (term, matched text) for each finding."""
    return [(f.term, text[f.start : f.end]) for f in check_text(text, terms)]


# -- the built-in list ---------------------------------------------------------------------------


def test_the_built_in_list_is_well_formed_and_covers_the_usual_jargon(terms):
    raw = json.loads(BUILT_IN.read_text(encoding="utf-8"))
    assert isinstance(raw, list) and len(raw) >= 40
    for entry in raw:
        assert {"term", "plain", "match", "case_sensitive"} <= entry.keys()
        assert entry["match"] in ("word", "phrase")
        assert entry["plain"].strip() and entry["plain"] != entry["term"]
    names = {term.term for term in terms}
    assert set(REQUIRED) <= names
    assert "GP" not in names  # every family knows "GP"
    assert len({term.term.casefold() for term in terms}) == len(terms)


def test_every_built_in_term_and_variant_finds_itself(terms):
    for term in terms:
        for spelling in (term.term, *term.variants):
            text = f"We said {spelling} today."
            assert [f.term for f in check_text(text, terms)] == [term.term], spelling


# -- matching -------------------------------------------------------------------------------------


def test_whole_words_only(terms):
    text = "CINema, discipline, CPS, SWITCH, escapade, DAB, cinnamon, SENDER, thresholds."
    assert found(text, terms) == [("threshold", "thresholds")]


def test_case_insensitive_where_harmless(terms):
    assert found("cin plan, Cin plan, CIN plan", terms) == [("CIN", "cin"), ("CIN", "Cin")] + [
        ("CIN", "CIN")
    ]
    assert found("Core Group on Monday", terms) == [("core group", "Core Group")]


@pytest.mark.parametrize("word", ["da", "sw", "eh", "cp", "send", "mash", "pep", "lac", "Send"])
def test_case_sensitive_abbreviations_do_not_match_everyday_words(terms, word):
    assert check_text(f"Please {word} it, eh, da da.", terms) == []


def test_case_sensitive_abbreviations_match_in_capitals_and_plural(terms):
    assert found("The SW and two SWs; DA; CP; SEND.", terms) == [
        ("SW", "SW"),
        ("SW", "SWs"),
        ("DA", "DA"),
        ("CP", "CP"),
        ("SEND", "SEND"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("under s47 the", ("s47", "s47")),
        ("under S47 the", ("s47", "S47")),
        ("under s.47 the", ("s47", "s.47")),
        ("under S.47 the", ("s47", "S.47")),
        ("under s 47 the", ("s47", "s 47")),
        ("a Section 47 enquiry", ("section 47", "Section 47")),
        ("a section\n47 enquiry", ("section 47", "section\n47")),
        ("s17 support", ("s17", "s17")),
    ],
)
def test_section_numbers_in_every_spelling(terms, text, expected):
    assert found(text, terms) == [expected]


def test_section_numbers_do_not_match_other_numbers(terms):
    assert found("s470, s4, ss47, section 470, as47", terms) == []


def test_phrases_allow_line_breaks_and_hyphens(terms):
    text = "We saw disguised\ncompliance and a step-down and significant   harm."
    assert found(text, terms) == [
        ("disguised compliance", "disguised\ncompliance"),
        ("step down", "step-down"),
        ("significant harm", "significant   harm"),
    ]


def test_the_longest_term_wins_where_two_overlap(terms):
    assert found("Safeguarding concerns and safeguarding.", terms) == [
        ("safeguarding concerns", "Safeguarding concerns"),
        ("safeguarding", "safeguarding"),
    ]


def test_variants_are_reported_as_their_term(terms):
    assert found("Dad engaged; it escalated; she presented as tired.", terms) == [
        ("engagement", "engaged"),
        ("escalate", "escalated"),
        ("presenting", "presented as"),
    ]


# -- findings ------------------------------------------------------------------------------------


def test_offsets_point_at_the_text(terms):
    text = "Ünïcödé first 😀 — the ICPC met.\nThen the CIN plan."
    findings = check_text(text, terms)
    assert [(f.term, text[f.start : f.end]) for f in findings] == [("ICPC", "ICPC"), ("CIN", "CIN")]
    assert findings[0].start == text.index("ICPC")


def test_offsets_stay_right_around_invisible_characters(terms):
    text = "\u200b\u202eThe I\u200bCPC met, then the CIN."
    findings = check_text(text, terms)
    assert [f.term for f in findings] == ["ICPC", "CIN"]
    assert text[findings[0].start : findings[0].end] == "I\u200bCPC"
    assert text[findings[1].start : findings[1].end] == "CIN"


def test_a_finding_is_a_frozen_dataclass_with_an_excerpt(terms):
    text = "x " * 60 + "the MARAC referral was made last week by the police " + "y " * 60
    (finding,) = check_text(text, terms)
    assert isinstance(finding, Finding)
    assert dataclasses.asdict(finding).keys() == {"term", "plain", "start", "end", "excerpt"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.term = "other"  # type: ignore[misc]
    assert "MARAC referral" in finding.excerpt
    assert finding.excerpt.startswith("…") and finding.excerpt.endswith("…")
    assert "\n" not in finding.excerpt and len(finding.excerpt) < 110
    assert finding.plain.startswith("Multi-Agency Risk Assessment Conference")


@pytest.mark.parametrize("text", ["", "   ", "\n\n", None, 42])
def test_empty_or_odd_input_gives_no_findings(terms, text):
    assert check_text(text, terms) == []  # type: ignore[arg-type]


def test_hostile_text_never_raises(terms):
    for text in XSS_CORPUS:
        check_text(text, terms)


# -- a council's own list ------------------------------------------------------------------------


def test_council_entries_are_added():
    terms = load_jargon([{"term": "PAUSE", "plain": "a programme that helps mothers"}])
    assert [f.term for f in check_text("Referred to PAUSE.", terms)] == ["PAUSE"]
    assert len(terms) == len(load_jargon()) + 1


def test_council_entries_replace_built_in_ones_whatever_their_case():
    terms = load_jargon(
        [{"term": "taf", "plain": "Team Around the Family meeting (our own words)"}]
    )
    assert sum(term.term.casefold() == "taf" for term in terms) == 1
    (finding,) = check_text("Next TAF on Friday.", terms)
    assert finding.plain == "Team Around the Family meeting (our own words)"


def test_council_entries_can_switch_a_built_in_term_off():
    terms = load_jargon([{"term": "Engagement", "ignore": True}])
    assert check_text("Good engagement.", terms) == []


def test_council_entries_default_their_match_and_case_rules():
    (short, phrase, long) = load_jargon(
        [
            {"term": "YOS", "plain": "youth offending service"},
            {"term": "team   around the child", "plain": "workers who help your child"},
            {"term": "Pathway", "plain": "a plan for leaving care"},
        ]
    )[-3:]
    assert short.case_sensitive and short.match == "word"
    assert phrase.term == "team around the child" and phrase.match == "phrase"
    assert not phrase.case_sensitive and not long.case_sensitive
    assert check_text("the yos said", [short]) == []


@pytest.mark.parametrize(
    "entry",
    [
        {"plain": "no term"},
        {"term": " ", "plain": "blank term"},
        {"term": "X1", "plain": ""},
        {"term": "X1", "plain": "p", "match": "sentence"},
        {"term": "X1", "plain": "p", "case_sensitive": "yes"},
        {"term": "X1", "plain": "p", "variants": "X-1"},
        "not an object",
    ],
)
def test_bad_council_entries_are_refused_with_a_clear_message(entry):
    with pytest.raises(ValueError, match=r"council jargon entry 1|jargon entry must be"):
        load_jargon([entry])


def test_council_entries_can_be_passed_straight_to_check_text():
    class Setting:  # what the settings model looks like
        def model_dump(self) -> dict:
            return {"term": "TAF", "plain": "team around the family"}

    findings = check_text("The ICPC agreed a TAF.", [Setting()])
    assert [(f.term, f.plain) for f in findings] == [
        ("ICPC", findings[0].plain),
        ("TAF", "team around the family"),
    ]
    assert [f.term for f in check_text("The ICPC met.", [])] == ["ICPC"]
    assert [f.term for f in check_text("The ICPC met.", [{"oops": 1}])] == ["ICPC"]
