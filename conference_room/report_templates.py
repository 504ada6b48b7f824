"""Report templates as data: the built-in ones (data/templates) and a council's own."""

from __future__ import annotations

import functools
import json
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,29}$")
    title: str = Field(min_length=1, max_length=120)
    family_title: str = Field(min_length=1, max_length=160)
    prompts: list[str] = Field(default_factory=list, max_length=12)
    required: bool = False


class Template(BaseModel):
    """A report template: its sections, and the prompts for restricted and sharing fields."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str = Field(min_length=1, max_length=120)
    kinds: list[str] = Field(min_length=1)
    restricted_prompt: str = Field(min_length=1, max_length=1000)
    sharing_prompt: str = Field(min_length=1, max_length=1000)
    sections: list[Section] = Field(min_length=1, max_length=30)

    def section_keys(self) -> list[str]:
        """Return the section keys in order."""
        return [section.key for section in self.sections]


def built_in() -> list[Template]:
    """Return the templates that ship with the app."""
    return list(_read_built_in())


@functools.cache
def _read_built_in() -> tuple[Template, ...]:
    # Read once per process: every live snapshot names its reports' sections from these.
    folder = resources.files("conference_room") / "data" / "templates"
    return tuple(
        Template.model_validate(json.loads(entry.read_text("utf-8")))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".json")
    )


def for_kind(templates: list[Template], kind: str) -> Template:
    """Return the template a report for a conference of ``kind`` uses by default."""
    for template in templates:
        if kind in template.kinds:
            return template
    return templates[0]


def by_key(templates: list[Template], key: str) -> Template | None:
    """Return the template called ``key``, if there is one."""
    return next((template for template in templates if template.key == key), None)
