"""The safety scale as pure functions: tallies of a revealed round and the immediate-safety flag.

Values in, values out; no database. A score is a whole number from 0 to 10.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import median

GROUPS = ("family", "professional")
SCORES = range(0, 11)


def group_of(role: str) -> str:
    """Return the tally group of a participant role: professionals, or everyone with the family."""
    return "professional" if role == "professional" else "family"


def tally(answers: Iterable[tuple[str, int]]) -> dict:
    """Return count, median, min, max and the 0–10 distribution of (group, score) answers.

    ``distribution`` has one list of eleven counts (index = score) per group and for everyone.
    An empty round has a count of 0 and no median, min or max.
    """
    pairs = list(answers)
    scores = [score for _group, score in pairs]
    distribution = {group: [0] * 11 for group in (*GROUPS, "all")}
    for group, score in pairs:
        if score not in SCORES:
            raise ValueError(f"a scale score is a whole number from 0 to 10, not {score!r}")
        distribution[group if group in GROUPS else "family"][score] += 1
        distribution["all"][score] += 1
    if not scores:
        return {"count": 0, "median": None, "min": None, "max": None, "distribution": distribution}
    middle = median(scores)
    return {
        "count": len(scores),
        "median": int(middle) if float(middle).is_integer() else float(middle),
        "min": min(scores),
        "max": max(scores),
        "distribution": distribution,
    }


def is_flagged(score: int, threshold: int, reversed_scale: bool = False) -> bool:
    """Return whether ``score`` is an immediate-safety concern for the chair.

    On the usual scale (0 = not safe) that is a score at or below ``threshold``; on a council's
    reversed scale (10 = not safe) it is the mirror image, at or above ``10 - threshold``.
    """
    if reversed_scale:
        return score >= 10 - threshold
    return score <= threshold


def round_titles(rounds: Iterable[dict]) -> dict[int, str]:
    """Return "Round 1", "Round 2"… for each round id, counted per child (None = all children).

    ``rounds`` are dicts with ``id`` and ``child_id``, in the order they were opened.
    """
    seen: dict[int | None, int] = {}
    titles = {}
    for one in sorted(rounds, key=lambda r: r["id"]):
        seen[one["child_id"]] = seen.get(one["child_id"], 0) + 1
        titles[one["id"]] = f"Round {seen[one['child_id']]}"
    return titles
