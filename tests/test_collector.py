"""collector.py: the server's garbage collector policy, applied by `conference-room serve`.

Each check runs in a process of its own: freezing and thresholds are process-wide, and the test
process must keep Python's own settings."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

TUNE = """
import gc, json
from conference_room.collector import tune
before = gc.get_threshold()
frozen = tune(5000)
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": frozen,
                  "freeze_count": gc.get_freeze_count()}))
"""

# Runs the real `serve` command up to the moment it would start serving, and reports the
# collector as the server would serve with it.
SERVE = """
import gc, json, sys
from conference_room import cli
from conference_room.realtime import socketio

def report(*args, **kwargs):
    print(json.dumps({"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}))

socketio.run = report
sys.argv = ["conference-room", "serve", "--db", sys.argv[1], "--port", "1"]
cli.main()
"""


def _python(code: str, *args: str, env: dict | None = None) -> dict:
    finished = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env=env,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_tune_freezes_what_exists_and_sets_only_the_young_threshold():
    seen = _python(TUNE)
    assert seen["after"] == [5000, seen["before"][1], seen["before"][2]]
    assert seen["frozen"] == seen["freeze_count"] > 1000  # the modules imported so far, at least


def _serve_env(**settings) -> dict:
    return {
        "PATH": "/usr/bin:/bin",
        "CONFERENCE_ROOM_SECRET_KEY": "s",
        "CONFERENCE_ROOM_ASYNC_MODE": "threading",  # no patching in this short-lived process
        **{f"CONFERENCE_ROOM_{name}": value for name, value in settings.items()},
    }


def test_serve_runs_with_the_policy_by_default(tmp_path):
    seen = _python(SERVE, str(tmp_path / "a.db"), env=_serve_env())
    assert seen["threshold"][0] == 10_000
    # The app, its routes and templates are built before the freeze: all of it is frozen.
    assert seen["frozen"] > 10_000


def test_serve_takes_the_young_threshold_from_its_setting(tmp_path):
    env = _serve_env(GC_YOUNG_THRESHOLD="4321")  # neither Python's own nor the default
    assert _python(SERVE, str(tmp_path / "b.db"), env=env)["threshold"][0] == 4321


def test_serve_refuses_a_threshold_that_would_stop_the_collector(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-m", "conference_room", "serve", "--db", str(tmp_path / "c.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env=_serve_env(GC_YOUNG_THRESHOLD="0"),
    )
    assert finished.returncode == 2
    assert "CONFERENCE_ROOM_GC_YOUNG_THRESHOLD must be a whole number from 100" in finished.stderr
