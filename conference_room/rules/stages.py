"""The stages of the meeting, in order, with what each asks of the people in the room."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """One stage: its key (the contract's vocabulary), names, and what phones are asked to do."""

    key: str
    title: str
    family_title: str
    asks: str


STAGES: tuple[Stage, ...] = (
    Stage(
        "lobby",
        "Lobby",
        "Getting ready",
        "The meeting will start soon. You can read the reports while you wait.",
    ),
    Stage(
        "welcome",
        "Welcome",
        "Welcome",
        "Listen as everyone says who they are and why the meeting is happening.",
    ),
    Stage(
        "reading",
        "Reading",
        "Reading the reports",
        "Read the reports on your phone. Take your time. Ask if anything is not clear.",
    ),
    Stage(
        "sharing",
        "Sharing",
        "Talking it through",
        "Say what you are worried about and what is going well.",
    ),
    Stage(
        "scaling",
        "Scaling",
        "How safe are things?",
        "When the chair asks, choose a number from 0 to 10 and say why.",
    ),
    Stage(
        "recommendations",
        "Recommendations",
        "What people suggest",
        "Each professional says what plan they think is needed, and why.",
    ),
    Stage(
        "decision",
        "Decision",
        "The decision",
        "The chair says what has been decided for each child, and why.",
    ),
    Stage(
        "plan", "Plan", "The plan", "Everyone agrees what will happen, who will do it and by when."
    ),
    Stage(
        "next_steps",
        "Next steps",
        "What happens next",
        "Dates for the next meetings, and how you will get the decision in writing.",
    ),
)
STAGE_KEYS: tuple[str, ...] = tuple(stage.key for stage in STAGES)


def stage(key: str) -> Stage:
    """Return the stage called ``key``."""
    return next(s for s in STAGES if s.key == key)
