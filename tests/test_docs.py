"""The README is the manual: it must name every setting, command, council setting and route."""

import re
from pathlib import Path

import pytest

from conference_room import config, la_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(config.SETTINGS))
def test_every_environment_setting_is_documented(name):
    assert f"`{config.ENV_PREFIX}{name}`" in README


@pytest.mark.parametrize("name", sorted(la_settings.LASettings.model_fields))
def test_every_council_setting_is_documented(name):
    assert f"| `{name}` |" in README


@pytest.mark.parametrize(
    "command", ["serve", "demo", "db upgrade", "user add", "audit verify", "purge"]
)
def test_every_cli_command_is_documented(command):
    assert f"`conference-room {command}" in README


def test_every_api_route_is_documented(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule.replace("<int:conference_id>", "{id}")
        path = path.replace("<int:participant_id>", "{pid}").replace("<int:report_id>", "{rid}")
        path = path.replace("<int:invitation_id>", "{iid}")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert f"`{method} {path}`" in README, f"{method} {path} is not in the README"


def test_quick_start_gives_the_two_commands():
    assert "make run" in README and "make test" in README


def test_every_live_event_is_in_the_readme_and_every_readme_event_exists(app):
    from conference_room import realtime

    names = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", README, flags=re.M)
    documented = {name for name in names if not name.endswith(".py")}
    assert set(realtime.EVENTS) | set(realtime.SERVER_EVENTS) == documented
