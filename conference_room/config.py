"""Settings: defaults, then CONFERENCE_ROOM_* environment variables, then the caller's overrides."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .collector import HIGHEST, LOWEST

ENV_PREFIX = "CONFERENCE_ROOM_"

# Each setting: default value and a sentence for the README's configuration table
# (tests/test_docs.py fails when a setting is missing from the README).
SETTINGS: dict[str, tuple[Any, str]] = {
    "DATABASE": ("instance/conference_room.db", "Path of the SQLite database file."),
    "SECRET_KEY": (None, "Signs session cookies. Required, except for `demo` and tests."),
    "ASYNC_MODE": ("eventlet", "Server mode: `eventlet` (default), `gevent` or `threading`."),
    "MESSAGE_QUEUE": (
        None,
        "Redis URL for several server processes, e.g. redis://127.0.0.1:6379/0.",
    ),
    "SESSION_COOKIE_SECURE": (False, "Send cookies over HTTPS only (set to 1 behind TLS)."),
    "MAX_CONTENT_LENGTH": (1_048_576, "Largest request body in bytes; larger bodies get 413."),
    "PROXY_HOPS": (0, "How many reverse proxies set X-Forwarded-For/-Proto in front of the app."),
    "TCP_NODELAY": (
        True,
        "Send small live updates at once (1); 0 only to measure Nagle's delay.",
    ),
    "GC_YOUNG_THRESHOLD": (
        10_000,
        "New objects between young garbage collections of the server (Python's own is 700): "
        "fewer pauses in live meetings. 100 to 1000000.",
    ),
}


class ConfigError(Exception):
    """A setting is missing or unusable; the message says how to fix it."""


def _coerce(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{ENV_PREFIX}{name} must be 1 or 0 (true or false), not {raw!r}.")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name} must be a whole number, not {raw!r}.") from None
    return raw


def load(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict:
    """Return the settings: defaults, then the environment, then ``overrides``."""
    environ = os.environ if environ is None else environ
    settings = {name: default for name, (default, _) in SETTINGS.items()}
    for name, (default, _) in SETTINGS.items():
        raw = environ.get(ENV_PREFIX + name)
        if raw is not None:
            settings[name] = _coerce(name, raw, default)
    settings.update(overrides or {})
    from .concurrency import MODES

    if settings["ASYNC_MODE"] not in MODES:
        raise ConfigError(
            f"{ENV_PREFIX}ASYNC_MODE must be one of {', '.join(MODES)}, "
            f"not {settings['ASYNC_MODE']!r}."
        )
    if not LOWEST <= settings["GC_YOUNG_THRESHOLD"] <= HIGHEST:
        raise ConfigError(
            f"{ENV_PREFIX}GC_YOUNG_THRESHOLD must be a whole number from {LOWEST} to {HIGHEST}, "
            f"not {settings['GC_YOUNG_THRESHOLD']!r}."
        )
    if not settings.get("SECRET_KEY") and not (settings.get("TESTING") or settings.get("DEMO")):
        raise ConfigError(
            f"{ENV_PREFIX}SECRET_KEY is not set. Set it to a long random value, for example the "
            "output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return settings
