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
