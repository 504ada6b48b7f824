"""Who may see what (DESIGN.md §4), as pure functions of an audience and a thing.

Audiences: "staff" (chair, minute-taker, admin), "professional", "family" (family members,
the child, advocates, interpreters, observers) and "screen" (the shared screen: only what the
family may see, whoever opened it).
"""

from __future__ import annotations

AUDIENCES = ("staff", "professional", "family", "screen")
FAMILY_SAFE = ("family", "screen")


def family_words(audience: str) -> bool:
    """Return whether ``audience`` is shown the plain family wording (titles, stages, scale)."""
    return audience in FAMILY_SAFE


def may_see_report(report: dict, audience: str) -> bool:
    """Return whether ``audience`` may read ``report`` at all."""
    if report["status"] != "submitted":
        return audience == "staff"
    if audience in FAMILY_SAFE:
        return bool(report["shared_with_family"])
    return True


def may_see_restricted(audience: str) -> bool:
    """Return whether ``audience`` may see restricted information (report sections, notes)."""
    return audience == "staff"


def may_see_closed_session_content(audience: str) -> bool:
    """Return whether ``audience`` may see what was recorded during a closed session.

    Notes and plan actions made while the family was out of the room stay with the chair, the
    minute-taker and the professionals; never the family or the shared screen.
    """
    return audience not in FAMILY_SAFE


def made_in_closed_session(at: str | None, periods: list[dict]) -> bool:
    """Return whether something stamped ``at`` was recorded while a closed session was on.

    ``periods`` are closed-session rows (``started_at``, and ``ended_at`` or None while it
    lasts), stamped in the one stored ISO 8601 UTC form, so the strings compare as times.
    """
    if not at:
        return False
    return any(
        p["started_at"] <= at and (p["ended_at"] is None or at < p["ended_at"]) for p in periods
    )


def may_see_working_record(audience: str) -> bool:
    """Return whether ``audience`` sees the working record live: notes, recommendations by
    agency, dissent, drafts and the chair's advice (the chair, minute-taker and admin)."""
    return audience == "staff"


def sees_holding_screen(audience: str, closed_session: bool) -> bool:
    """Return whether ``audience`` gets only the holding screen right now."""
    return closed_session and audience == "family"


def may_see_join_code(audience: str) -> bool:
    """Return whether ``audience`` is shown the join code (the chair and the shared screen)."""
    return audience in ("staff", "screen")
