"""Who is asking (a staff session, a participant's token, an invitation link) and what they are."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

STAFF_ROLES = ("admin", "chair", "minute_taker")
PARTICIPANT_ROLES = ("professional", "family", "child", "advocate", "interpreter", "observer")
# Only professionals see what professionals see; every other attendee gets the family view
# (an interpreter or observer is there for, or beside, the family).
PROFESSIONAL_ROLES = ("professional",)


@dataclass(frozen=True)
class Actor:
    """The person behind a request or socket event."""

    kind: str  # "user", "participant", "invitee", "system" or "anonymous"
    id: int | None = None
    name: str = ""
    role: str = "anonymous"
    council_id: int | None = None
    conference_id: int | None = None  # participants and invitees belong to one conference
    status: str | None = None  # a participant's status: waiting, admitted, ...

    @property
    def is_staff(self) -> bool:
        """Return whether this is a signed-in staff member."""
        return self.kind == "user"

    @property
    def audience(self) -> str:
        """Return which view of a conference this actor gets: staff, professional or family."""
        if self.kind in ("user", "system"):
            return "staff"
        if self.kind == "participant" and self.role in PROFESSIONAL_ROLES:
            return "professional"
        return "family"


SYSTEM = Actor(kind="system", name="conference-room")
ANONYMOUS = Actor(kind="anonymous")


def user_actor(user: dict) -> Actor:
    """Return the actor for a staff ``user`` row."""
    return Actor("user", user["id"], user["name"], user["role"], user["council_id"])


def new_token() -> str:
    """Return a new random credential (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the stored form of a credential: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
