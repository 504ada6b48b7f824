"""What the benchmarks share: the real server and the floor server in their own processes, a
staff account made with the CLI, a sampler of a process's CPU and memory, and percentiles.

Everything runs on loopback. Nothing here imports the app: the benchmarks talk to it only as a
phone or a chair would (HTTP and Socket.IO), and to its command line.
"""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark password 2026"
CHAIR_EMAIL = "chair@bench.example"


def free_port() -> int:
    """Return a loopback port that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped while starting:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer {url} within {seconds:.0f} seconds")


@dataclass
class ServerProcess:
    """A server in its own process on loopback; ``stop`` always ends it."""

    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 seconds)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def add_chair(db_path: Path, env: dict) -> None:
    """Create the benchmark's chair account with `conference-room user add` (also migrates)."""
    subprocess.run(
        [sys.executable, "-m", "conference_room", "user", "add", "--email", CHAIR_EMAIL]
        + ["--name", "Bench Chair", "--role", "chair", "--db", str(db_path)],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )


def app_env(extra: dict | None = None) -> dict:
    """Return the environment for the real server: only CONFERENCE_ROOM_* settings are added."""
    return {
        **os.environ,
        "CONFERENCE_ROOM_SECRET_KEY": "benchmark-secret-not-for-real-use",
        "CONFERENCE_ROOM_ASYNC_MODE": "eventlet",
        **(extra or {}),
    }


def start_app(workdir: Path, extra_env: dict | None = None) -> ServerProcess:
    """Start `conference-room serve` on a fresh database in ``workdir`` with a chair account."""
    env = app_env(extra_env)
    db_path = workdir / "bench.db"
    add_chair(db_path, env)
    port = free_port()
    log = workdir / f"app.{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "conference_room", "serve", "--host", "127.0.0.1"]
            + ["--port", str(port), "--db", str(db_path)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    running = ServerProcess(process, url, log)
    try:
        _wait_healthy(url + "/healthz", process, log)
    except BaseException:
        running.stop()
        raise
    return running


def start_floor(
    workdir: Path, nodelay: bool = True, young_threshold: int | None = None
) -> ServerProcess:
    """Start the bare python-socketio relay (benchmarks/floor_server.py) under eventlet,
    with Python's collector settings or, given ``young_threshold``, the app's policy."""
    port = free_port()
    log = workdir / f"floor.{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / "floor_server.py"), "--port", str(port)]
            + ([] if nodelay else ["--no-nodelay"])
            + ([] if young_threshold is None else ["--young-threshold", str(young_threshold)]),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    running = ServerProcess(process, url, log)
    try:
        _wait_healthy(url + "/healthz", process, log)
    except BaseException:
        running.stop()
        raise
    return running


@dataclass
class Usage:
    """A process's CPU seconds over a window and its peak resident memory."""

    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    peak_rss: int = 0

    @property
    def cpu_percent(self) -> float:
        """Return CPU use over the window as a percentage of one core."""
        return 100.0 * self.cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0


@dataclass
class Sampler:
    """Sample a process's resident memory every 50 ms in a thread; time CPU over windows."""

    pid: int
    peak_rss: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.process = psutil.Process(self.pid)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self.peak_rss = max(self.peak_rss, self.process.memory_info().rss)
            except psutil.Error:
                return

    def start(self) -> Sampler:
        """Start sampling."""
        self.peak_rss = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)

    def cpu(self) -> tuple[float, float]:
        """Return (CPU seconds used so far, now) to measure a window with ``usage_since``."""
        times = self.process.cpu_times()
        return times.user + times.system, time.perf_counter()

    def usage_since(self, mark: tuple[float, float]) -> Usage:
        """Return the CPU used since ``mark`` and the peak memory so far."""
        cpu_now, wall_now = self.cpu()
        return Usage(cpu_now - mark[0], wall_now - mark[1], self.peak_rss)


@contextlib.contextmanager
def collector_paused():
    """Keep this (the benchmark client's) garbage collector out of a timed round.

    The client holds every socket and every state it was sent; a full collection in it took
    30–50 ms, and each answer in flight then looked that slow, though no server was slower.
    It runs before the round instead, and again after it (the same for the app and the floor).
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def percentile(values: list[float], p: float) -> float:
    """Return the ``p``-th percentile (nearest rank) of ``values``; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100), at least 1
    return ordered[int(rank) - 1]


def summary(latencies: list[float]) -> dict:
    """Return p50 / p95 / p99 / max of latencies in milliseconds."""
    return {
        "count": len(latencies),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "max_ms": round(max(latencies, default=0.0) * 1000, 2),
    }
