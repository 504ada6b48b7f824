"""Checks on the content data shipped in conference_room/data/.

These files are plain JSON written for the product (templates, council defaults, the family
glossary and the demo conference). The tests read them from disk, relative to this file, so they
work while the rest of the package is still being built.
"""

import json
import re
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "conference_room" / "data"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

TEMPLATE_FILES = {
    "multi_agency": DATA / "templates" / "multi_agency.json",
    "review": DATA / "templates" / "review.json",
}
ALL_FILES = [
    *TEMPLATE_FILES.values(),
    DATA / "la_defaults.json",
    DATA / "glossary.json",
    DATA / "demo.json",
]

KEY_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
CONFERENCE_DAY = date(2026, 11, 23)

MULTI_AGENCY_KEYS = [
    "agency_involvement",
    "worries",
    "complicating_factors",
    "working_well",
    "child_views",
    "what_needs_to_happen",
    "if_nothing_changes",
    "unknowns",
    "recommendation",
    "safety_scale",
    "other_information",
]
REVIEW_KEYS = [
    "changes_since_last",
    "chronology",
    "worries_reduced_or_increased",
    "plan_progress",
    "recommendation",
    "safety_scale",
    "other_information",
]


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def nonempty_str(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9']+", text))


def strings_in(value):
    """Every string value (not key) in a JSON document, in document order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def words_of(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "").replace("\u2018", "").replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- loading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_file_is_utf8_json_with_two_space_indent(path):
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    indents = {len(line) - len(line.lstrip(" ")) for line in text.splitlines() if line.strip()}
    assert all(i % 2 == 0 for i in indents), "indentation should be in steps of 2 spaces"
    assert "\t" not in text


# --- templates -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEMPLATE_FILES))
def test_template_shape(name):
    tpl = load(TEMPLATE_FILES[name])
    assert tpl["key"] == name
    assert nonempty_str(tpl["name"])
    assert isinstance(tpl["kinds"], list) and tpl["kinds"]
    assert all(nonempty_str(k) for k in tpl["kinds"])
    assert nonempty_str(tpl["restricted_prompt"])
    assert nonempty_str(tpl["sharing_prompt"])
    sections = tpl["sections"]
    assert isinstance(sections, list) and sections
    for section in sections:
        assert set(section) == {"key", "title", "family_title", "prompts", "required"}
        assert KEY_RE.match(section["key"]), section["key"]
        assert len(section["key"]) <= 30
        assert nonempty_str(section["title"])
        assert nonempty_str(section["family_title"])
        assert isinstance(section["prompts"], list) and section["prompts"]
        assert all(nonempty_str(p) for p in section["prompts"])
        assert isinstance(section["required"], bool)
    keys = [s["key"] for s in sections]
    assert len(keys) == len(set(keys)), "section keys must be unique"
    # restricted information and sharing are fields of every report, never sections
    assert not {k for k in keys if "restricted" in k or "shar" in k}


def test_template_section_keys_are_pinned():
    multi = load(TEMPLATE_FILES["multi_agency"])
    review = load(TEMPLATE_FILES["review"])
    assert [s["key"] for s in multi["sections"]] == MULTI_AGENCY_KEYS
    assert [s["key"] for s in review["sections"]] == REVIEW_KEYS
    assert multi["kinds"] == ["initial", "pre_birth", "transfer_in"]
    assert review["kinds"] == ["review"]


def test_child_views_is_optional():
    multi = load(TEMPLATE_FILES["multi_agency"])
    by_key = {s["key"]: s for s in multi["sections"]}
    assert by_key["child_views"]["required"] is False
    assert by_key["worries"]["required"] is True


def test_every_conference_kind_has_exactly_one_template():
    defaults = load(DATA / "la_defaults.json")
    templates = [load(p) for p in TEMPLATE_FILES.values()]
    for kind in defaults["conference_kinds"]:
        owners = [t["key"] for t in templates if kind["key"] in t["kinds"]]
        assert len(owners) == 1, (kind["key"], owners)


# --- council defaults ------------------------------------------------------------------------


def test_la_defaults_shape():
    d = load(DATA / "la_defaults.json")
    assert set(d["report_deadline_days"]) == {"initial", "pre_birth", "transfer_in", "review"}
    assert d["report_deadline_days"] == {
        "initial": 2,
        "pre_birth": 2,
        "transfer_in": 2,
        "review": 5,
    }

    scale = d["scale"]
    for key in (
        "zero",
        "ten",
        "zero_family",
        "ten_family",
        "question",
        "question_family",
        "one_point_up",
        "one_point_up_family",
    ):
        assert nonempty_str(scale[key]), key
    assert scale["one_point_up"] == "What would need to happen to move it one point up?"
    assert isinstance(scale["threshold"], int) and not isinstance(scale["threshold"], bool)
    assert 0 <= scale["threshold"] <= 10
    assert scale["threshold"] == 2
    assert scale["reversed"] is False

    assert d["allow_multiple_categories"] is False
    assert d["protective_marking"] == "OFFICIAL-SENSITIVE"
    assert nonempty_str(d["complaints_text"])

    statements = d["statements"]
    assert [s["key"] for s in statements] == [
        "confidentiality",
        "recording",
        "professional_difference",
        "cp_plan_test",
        "purpose",
    ]
    for s in statements:
        assert nonempty_str(s["title"]) and nonempty_str(s["text"])

    assert d["closure_days"] == []
    assert d["jargon"] == []

    kinds = d["conference_kinds"]
    assert [k["key"] for k in kinds] == ["initial", "review", "pre_birth", "transfer_in"]
    for k in kinds:
        assert set(k) == {"key", "name", "family_name", "base"}
        assert nonempty_str(k["name"]) and nonempty_str(k["family_name"])
        assert k["base"] in {"initial", "review", "pre_birth", "transfer_in"}
    # Each built-in kind is stored as itself (the contract's four kinds); a council's own kind
    # names one of them as its base.
    assert all(k["key"] == k["base"] for k in kinds)
    assert kinds[0]["name"] == "Initial child protection conference"
    assert kinds[0]["family_name"] == "First meeting to keep the children safe"


# --- glossary --------------------------------------------------------------------------------


def test_glossary_roles():
    g = load(DATA / "glossary.json")
    roles = g["roles"]
    keys = [r["key"] for r in roles]
    assert len(keys) == len(set(keys))
    for r in roles:
        assert KEY_RE.match(r["key"])
        assert nonempty_str(r["name"]) and nonempty_str(r["plain"])
    for needed in (
        "chair",
        "social_worker",
        "team_manager",
        "health_visitor",
        "school_nurse",
        "teacher",
        "designated_safeguarding_lead",
        "gp",
        "midwife",
        "police_officer",
        "family_support_worker",
        "advocate",
        "interpreter",
        "minute_taker",
        "adult_mental_health_worker",
        "drug_alcohol_worker",
    ):
        assert needed in keys, needed


def test_glossary_words():
    g = load(DATA / "glossary.json")
    words = g["words"]
    assert len(words) >= 25
    terms = [w["term"].lower() for w in words]
    assert len(terms) == len(set(terms))
    for w in words:
        assert set(w) == {"term", "plain"}
        assert nonempty_str(w["term"]) and nonempty_str(w["plain"])
    for needed in (
        "child protection conference",
        "child protection plan",
        "core group",
        "child in need plan",
        "early help",
        "safety scale",
        "safety plan",
        "contingency plan",
        "category",
        "physical abuse",
        "emotional abuse",
        "sexual abuse",
        "neglect",
        "significant harm",
        "dissent",
        "review conference",
        "closed session",
        "recommendation",
        "decision",
        "minutes",
        "decision letter",
        "report",
        "restricted information",
        "lead social worker",
        "working day",
        "advocate",
        "interpreter",
        "complaint",
    ):
        assert needed in terms, needed


def test_glossary_sentences_are_short():
    g = load(DATA / "glossary.json")
    for entry in g["roles"] + g["words"]:
        for sentence in re.split(r"(?<=[.!?])\s+", entry["plain"]):
            assert word_count(sentence) <= 30, sentence


# --- demo conference -------------------------------------------------------------------------


def test_demo_conference_and_people():
    demo = load(DATA / "demo.json")
    kinds = {k["key"] for k in load(DATA / "la_defaults.json")["conference_kinds"]}
    assert demo["council"] == "Northmere Council"
    assert demo["conference"]["kind"] in kinds
    assert demo["conference"]["title"].startswith("The ")
    assert demo["conference"]["title"].endswith(" family")
    assert nonempty_str(demo["conference"]["venue"])

    surname = demo["conference"]["title"].removeprefix("The ").removesuffix(" family")
    born = [c for c in demo["children"] if not c.get("unborn")]
    unborn = [c for c in demo["children"] if c.get("unborn")]
    assert len(born) == 2 and len(unborn) == 1
    ages = sorted(age_on(date.fromisoformat(c["date_of_birth"]), CONFERENCE_DAY) for c in born)
    assert ages == [4, 9]
    for c in born:
        assert nonempty_str(c["name"])
        assert nonempty_str(c["school_or_nursery"]) and nonempty_str(c["gp"])
    baby = unborn[0]
    assert baby["name"] == f"Baby {surname}"
    assert baby["expected_date"].startswith("2027-02-")
    date.fromisoformat(baby["expected_date"])

    members = demo["family_members"]
    assert len(members) >= 4
    for m in members:
        assert nonempty_str(m["name"]) and nonempty_str(m["relationship"])
        assert isinstance(m["household"], bool)


def test_demo_reports_match_their_template():
    demo = load(DATA / "demo.json")
    templates = {name: load(path) for name, path in TEMPLATE_FILES.items()}
    assert len(demo["reports"]) == 4
    for report in demo["reports"]:
        tpl = templates[report["template"]]
        allowed = {s["key"] for s in tpl["sections"]}
        required = {s["key"] for s in tpl["sections"] if s["required"]}
        used = set(report["sections"])
        assert used <= allowed, used - allowed
        assert required <= used, required - used
        for key in ("author_name", "agency", "role"):
            assert nonempty_str(report[key]), key
        assert all(nonempty_str(text) for text in report["sections"].values())
        total = sum(word_count(text) for text in report["sections"].values())
        assert 120 <= total <= 300, (report["author_name"], total)
        assert re.search(r"\b(10|[0-9]) out of 10\b", report["sections"]["safety_scale"])


def test_demo_restricted_and_sharing():
    reports = load(DATA / "demo.json")["reports"]
    restricted = [r for r in reports if r["restricted"] is not None]
    assert len(restricted) == 1
    assert nonempty_str(restricted[0]["restricted"])
    assert "police" in restricted[0]["agency"].lower() or "constabulary" in (
        restricted[0]["agency"].lower()
    )

    unshared = [r for r in reports if r["shared_with_family"] is False]
    assert len(unshared) == 1
    assert nonempty_str(unshared[0]["not_shared_reason"])
    assert unshared[0]["shared_on"] is None
    assert unshared[0]["family_comments"] is None

    for r in reports:
        assert isinstance(r["shared_with_family"], bool)
        if r["shared_with_family"]:
            assert r["not_shared_reason"] is None
            shared_on = date.fromisoformat(r["shared_on"])
            assert shared_on.strftime("%Y-%m") == "2026-11" and shared_on < CONFERENCE_DAY
            assert r["family_comments"] is None or nonempty_str(r["family_comments"])


def test_no_marker_phrase_in_data():
    for path in ALL_FILES:
        assert "restricted-demo" not in path.read_text(encoding="utf-8").lower(), path.name


# --- originality -----------------------------------------------------------------------------


def test_no_eight_word_run_copied_from_seeds():
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    seed_files = sorted(p for p in SEEDS.iterdir() if p.is_file())
    if not seed_files:
        pytest.skip(f"no seed documents in {SEEDS}")
    seed_grams: set[tuple[str, ...]] = set()
    for path in seed_files:
        text = path.read_text(encoding="utf-8", errors="replace")
        seed_grams |= ngrams(words_of(text), 8)

    copied = {}
    for path in ALL_FILES:
        data_words = words_of(" ".join(strings_in(load(path))))
        hits = ngrams(data_words, 8) & seed_grams
        if hits:
            copied[path.name] = sorted(" ".join(h) for h in hits)
    assert not copied, f"8-word runs copied from the seeds: {copied}"
