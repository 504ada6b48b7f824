"""Socket events must not leave reference cycles behind: Python's cycle collector stops the
whole server while it runs (every meeting on it waits), and its passes grow with the garbage.
Each event used to leave a NotFound and the request context its traceback held (~60 objects),
because Flask matched Socket.IO's path against the app's routes and found nothing; then 8,
werkzeug's recursive matcher, until each socket's environ was matched once (EventContext)."""

from __future__ import annotations

import gc

from conference_room.realtime import MATCH_KEY

EVENTS = 30


def cyclic_garbage_after(action) -> int:
    """Return how many unreachable objects in cycles ``action`` left for the collector."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        action()
        return gc.collect()
    finally:
        if was_enabled:
            gc.enable()


def test_socket_events_leave_no_cycles_for_the_collector(room):
    cid = room.conference["id"]

    def events() -> None:
        for _ in range(EVENTS):
            assert room.pro.socket.emit("statement.read", {"key": "nope"})  # refused: no such
            assert room.console.emit("conference.join", {"conference_id": cid})["ok"]

    left = cyclic_garbage_after(events)
    # Before the first fix each event left about 86 objects; then 8, werkzeug's matcher (a
    # recursive closure) for matching the socket's environ again (realtime.EventContext).
    assert left < 2 * EVENTS, f"{left} objects in cycles after {2 * EVENTS} events"


def test_socket_io_path_is_not_a_page(client):
    # The routes that give Flask's match something to find never answer as pages.
    assert client.get("/socket.io").status_code in (400, 404)
    assert client.get("/socket.io/").status_code in (400, 404)


def test_an_environ_is_matched_once_and_each_context_gets_its_own_view_args(app):
    environ = _environ(app, "/api/v1/conferences/7", "PATCH")
    with app.request_context(environ) as first:
        rule, args = first.request.url_rule, first.request.view_args
        args["conference_id"] = "changed by a handler"
    assert environ[MATCH_KEY] == (rule, {"conference_id": 7})  # a copy, not the handler's
    # The next context takes the kept match rather than matching again: a kept match made to
    # differ from what matching would give shows which one it used.
    environ[MATCH_KEY] = (rule, {"conference_id": 8})
    with app.request_context(environ) as second:
        assert second.request.url_rule is rule
        assert second.request.view_args == {"conference_id": 8}
        second.request.view_args["conference_id"] = "changed again"
    assert environ[MATCH_KEY] == (rule, {"conference_id": 8})


def test_a_path_with_no_route_is_not_remembered_and_stays_a_404(app):
    environ = _environ(app, "/no/such/page")
    for _ in range(2):
        with app.request_context(environ) as context:
            assert context.request.routing_exception.code == 404
    assert MATCH_KEY not in environ


def _environ(app, path: str, method: str = "GET") -> dict:
    from flask.testing import EnvironBuilder

    return EnvironBuilder(app, path=path, method=method).get_environ()
