"""The server's plumbing: TCP_NODELAY on accepted connections, and the helper process that runs
CPU-heavy work away from the live meetings."""

from __future__ import annotations

import ctypes
import os
import socket
import subprocess
import sys

import psutil
import pytest

from conference_room import worker
from tests.conftest import ROOT, Server

SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture (5.6 and later)


def server_side_socket(pid: int, client: socket.socket) -> socket.socket:
    """Return a duplicate of the server's end of ``client``'s connection (Linux pidfd_getfd)."""
    here = client.getsockname()
    (theirs,) = [
        c for c in psutil.Process(pid).net_connections(kind="tcp") if c.raddr and c.raddr == here
    ]
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, theirs.fd, 0)
    finally:
        os.close(pidfd)
    if fd < 0:
        pytest.skip(f"cannot look at the server's socket: {os.strerror(ctypes.get_errno())}")
    return socket.socket(fileno=fd)


def nodelay_of_a_connection(server: Server) -> int:
    """Open a connection, send one request, and read TCP_NODELAY on the server's end of it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert client.recv(4096).startswith(b"HTTP/1.1 200")
        with server_side_socket(server.process.pid, client) as theirs:
            return theirs.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfd_getfd is Linux only")
@pytest.mark.parametrize(("setting", "expected"), [(None, True), ("0", False)])
def test_accepted_connections_send_small_frames_at_once(db_path, setting, expected):
    env = {} if setting is None else {"CONFERENCE_ROOM_TCP_NODELAY": setting}
    server = Server(db_path, extra_env=env).start()
    try:
        assert bool(nodelay_of_a_connection(server)) is expected
    finally:
        server.stop()


def test_the_helper_process_answers_calls_in_order_and_reports_failures():
    helper = subprocess.Popen(
        [sys.executable, "-m", "conference_room.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        worker.send(helper.stdin, ("conference_room.rendering", "render_markdown", ("**hi**",)))
        assert worker.receive(helper.stdout) == ("ok", "<p><strong>hi</strong></p>")
        worker.send(helper.stdin, ("conference_room.rules.dates", "parse_iso_datetime", ("x",)))
        status, message = worker.receive(helper.stdout)
        assert status == "error" and message.startswith("ValueError: ")
        assert psutil.Process(helper.pid).nice() >= 10  # it gives way to the live meetings
    finally:
        helper.stdin.close()
        assert helper.wait(timeout=10) == 0  # it stops when the server's end closes
        helper.stdout.close()


def test_the_server_holds_more_than_1024_connections_at_once(db_path):
    """Eighty conferences of 17 sockets each are 1360 connections held for the whole meeting;
    eventlet's server would stop accepting at 1024 unless told otherwise."""
    from conference_room.concurrency import raise_open_files_limit

    raise_open_files_limit()  # this test process holds them all too
    server = Server(db_path).start()
    held: list[socket.socket] = []
    try:
        for _ in range(1100):
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
            held[-1].sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        # The last connection, made while 1099 others are open and kept alive, is answered.
        assert held[-1].recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        for connection in held:
            connection.close()
        server.stop()


def run_in_green_mode(script: str, mode: str) -> str:
    """Run ``script`` (given the mode as argv[1]) in a process of its own; return its output.

    Patching for a green mode cannot be undone, so each such test gets a fresh interpreter.
    """
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


OWN_THREAD_SCRIPT = r"""
import json, os, sys, time
from conference_room import concurrency

mode = sys.argv[1]
concurrency.patch(mode)
if mode == "eventlet":
    from eventlet import Timeout
    from eventlet.patcher import original
    real_sleep = original("time").sleep
else:
    from gevent import Timeout
    from gevent.monkey import get_original
    real_sleep = get_original("time", "sleep")

def threads():
    return len(os.listdir("/proc/self/task"))

ended = {}
def work(seconds, value):
    real_sleep(seconds)  # blocks its OS thread, as an fsync does
    ended[value] = time.monotonic()
    if value == "fail":
        raise OSError(5, "Input/output error")
    return (value, concurrency._active)

out = {"threads_before": threads()}
ticks = []
def ticker(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ticks.append(time.monotonic())
        time.sleep(0.01)

own = concurrency.OwnThread(work)
concurrency.spawn(ticker, 0.5)
time.sleep(0)
started = time.monotonic()
out["result"] = list(own.call(0.3, "first"))
out["took"] = time.monotonic() - started
out["ticks_during"] = sum(1 for t in ticks if started <= t <= started + 0.3)
try:
    own.call(0, "fail")
except OSError as error:
    out["error"] = str(error)

# A wait cut short leaves its call running: the next call must wait for it, not take its byte.
# Twice in a row: the second is handed over while the first still runs.
out["cut_short"] = 0
for _ in range(2):
    try:
        with Timeout(0.05):
            own.call(0.15, "cut short")
    except Timeout:
        out["cut_short"] += 1
out["after_cut"] = list(own.call(0, "next"))
out["after_cut_waited"] = time.monotonic() >= ended["cut short"]

# Two green callers at once take turns, each with its own answer.
results = {}
def caller(value):
    results[value] = own.call(0.05, value)[0]
concurrency.spawn(caller, "a")
concurrency.spawn(caller, "b")
time.sleep(0.3)
out["both"] = results
out["threads_running"] = threads()
own.stop()
time.sleep(0.1)
out["threads_after"] = threads()
try:
    own.call(0, "late")
except RuntimeError as error:
    out["after_stop"] = str(error)
print(json.dumps(out))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc")
@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_a_call_in_its_own_thread_keeps_the_event_loop_moving_and_answers_each_caller(mode):
    import json

    out = json.loads(run_in_green_mode(OWN_THREAD_SCRIPT, mode))
    assert out["result"] == ["first", mode]
    assert out["took"] >= 0.3
    assert out["ticks_during"] >= 10  # the other green threads ran while it blocked
    assert "Input/output error" in out["error"]
    assert out["cut_short"] == 2
    assert out["after_cut"] == ["next", mode]
    assert out["after_cut_waited"] is True  # for the call that was cut short to end
    assert out["both"] == {"a": "a", "b": "b"}
    assert out["threads_running"] == out["threads_before"] + 1  # one thread, reused
    assert out["threads_after"] == out["threads_before"]
    assert out["after_stop"] == "this thread has been stopped"


INTERRUPT_SCRIPT = r"""
import os, signal, sys, time
from conference_room import concurrency

concurrency.patch(sys.argv[1])
concurrency.stop_on_interrupt()
swallowed = []

def handling_a_socket():
    try:
        os.kill(os.getpid(), signal.SIGINT)
        end = time.monotonic() + 0.3
        while time.monotonic() < end:  # busy, so the signal is handled in this green thread
            pass
    except BaseException as error:  # as the Socket.IO library does with a handler's error
        swallowed.append(type(error).__name__)

concurrency.spawn(handling_a_socket)
try:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.01)  # the server's loop, waiting for connections
    print("still serving", swallowed)
except KeyboardInterrupt:
    print("stopped", swallowed)
"""


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_ctrl_c_stops_the_server_even_while_a_socket_is_being_handled(mode):
    assert run_in_green_mode(INTERRUPT_SCRIPT, mode).strip() == "stopped []"
