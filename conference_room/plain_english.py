"""Spot jargon and abbreviations a family may not know, and suggest plain words.

Advisory only: the report writer sees suggestions next to the preview; nothing is refused, and
``check_text`` never raises on what someone typed.

The built-in list is ``data/jargon.json``; a council adds its own in its settings (the
``jargon`` setting), and its entries replace built-in ones with the same term (compared without
regard to case). A council entry may also say ``"ignore": true`` to switch a built-in term off.

Each entry::

    {"term": "CIN", "plain": "child in need (extra help from children's services)",
     "match": "word" | "phrase", "case_sensitive": false, "variants": ["..."]}

- ``match``: ``"word"`` for one word or abbreviation, ``"phrase"`` for several words (any spaces,
  line breaks or hyphens between them). Omitted: ``"phrase"`` when the term has a space.
  Either way a match starts and ends on a word boundary, so "CIN" is not found in "CINema" nor
  "CP" in "CPS" or "discipline".
- ``case_sensitive``: the rule for abbreviations. ``true`` means the term only matches exactly
  as written; use it when the lower-case (or capitalised) spelling is an everyday word or name:
  "DA" must not match "da", "SW" not "sw", "SEND" not "send", "MASH" not "mash", "PEP" not
  "pep". Otherwise matching ignores case ("CIN", "Cin" and "cin" all match). Omitted: ``true``
  for a term of up to four capital letters (short letter strings are usually words somewhere),
  ``false`` for anything else. The built-in list says it on every entry.
- ``variants``: other spellings reported as the same term ("s.47", "s 47" for "s47"; "engaged"
  for "engagement"). An abbreviation in capitals also matches its plural ("SWs", "CPPs").

"GP" is left out on purpose: every family in England knows "GP" as their family doctor (the
glossary already says so), and flagging it in every health report would teach writers to ignore
the suggestions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

__all__ = ["Finding", "JargonTerm", "check_text", "load_jargon"]

BUILT_IN: Final = Path(__file__).resolve().parent / "data" / "jargon.json"
EXCERPT_CHARS: Final = 40  # characters of context either side of a finding

MatchKind = Literal["word", "phrase"]


@dataclass(frozen=True)
class JargonTerm:
    """One term to look for, with the plain words to suggest."""

    term: str
    plain: str
    match: MatchKind = "word"
    case_sensitive: bool = False
    variants: tuple[str, ...] = ()
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    needles: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Compile the pattern, and note the first words that any match must contain."""
        object.__setattr__(self, "pattern", _compile(self))
        firsts = {spelling.split()[0] for spelling in (self.term, *self.variants)}
        if not self.case_sensitive:
            firsts = {first.lower() for first in firsts}
        object.__setattr__(self, "needles", tuple(sorted(firsts)))


@dataclass(frozen=True)
class Finding:
    """Where a term was found in the text, and what to say instead."""

    term: str
    plain: str
    start: int
    end: int
    excerpt: str


def _compile(term: JargonTerm) -> re.Pattern[str]:
    """Return a whole-word pattern for a term and its variants."""
    spellings = sorted({term.term, *term.variants}, key=len, reverse=True)
    alternatives = []
    for spelling in spellings:
        words = spelling.split()
        joined = r"[\s\-]+".join(re.escape(word) for word in words)
        if re.fullmatch(r"[A-Z]{2,}", spelling):
            joined += "s?"  # SWs, CPPs
        alternatives.append(joined)
    flags = 0 if term.case_sensitive else re.IGNORECASE
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", flags)


def _entry_dict(entry: Any) -> dict[str, Any]:
    """Return a settings entry (a dict or a pydantic model) as a plain dict."""
    if isinstance(entry, Mapping):
        return dict(entry)
    dump = getattr(entry, "model_dump", None)
    if callable(dump):
        return dict(dump())
    raise ValueError("each jargon entry must be an object with a term and its plain words")


def _to_term(entry: Any, where: str) -> JargonTerm:
    """Validate one entry and build its JargonTerm, or raise ValueError saying what is wrong."""
    data = _entry_dict(entry)
    term, plain = data.get("term"), data.get("plain")
    if not isinstance(term, str) or not term.strip():
        raise ValueError(f"{where}: give the term to look for")
    term = " ".join(term.split())
    if not isinstance(plain, str) or not plain.strip():
        raise ValueError(f"{where} ({term}): give the plain words to suggest")
    match = data.get("match") or ("phrase" if " " in term else "word")
    if match not in ("word", "phrase"):
        raise ValueError(f'{where} ({term}): match must be "word" or "phrase"')
    case_sensitive = data.get("case_sensitive")
    if case_sensitive is None:
        case_sensitive = bool(re.fullmatch(r"[A-Z]{1,4}", term))
    if not isinstance(case_sensitive, bool):
        raise ValueError(f"{where} ({term}): case_sensitive must be true or false")
    variants = data.get("variants") or []
    if not isinstance(variants, list) or not all(
        isinstance(v, str) and v.strip() for v in variants
    ):
        raise ValueError(f"{where} ({term}): variants must be a list of spellings")
    return JargonTerm(
        term=term,
        plain=plain.strip(),
        match=match,
        case_sensitive=case_sensitive,
        variants=tuple(" ".join(v.split()) for v in variants),
    )


@lru_cache(maxsize=1)
def _built_in() -> tuple[JargonTerm, ...]:
    """Load and compile the built-in list once."""
    entries = json.loads(BUILT_IN.read_text(encoding="utf-8"))
    return tuple(_to_term(entry, f"built-in entry {n}") for n, entry in enumerate(entries, 1))


def load_jargon(extra: Iterable[Mapping[str, Any]] = ()) -> list[JargonTerm]:
    """Return the built-in terms with a council's own list added, its entries winning."""
    terms: dict[str, JargonTerm] = {term.term.casefold(): term for term in _built_in()}
    for number, entry in enumerate(extra, 1):
        data = _entry_dict(entry)
        if data.get("ignore") is True:
            terms.pop(" ".join(str(data.get("term", "")).split()).casefold(), None)
            continue
        term = _to_term(data, f"council jargon entry {number}")
        key = term.term.casefold()
        terms.pop(key, None)  # a replaced term moves to the end, with the council's others
        terms[key] = term
    return list(terms.values())


_HIDDEN_RE: Final = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _visible(text: str) -> tuple[str, list[int] | None]:
    """Return text without invisible characters, and where each kept character was."""
    if not _HIDDEN_RE.search(text):
        return text, None
    positions = [i for i, char in enumerate(text) if not _HIDDEN_RE.match(char)]
    return "".join(text[i] for i in positions), positions


def _excerpt(text: str, start: int, end: int) -> str:
    """Return the words around a finding, on one line, with … where text was cut."""
    left = max(start - EXCERPT_CHARS, 0)
    right = min(end + EXCERPT_CHARS, len(text))
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    snippet = " ".join(_HIDDEN_RE.sub("", text[left:right]).split())
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(text) else "")


def check_text(text: str, terms: Sequence[JargonTerm] | Iterable[Any]) -> list[Finding]:
    """Return every jargon term found in the text, in order, each with plain words to suggest."""
    # Meant to be called with load_jargon(...)'s result; anything else is read as council entries.
    if not isinstance(text, str) or not text.strip():
        return []
    terms = list(terms)
    if not terms or not all(isinstance(term, JargonTerm) for term in terms):
        # No terms, or a council's own entries (dicts or settings models) as they come from the
        # settings: check the built-in list with those entries added.
        try:
            terms = load_jargon(terms)
        except ValueError:
            terms = list(_built_in())
    searched, positions = _visible(text)
    lowered = searched.lower()
    matches: list[tuple[int, int, JargonTerm]] = []
    for term in terms:
        haystack = searched if term.case_sensitive else lowered
        if not any(needle in haystack for needle in term.needles):
            continue  # a quick look first: most terms are in no given text
        for found in term.pattern.finditer(searched):
            matches.append((found.start(), found.end(), term))
    matches.sort(key=lambda m: (m[0], m[0] - m[1]))  # leftmost, then longest
    findings: list[Finding] = []
    last_end = 0
    for start, end, term in matches:
        if start < last_end:
            continue  # inside a longer term already found ("safeguarding concerns")
        last_end = end
        if positions is not None:
            start, end = positions[start], positions[end - 1] + 1
        findings.append(Finding(term.term, term.plain, start, end, _excerpt(text, start, end)))
    return findings
