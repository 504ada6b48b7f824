"""config.py: defaults, environment overrides, and a clear error for a missing secret."""

import pytest

from conference_room import config


def test_environment_overrides_defaults():
    values = config.load(
        environ={
            "CONFERENCE_ROOM_DATABASE": "/tmp/x.db",
            "CONFERENCE_ROOM_SECRET_KEY": "s",
            "CONFERENCE_ROOM_SESSION_COOKIE_SECURE": "1",
            "CONFERENCE_ROOM_MAX_CONTENT_LENGTH": "2048",
        }
    )
    assert values["DATABASE"] == "/tmp/x.db"
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["MAX_CONTENT_LENGTH"] == 2048


def test_a_missing_secret_key_stops_a_real_run_with_a_sentence():
    with pytest.raises(config.ConfigError, match="CONFERENCE_ROOM_SECRET_KEY is not set"):
        config.load(environ={})


@pytest.mark.parametrize("flag", ["TESTING", "DEMO"])
def test_tests_and_the_demo_may_run_without_a_secret(flag):
    assert config.load({flag: True}, environ={})["SECRET_KEY"] is None


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("ASYNC_MODE", "twisted", "must be one of eventlet, gevent, threading"),
        ("MAX_CONTENT_LENGTH", "lots", "must be a whole number"),
        ("SESSION_COOKIE_SECURE", "maybe", "must be 1 or 0"),
        ("GC_YOUNG_THRESHOLD", "often", "must be a whole number"),
        # 0 would turn Python's collector off: cycles would never be freed.
        ("GC_YOUNG_THRESHOLD", "0", "must be a whole number from 100 to 1000000, not 0"),
        ("GC_YOUNG_THRESHOLD", "99", "from 100 to 1000000"),
        ("GC_YOUNG_THRESHOLD", "1000001", "from 100 to 1000000"),
    ],
)
def test_bad_environment_values_are_named(name, raw, message):
    environ = {"CONFERENCE_ROOM_SECRET_KEY": "s", f"CONFERENCE_ROOM_{name}": raw}
    with pytest.raises(config.ConfigError, match=message):
        config.load(environ=environ)
