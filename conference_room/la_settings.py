"""The council's choices in one place: deadlines, scale wording, statements, marking and more.

Later features add their settings here (a field on LASettings with its default in
data/la_defaults.json) instead of inventing their own.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlite_utils import Database

from . import audit, clock, queries, report_templates
from .access import Actor
from .db import transaction
from .errors import Forbidden, Invalid
from .report_templates import Template
from .schemas import parse


class _Setting(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class ScaleWording(_Setting):
    zero: str = Field(min_length=1, max_length=500)
    ten: str = Field(min_length=1, max_length=500)
    zero_family: str = Field(min_length=1, max_length=500)
    ten_family: str = Field(min_length=1, max_length=500)
    question: str = Field(min_length=1, max_length=500)
    question_family: str = Field(min_length=1, max_length=500)
    one_point_up: str = Field(min_length=1, max_length=300)
    one_point_up_family: str = Field(min_length=1, max_length=300)
    threshold: int = Field(ge=0, le=10)
    reversed: bool


class Statement(_Setting):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    title: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1, max_length=4000)


class ConferenceKind(_Setting):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str = Field(min_length=1, max_length=120)
    family_name: str = Field(min_length=1, max_length=160)
    base: Literal["initial", "review", "pre_birth", "transfer_in"]


class JargonEntry(_Setting):
    model_config = ConfigDict(extra="allow", strict=True, str_strip_whitespace=True)
    term: str = Field(min_length=1, max_length=60)
    plain: str = Field(min_length=1, max_length=300)


class DeadlineDays(_Setting):
    initial: int = Field(ge=0, le=30)
    pre_birth: int = Field(ge=0, le=30)
    transfer_in: int = Field(ge=0, le=30)
    review: int = Field(ge=0, le=30)


class LASettings(_Setting):
    """Every council setting with its type and limits."""

    report_deadline_days: DeadlineDays
    scale: ScaleWording
    allow_multiple_categories: bool
    protective_marking: str = Field(min_length=1, max_length=60)
    complaints_text: str = Field(min_length=1, max_length=4000)
    statements: list[Statement] = Field(max_length=20)
    closure_days: list[date] = Field(max_length=100)
    conference_kinds: list[ConferenceKind] = Field(min_length=1, max_length=20)
    jargon: list[JargonEntry] = Field(max_length=500)
    report_templates: list[Template] = Field(max_length=50)

    model_config = ConfigDict(extra="forbid", strict=False)

    @field_validator("report_templates")
    @classmethod
    def _templates_fit(cls, value: list[Template], info: ValidationInfo) -> list[Template]:
        kinds = info.data.get("conference_kinds")
        kind_keys = {kind.key for kind in kinds} if kinds is not None else None
        for index, template in enumerate(value):
            problem = template_problem(template, value[:index], kind_keys)
            if problem:
                raise ValueError(f"template {index + 1} ({template.key}): {problem[1]}")
        return value


def template_problem(
    template: Template, others: list[Template], kind_keys: set[str] | None
) -> tuple[str, str] | None:
    """Return (field, message) when a council template clashes or names an unknown kind."""
    if report_templates.by_key(report_templates.built_in(), template.key):
        return "key", f"{template.key} is the key of a built-in template; choose another key"
    if report_templates.by_key(others, template.key):
        return "key", (
            f"the council already has a template called {template.key}; choose another key"
        )
    unknown = [kind for kind in template.kinds if kind_keys is not None and kind not in kind_keys]
    if unknown:
        return "kinds", (
            f"{unknown[0]} is not a kind of conference this council holds; "
            f"use some of {', '.join(sorted(kind_keys or ()))}"
        )
    return None


def defaults() -> dict[str, Any]:
    """Return the built-in defaults (data/la_defaults.json)."""
    return json.loads(_defaults_text())


@functools.cache
def _defaults_text() -> str:
    # Read once per process: every live snapshot starts from these.
    return (resources.files("conference_room") / "data" / "la_defaults.json").read_text("utf-8")


def get(db: Database, council_id: int) -> LASettings:
    """Return the council's settings: its stored choices over the defaults."""
    return _validated(queries.settings_stored(db, council_id))


@functools.lru_cache(maxsize=64)
def _validated(stored: tuple[tuple[str, str], ...]) -> LASettings:
    # Every live push reads the settings for each viewer: the same stored choices (as stored,
    # so nothing is parsed to find them here) are validated once. Callers only read the result
    # (nothing assigns to a setting).
    return LASettings.model_validate({**defaults(), **{k: json.loads(v) for k, v in stored}})


def update(db: Database, actor: Actor, changes: Any) -> LASettings:
    """Validate and store ``changes`` (a partial object of settings) for the admin's council."""
    if actor.role != "admin":
        raise Forbidden("Only an admin can change the council's settings.")
    if not isinstance(changes, dict) or not changes:
        raise Invalid("Send an object with at least one setting to change.", field="body")
    unknown = sorted(set(changes) - set(LASettings.model_fields))
    if unknown:
        raise Invalid(
            f"{unknown[0]}: is not a setting we know; the settings are "
            f"{', '.join(LASettings.model_fields)}.",
            field=unknown[0],
        )
    current = get(db, actor.council_id).model_dump(mode="json")
    merged = parse(LASettings, {**current, **changes})
    stored = merged.model_dump(mode="json")
    with transaction(db) as tx:
        for key in changes:
            queries.put_setting(tx.db, actor.council_id, key, stored[key], clock.stamp())
        audit.record(tx, actor, "settings.update", None, {"keys": sorted(changes)})
    return merged
