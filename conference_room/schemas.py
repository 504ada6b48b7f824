"""Payload shapes: one pydantic definition validates input and describes it in OpenAPI."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from .errors import Invalid

M = TypeVar("M", bound=BaseModel)


def _without_hidden(value: Any) -> Any:
    from .rendering import strip_hidden

    if isinstance(value, str):
        return strip_hidden(value)
    if isinstance(value, list):
        return [_without_hidden(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_hidden(item) for key, item in value.items()}
    return value


def _date_text(value: Any) -> Any:
    # Lax date parsing (needed for text) would also take 0 or "1700000000" as a Unix time.
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
        return value.strip()
    if isinstance(value, date):
        return value
    raise PydanticCustomError("date_type", "Input should be a valid date")


# A date sent as text, 2027-03-04 (never a number); use as ``DateText | None = None``.
DateText = Annotated[date, BeforeValidator(_date_text), Field(strict=False)]


class Payload(BaseModel):
    """Base for every request payload: strict types, unknown fields refused, text trimmed.

    Invisible and direction-changing characters are removed from all text before it is
    checked, so a name or reason can never be made to read differently from how it is stored.
    """

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _clean_text(cls, data: Any) -> Any:
        return _without_hidden(data) if isinstance(data, dict) else data


MAX_DEPTH = 32  # objects and lists inside each other; real payloads use 3 or 4 levels
SQLITE_INT = (-(2**63), 2**63 - 1)  # what an SQLite INTEGER holds
TOO_DEEP = (
    f"What you sent is nested more than {MAX_DEPTH} levels deep. Send a flat object as the API "
    "description shows."
)


def check_shape(data: Any) -> None:
    """Refuse input nested too deeply or holding a number SQLite cannot store, cheaply.

    Called by both transports before anything else looks at the payload, so hostile input is
    turned away with a sentence instead of a recursion error or an overflow deep inside.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise Invalid(TOO_DEEP, field="body")
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(value, int) and not isinstance(value, bool):
            if not SQLITE_INT[0] <= value <= SQLITE_INT[1]:
                raise Invalid(
                    "A number you sent is far too large. Check the ids and numbers and try again.",
                    field="body",
                )


def _field(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "body"


def _plain(error: dict[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "string_too_short":
        return (
            "must not be empty"
            if ctx.get("min_length") == 1
            else (f"must be at least {ctx.get('min_length')} characters")
        )
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind in ("too_long",):
        return f"must have at most {ctx.get('max_length')} items"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind in ("string_type",):
        return "must be text"
    if kind in ("less_than_equal", "less_than"):
        return f"must be {ctx.get('le', ctx.get('lt'))} or less"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be {ctx.get('ge', ctx.get('gt'))} or more"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected')}"
    if kind == "extra_forbidden":
        return "is not a field we know; remove it"
    if kind in (
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    ):
        return "must be a date written like 2027-03-04"
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return "must be a date and time written like 2027-03-04T10:00"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be an object"
    if kind in ("list_type", "tuple_type"):
        return "must be a list"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"][:1].lower() + error["msg"][1:]


def parse(model: type[M], data: Any) -> M:
    """Validate ``data`` against ``model`` or raise Invalid naming the first bad field."""
    if not isinstance(data, dict):
        raise Invalid("Send a JSON object.", field="body")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = _field(first["loc"])
        raise Invalid(f"{field}: {_plain(first)}.", field=field) from None
