"""The floor: the least a python-socketio server on eventlet can do for a room broadcast.

A socket joins a room with `join` {"room"}; `answer` {"room", "id", ...} is acknowledged and
relayed to everyone in that room as `changed`; `settle` runs a full garbage collection and
answers {"ok", "collected", "full_collections", "young_threshold"} (objects freed; full
collections so far; new objects between young collections, Python's 700 unless
`--young-threshold` gave the app's policy, conference_room/collector.py).
No database, no snapshot, no permissions: the benchmark compares the real app against this on
the same machine. Run by live_load.py:

    python benchmarks/floor_server.py --port 5099 [--no-nodelay] [--young-threshold 10000]
"""

from __future__ import annotations

import argparse
import gc
import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

eventlet.monkey_patch()

import socket  # noqa: E402  (after monkey patching, as eventlet requires)

import eventlet.wsgi  # noqa: E402
import socketio  # noqa: E402

sio = socketio.Server(async_mode="eventlet", ping_interval=10, ping_timeout=20)


@sio.on("join")
def join(sid: str, data: dict) -> dict:
    """Put this socket in a room."""
    sio.enter_room(sid, data["room"])
    return {"ok": True}


@sio.on("answer")
def answer(sid: str, data: dict) -> dict:
    """Relay an answer to its room (the sender included, as the app does)."""
    sio.emit("changed", data, room=data["room"])
    return {"ok": True}


@sio.on("settle")
def settle(sid: str, data: dict) -> dict:
    """Run a full collection now: live_load.py asks for one just before the floor's round.

    Connecting the sockets makes many long-lived objects, and Python's collector then makes a
    full collection now and then. The app makes more of them while its sockets join, so at
    K = 40 its last full collection came in its set-up, under a second before its round, while
    the floor's came inside its timed round (86-122 ms of standing still): the floor's p99
    then measured its collector. After this one the floor's round starts as the app's does.
    """
    collected = gc.collect()
    full = gc.get_stats()[2]["collections"]
    return {
        "ok": True,
        "collected": collected,
        "full_collections": full,
        "young_threshold": gc.get_threshold()[0],
    }


def health(environ, start_response):
    """Answer GET /healthz so the benchmark knows the floor is up."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"status": "ok"}']


class NoDelay(eventlet.wsgi.HttpProtocol):
    """Send small frames at once (the app sets the same option; see concurrency.py)."""

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()


def main() -> None:
    """Serve the floor on loopback until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-nodelay", action="store_true", help="leave Nagle on")
    parser.add_argument(
        "--young-threshold",
        type=int,
        help="run the app's collector policy (freeze, then this young threshold) before serving",
    )
    args = parser.parse_args()
    app = socketio.WSGIApp(sio, health)
    listener = eventlet.listen(("127.0.0.1", args.port))
    protocol = eventlet.wsgi.HttpProtocol if args.no_nodelay else NoDelay
    if args.young_threshold is not None:
        from conference_room.collector import tune

        tune(args.young_threshold)  # as `conference-room serve` does, just before serving
    # As the app does (concurrency.server_options): more than eventlet's default 1024 sockets.
    eventlet.wsgi.server(listener, app, log_output=False, protocol=protocol, max_size=10_000)


if __name__ == "__main__":
    main()
