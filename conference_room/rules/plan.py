"""Gentle checks on the safety plan: advice for the chair, never a reason to refuse.

Seed 001: actions say what will happen in behaviour, not a list of services; each has an owner
and a time; a plan says what happens "if…". Pure functions over plain dicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

KINDS = ("immediate", "contingency", "long_term")
KIND_TITLES = {
    "immediate": "Immediate safety",
    "contingency": "What if… (contingency)",
    "long_term": "Longer-term goal",
}
# The same kinds in plain words, for family phones and the shared screen.
KIND_FAMILY_TITLES = {
    "immediate": "Keeping the children safe now",
    "contingency": "If things go wrong",
    "long_term": "Longer-term goals",
}

# Verbs that describe a service rather than what someone will do differently.
VAGUE_WORDS = ("monitor", "support", "engage", "ensure", "liaise", "oversee", "work with")
_VAGUE = re.compile(r"\b(" + "|".join(re.escape(w) for w in VAGUE_WORDS) + r")\w*", re.IGNORECASE)


def vague_words(text: str) -> list[str]:
    """Return the vague words used in ``text``, in order, each once (lower case)."""
    found: list[str] = []
    for match in _VAGUE.finditer(text or ""):
        word = match.group(1).lower()
        if word not in found:
            found.append(word)
    return found


def action_checks(action: dict) -> list[str]:
    """Return advice about one action: no owner, no date, vague wording."""
    advice: list[str] = []
    if not (action.get("who") or "").strip():
        advice.append("No one is named to do this.")
    if not (action.get("by_when") or "").strip():
        advice.append("There is no date or how often.")
    vague = vague_words(action.get("what") or "")
    if vague:
        words = ", ".join(f"“{w}”" for w in vague)
        advice.append(f"Say what will be done differently instead of {words}.")
    return advice


def without_contingency(actions: Iterable[dict], plan_child_ids: Sequence[int]) -> list[int]:
    """Return the children on a child protection plan whose plan has no "what if…" action.

    A contingency action for all children (no ``child_id``) covers every child.
    """
    covered = {
        a.get("child_id") for a in actions if a.get("kind") == "contingency" and not a.get("draft")
    }
    if None in covered:
        return []
    return [child_id for child_id in plan_child_ids if child_id not in covered]
