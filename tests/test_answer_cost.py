"""The one-answer-at-a-time benchmark runs for the app and the floor, and refuses nonsense."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, benchmark_module

SCRIPT = str(ROOT / "benchmarks" / "answer_cost.py")


def test_the_answer_cost_benchmark_times_each_answer_on_the_app_and_the_floor(tmp_path):
    out = tmp_path / "result.json"
    finished = subprocess.run(
        [sys.executable, SCRIPT, "--answers", "20", "--phase-timeout", "30", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    app, floor = json.loads(out.read_text())
    assert (app["stack"], floor["stack"]) == ("app", "floor")
    # CPU is counted in 10 ms ticks: the app's 20 answers take several, the floor's may take none.
    assert app["cpu_ms"] > 0 and floor["cpu_ms"] >= 0
    for result in (app, floor):
        assert result["answers"] == 20
        assert abs(result["cpu_ms"] - result["cpu_user_ms"] - result["cpu_system_ms"]) < 0.002
        assert 0 < result["others_p50_ms"] <= result["others_p90_ms"]
        assert 0 < result["ack_p50_ms"] <= result["ack_p90_ms"]
    assert "app/floor: cpu" in finished.stdout


def test_a_ratio_over_a_floor_that_measured_nothing_says_so_instead_of_failing():
    answer_cost = benchmark_module("answer_cost")
    assert answer_cost.times(2.5, 1.0) == "2.50x"
    assert answer_cost.times(2.5, 0.0) == "no ratio (the floor measured 0; send more answers)"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["--answers", "0"], "--answers must be at least 1"),
        (["--pause", "-1"], "--pause cannot be negative"),
    ],
)
def test_the_answer_cost_benchmark_refuses_nonsense_with_a_message(given, message):
    finished = subprocess.run(
        [sys.executable, SCRIPT, *given], capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 2
    assert message in finished.stderr
