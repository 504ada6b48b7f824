"""The load benchmark still runs: one conference, a one-second round, the app and the floor."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import pytest
import requests
import socketio

from tests.conftest import ROOT, benchmark_module


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
        # Every answer's own latency is kept, for --repeat's pooled line: the same answers.
        assert len(numbers["latencies_ms"]) == 15
        assert max(numbers["latencies_ms"]) == pytest.approx(numbers["latency"]["max_ms"], abs=0.01)
        assert numbers["server_peak_mb"] > 0
    assert result["app"]["stored"] == 15
    # The floor's round began just after a full collection (floor_server.settle).
    assert isinstance(result["floor"]["collected_before_round"], int)
    # Which collector settings each side ran with: the app's policy, Python's own for the floor.
    assert result["app"]["young_threshold"] == 10_000
    assert result["floor"]["young_threshold"] == 700
    assert "app/floor p50" in finished.stdout


def test_repeated_runs_are_summed_up_as_the_spread_of_their_ratios():
    live_load = benchmark_module("live_load")
    runs = [
        {"ratio": {"p50_ms": 1.7, "p99_ms": 1.2}},
        {"ratio": {"p50_ms": 2.0, "p99_ms": None}},  # the floor's p99 was 0: no ratio
        {"ratio": {"p50_ms": 2.31, "p99_ms": 2.5}},
    ]
    line = live_load.repeats_line(40, runs)
    # Exactly 2x is within the target; a run without a ratio is left out of that count.
    assert "K = 40, 3 runs" in line
    assert "p50 1.7-2.31x (median 2x), within 2x in 2 of 3" in line
    assert "p99 1.2-2.5x (median 1.85x), within 2x in 1 of 2" in line


def test_repeated_runs_also_give_the_percentiles_of_all_their_answers_together():
    live_load = benchmark_module("live_load")

    def run(app_ms: list[float], floor_ms: list[float]) -> dict:
        return {
            "ratio": {"p50_ms": 1.0, "p99_ms": 1.0},
            "app": {"latencies_ms": app_ms},
            "floor": {"latencies_ms": floor_ms},
        }

    # 100 answers each: the pooled p99 is the 99th of them (nearest rank), which leaves out the
    # one very slow app answer; it is not a mean of the two runs' own percentiles.
    first = run([2.0] * 49 + [50.0], [1.0] * 50)
    second = run([3.0] * 50, [1.5] * 49 + [4.0])
    line = live_load.repeats_line(40, [first, second])
    pooled = line.splitlines()[1]
    assert "all 100 app and 100 floor answers together" in pooled
    assert "p50 3.0/1.0 ms 3.00x" in pooled
    assert "p99 3.0/1.5 ms 2.00x" in pooled
    # Runs without their latencies (an older --json file) give no pooled line.
    bare = live_load.repeats_line(40, [{"ratio": {"p50_ms": 1.0, "p99_ms": 1.0}}])
    assert len(bare.splitlines()) == 1


def test_a_repeat_count_below_one_is_refused_with_a_message(capsys):
    live_load = benchmark_module("live_load")
    try:
        live_load.parse_args(["--k", "1", "--repeat", "0"])
    except SystemExit as stop:
        assert stop.code == 2
    else:
        raise AssertionError("--repeat 0 was accepted")
    assert "--repeat takes a whole number of runs, 1 or more" in capsys.readouterr().err


def test_the_clients_collector_is_off_only_during_a_timed_round():
    paused = benchmark_module("live_load").collector_paused
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused():
        raise RuntimeError("a round that ran out of time")
    assert gc.isenabled()  # on again, whatever ended the round


def _settles(tmp_path, times: int, **floor_options) -> list[dict]:
    """Start the real floor, ask it to settle ``times`` times over Socket.IO, return the acks."""
    floor = benchmark_module("live_load").start_floor(tmp_path, **floor_options)
    client = socketio.Client(reconnection=False, http_session=requests.Session())
    try:
        client.connect(floor.url, wait_timeout=10)
        return [client.call("settle", {}, timeout=10) for _ in range(times)]
    finally:
        client.disconnect()
        client.eio.http.close()
        floor.stop()


def test_the_floor_runs_a_full_collection_when_asked_to_settle(tmp_path):
    first, second = _settles(tmp_path, 2)
    assert first["ok"] is True and second["ok"] is True
    assert isinstance(first["collected"], int) and first["collected"] >= 0
    # Each settle is a full collection of the floor's own (an idle floor makes none between).
    assert second["full_collections"] >= first["full_collections"] + 1
    assert first["young_threshold"] == 700  # Python's own: the floor for this stack


def test_the_floor_can_be_given_the_apps_collector_policy(tmp_path):
    (settled,) = _settles(tmp_path, 1, young_threshold=10_000)
    assert settled["young_threshold"] == 10_000
