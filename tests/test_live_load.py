"""The load benchmark still runs: one conference, a one-second round, the app and the floor."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_the_load_benchmark_runs_one_conference_end_to_end(tmp_path):
    out = tmp_path / "result.json"
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "live_load.py"), "--k", "1", "--spread", "1"]
        + ["--phase-timeout", "20", "--drain", "5", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    (result,) = json.loads(out.read_text())
    for stack in ("app", "floor"):
        numbers = result[stack]
        # Every answer was acknowledged and reached all 16 other sockets, once.
        assert numbers["answers"] == 15 and numbers["acks_failed"] == 0
        assert numbers["latency"]["count"] == 15
        assert numbers["lost"] == numbers["duplicated"] == 0
        assert 0 < numbers["latency"]["p50_ms"] <= numbers["latency"]["max_ms"]
        assert numbers["server_peak_mb"] > 0
    assert result["app"]["stored"] == 15
    assert "app/floor p50" in finished.stdout
