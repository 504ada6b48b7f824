"""Hostile input: malformed payloads at every Socket.IO event and every JSON route.

The events come from the registry (``realtime.EVENTS``) and the routes from ``app.url_map``, so a
new event or route is attacked without anyone adding it here. Payloads are generated with
hypothesis: values that are not objects, objects with a field we do not know, and for events and
routes with a known good request (tests/security_helpers.py) that request with one field of the
wrong type or far too long. Each must get an error answer (an ack ``{"ok": false, "error":
{"code", "message"}}`` or a 4xx JSON error), never a server error, and change nothing in the
database — the audit log included: a refused write is not an event. Oversized and deeply nested
bodies are refused cheaply, and the real eventlet server stays up through all of it.
"""

from __future__ import annotations

import http.client
import json
import socket as raw_socket
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conference_room import create_app, realtime
from conference_room import db as database
from conference_room.realtime import socketio as server_socketio
from conference_room.schemas import MAX_DEPTH
from conference_room.services.reports import MAX_REPORT_CHARS
from tests.conftest import Server
from tests.security_helpers import (
    COOKIE,
    EVENT_SAMPLES,
    SAMPLES,
    World,
    build_world,
    copy_database,
    dump,
)

SECRET = "hostile-secret"
EXAMPLES = 12  # per event and per route: enough variety, and the file stays well under a minute
realtime.register_handlers()  # fills realtime.EVENTS, so the parametrisation sees every event
EVENT_NAMES = sorted(realtime.EVENTS)
BODY_METHODS = {"POST", "PUT", "PATCH"}
HUGE_TEXT = "x" * (MAX_REPORT_CHARS + 1)  # longer than any text field may be
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
NOT_OBJECTS = JSON_VALUES.filter(lambda value: value is not None and not isinstance(value, dict))
SMALL_LISTS = st.lists(LEAVES, min_size=1, max_size=3)
SMALL_OBJECTS = st.dictionaries(st.text(max_size=6), LEAVES, min_size=1, max_size=3)
BIG_INTS = st.integers(min_value=2**63) | st.integers(max_value=-(2**63) - 1)
# A value of another JSON type than the one a field holds (the models are strict).
WRONG_TYPE = {
    bool: st.integers() | st.text(max_size=5) | SMALL_LISTS,
    int: st.text(max_size=10) | st.floats(allow_nan=False) | st.booleans() | SMALL_LISTS | BIG_INTS,
    float: st.text(max_size=10) | st.booleans() | SMALL_LISTS,
    str: st.integers() | st.booleans() | SMALL_LISTS | SMALL_OBJECTS | st.just(HUGE_TEXT),
    list: st.text(max_size=10) | st.integers() | SMALL_OBJECTS,
    dict: st.text(max_size=10) | st.integers() | SMALL_LISTS,
    type(None): SMALL_LISTS | SMALL_OBJECTS,
}


def _wrong_field(sample: dict) -> st.SearchStrategy:
    """The good request with one field changed to a value of the wrong type (or too long)."""
    return st.sampled_from(sorted(sample)).flatmap(
        lambda key: WRONG_TYPE[type(sample[key])].map(lambda bad: {**sample, key: bad})
    )


def _unknown_field(sample: dict) -> st.SearchStrategy:
    """The good request (or an empty object) with a field we do not know added."""
    names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
    return st.builds(lambda name, value: {**sample, f"zz_{name}": value}, names, JSON_VALUES)


def malformed(sample: dict | None) -> st.SearchStrategy:
    """Payloads that no event or route may accept."""
    options = [NOT_OBJECTS, _unknown_field(sample or {})]
    if sample:
        options.append(_wrong_field(sample))
    return st.one_of(options)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[World, Path, Any]:
    """The meeting of tests/security_helpers.py on its own database, and the app serving it."""
    path = tmp_path_factory.mktemp("hostile") / "world.db"
    database.upgrade(database.connect(path))
    app = create_app(
        {"TESTING": True, "DATABASE": str(path), "SECRET_KEY": SECRET, "ASYNC_MODE": "threading"}
    )
    return build_world(app, path), path, app


def _client(app, world: World, role: str):
    client = app.test_client()
    if world.credentials[role].cookie:
        client.set_cookie(COOKIE, world.credentials[role].cookie)
    return client


def _event_sample(world: World, event: str, role: str) -> dict | None:
    sample = EVENT_SAMPLES.get(event)
    return sample(world, role).json if sample else None


def _assert_error_ack(ack: Any, what: str) -> None:
    assert isinstance(ack, dict) and ack.get("ok") is False, f"{what} was accepted: {ack}"
    error = ack["error"]
    assert error.get("code") and error.get("message"), ack
    assert error["code"] != "server_error", f"{what} broke the handler: {ack}"


@pytest.mark.parametrize("event", EVENT_NAMES)
def test_malformed_payloads_for_every_event_are_refused_and_change_nothing(prepared, event):
    world, path, app = prepared
    sockets = {}
    for role in ("chair", "professional"):
        sockets[role] = server_socketio.test_client(
            app, flask_test_client=_client(app, world, role)
        )
        joined = sockets[role].emit(
            "conference.join", {"conference_id": world.ids["conference"]}, callback=True
        )
        assert joined["ok"], joined
    before = dump(path)
    payloads = st.sampled_from(sorted(sockets)).flatmap(
        lambda role: st.tuples(st.just(role), malformed(_event_sample(world, event, role)))
    )

    @PROFILE
    @given(payloads)
    def check(attempt):
        role, payload = attempt
        ack = sockets[role].emit(event, payload, callback=True)
        _assert_error_ack(ack, f"{event} from {role} with {str(payload)[:200]}")
        assert dump(path) == before, f"{event} with {str(payload)[:200]} changed the database"

    try:
        check()
    finally:
        for one in sockets.values():
            one.disconnect()


def _json_routes(app) -> list[tuple[str, str]]:
    """Every route that reads a JSON body: /api/v1 writes, and the report link's JSON writes."""
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & BODY_METHODS):
            key = f"{method} {rule.rule}"
            if rule.rule.startswith("/api/v1/") or key in (
                "PUT /r/<token>/draft",
                "POST /r/<token>/preview",
                "POST /r/<token>/submit",
            ):
                routes.append((method, rule.rule))
    return sorted(routes)


def _fill(rule: str, world: World) -> str:
    values = {
        "conference_id": world.ids["conference"],
        "participant_id": world.ids["waiting"],
        "report_id": world.ids["report"],
        "invitation_id": world.ids["invitation"],
        "token": world.link.rsplit("/", 1)[1],
    }
    for name, value in values.items():
        rule = rule.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    assert "<" not in rule, f"tell _fill in {__file__} how to fill {rule}"
    return rule


def _takes_a_body(app, method: str, rule: str) -> bool:
    """Return whether the route reads a body (the OpenAPI description says so for /api/v1)."""
    if rule.startswith("/r/"):
        return True
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    path = rule.replace("<int:", "{").replace(">", "}")
    return "requestBody" in document["paths"].get(path, {}).get(method.lower(), {})


def _assert_error_answer(answer, what: str) -> None:
    assert 400 <= answer.status_code < 500, f"{what}: {answer.status_code} {answer.data[:300]}"
    body = answer.get_json(silent=True)
    assert isinstance(body, dict) and body["error"]["code"] and body["error"]["message"], (
        what,
        answer.data[:300],
    )


def _send(client, method: str, url: str, csrf: str, data: bytes):
    headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    return client.open(url, method=method, data=data, headers=headers)


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def _not_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return True
    return False


def _probe():
    """The app's routes and API description, without a database (for parametrising)."""
    from flask import Flask

    from conference_room.views import register

    probe = Flask("probe")
    register(probe)
    return probe


PROBE = _probe()
BODY_ROUTES = [route for route in _json_routes(PROBE) if _takes_a_body(PROBE, *route)]
ID_ROUTES = sorted(
    (method, rule.rule)
    for rule in PROBE.url_map.iter_rules()
    if rule.rule.startswith("/api/v1/") and "<int:" in rule.rule
    for method in rule.methods - {"HEAD", "OPTIONS"}
)


def test_every_json_route_is_attacked():
    """The routes come from the app: a route that reads a body is never left out."""
    assert ("POST", "/api/v1/conferences") in BODY_ROUTES
    assert ("PUT", "/r/<token>/draft") in BODY_ROUTES
    assert len(BODY_ROUTES) >= 12 and len(ID_ROUTES) >= 12


def _http_sample(world: World, method: str, rule: str) -> dict | None:
    sample = SAMPLES.get(f"{method} {rule}")
    body = sample(world, "admin").json if sample else None
    return body if isinstance(body, dict) else None


@pytest.mark.parametrize(("method", "rule"), BODY_ROUTES, ids=[f"{m} {r}" for m, r in BODY_ROUTES])
def test_malformed_bodies_for_every_json_route_are_refused_and_change_nothing(
    prepared, method, rule
):
    world, path, app = prepared
    # The admin may make every /api/v1 call, so a refusal below is about the body, not the role.
    client = _client(app, world, "admin")
    csrf = world.credentials["admin"].csrf
    url = _fill(rule, world)
    before = dump(path)
    garbage = st.binary(max_size=40).filter(_not_json)
    encoded = malformed(_http_sample(world, method, rule)).map(
        lambda value: json.dumps(value).encode()
    )

    @PROFILE
    @given(garbage | encoded)
    def check(data):
        app.extensions.pop("cr_limiter", None)  # wrong join codes would soon be a 429
        answer = _send(client, method, url, csrf, data)
        _assert_error_answer(answer, f"{method} {url} with {data[:200]!r}")
        assert dump(path) == before, f"{method} {url} with {data[:200]!r} changed the database"

    check()


@pytest.mark.parametrize(("method", "rule"), BODY_ROUTES, ids=[f"{m} {r}" for m, r in BODY_ROUTES])
def test_deeply_nested_and_oversized_bodies_are_refused_cheaply(prepared, method, rule):
    world, path, app = prepared
    client = _client(app, world, "admin")
    csrf = world.credentials["admin"].csrf
    url = _fill(rule, world)
    before = dump(path)
    for data in (
        b"[" * 100_000 + b"]" * 100_000,  # deeper than the JSON parser goes
        json.dumps({"a": _nested(MAX_DEPTH + 2)}).encode(),  # parses, but too deep
        json.dumps({"round_id": 2**64, "child_id": -(2**70)}).encode(),
    ):
        answer = _send(client, method, url, csrf, data)
        _assert_error_answer(answer, f"{method} {url} with {data[:60]!r}")
        assert answer.status_code == 400, answer.get_json()
    too_big = b'{"text": "' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    answer = _send(client, method, url, csrf, too_big)
    assert answer.status_code == 413, answer.data[:200]
    _assert_error_answer(answer, f"{method} {url} with an oversized body")
    assert dump(path) == before


@pytest.mark.parametrize(("method", "rule"), ID_ROUTES, ids=[f"{m} {r}" for m, r in ID_ROUTES])
def test_ids_that_do_not_exist_or_belong_elsewhere_are_refused(prepared, method, rule):
    """Every id in a path, replaced by one of nothing, of the other conference, or too large."""
    world, path, app = prepared
    client = _client(app, world, "admin")
    csrf = world.credentials["admin"].csrf
    good = _fill(rule, world)
    before = dump(path)
    names = [part.split(":")[1].rstrip(">") for part in rule.split("/") if part.startswith("<int:")]
    sample = _http_sample(world, method, rule) or {}
    bad_ids = st.sampled_from(names).flatmap(
        lambda name: st.tuples(
            st.just(name),
            st.integers(min_value=10_000, max_value=2**63 - 1)
            | BIG_INTS.filter(lambda n: n > 0)
            | st.just(0),
        )
    )

    @PROFILE
    @given(bad_ids)
    def check(bad):
        name, value = bad
        url = _fill(rule.replace(f"<int:{name}>", str(value)), world)
        answer = client.open(
            url,
            method=method,
            headers={"X-CSRF-Token": csrf},
            **({"json": sample} if method in BODY_METHODS else {}),
        )
        _assert_error_answer(answer, f"{method} {url}")
        assert answer.status_code in (404, 405, 409), (url, answer.get_json())
        assert dump(path) == before, f"{method} {url} changed the database"

    check()
    # The other conference's id, with this conference's things: not found, nothing changes.
    if "<int:conference_id>" in rule:
        crossed = good.replace(
            f"/conferences/{world.ids['conference']}",
            f"/conferences/{world.ids['other_conference']}",
        )
        if crossed != good and rule.count("<int:") > 1:
            answer = client.open(
                crossed, method=method, headers={"X-CSRF-Token": csrf}, json=sample
            )
            _assert_error_answer(answer, f"{method} {crossed}")
            assert dump(path) == before, f"{method} {crossed} changed the database"


@pytest.fixture(scope="module")
def real_server(prepared, tmp_path_factory):
    """The real eventlet server on a copy of the prepared meeting (same secret, same cookies)."""
    _world, source, _app = prepared
    path = tmp_path_factory.mktemp("hostile-real") / "served.db"
    copy_database(source, path)
    running = Server(path, extra_env={"CONFERENCE_ROOM_SECRET_KEY": SECRET}).start()
    yield running
    running.stop()


def _real_socket(server: Server, world: World, role: str) -> socketio.Client:
    # Our own HTTP session for the handshake, closed in _close (the library drops its own
    # without closing it, which leaves a socket for the garbage collector to warn about).
    client = socketio.Client(reconnection=False, http_session=requests.Session())
    cookie = f"{COOKIE}={world.credentials[role].cookie}"
    client.connect(server.url, headers={"Cookie": cookie}, wait_timeout=10)
    joined = client.call("conference.join", {"conference_id": world.ids["conference"]}, timeout=10)
    assert joined["ok"], joined
    return client


def _close(client: socketio.Client) -> None:
    # A connection the server cut is forgotten, not closed, by the library, and the websocket's
    # close() skips a socket the peer already closed: shut it down here.
    websocket = client.eio.ws
    client.disconnect()
    if websocket is not None:
        websocket.shutdown()
    client.eio.http.close()


def _still_serving(server: Server, world: World) -> None:
    assert server.process.poll() is None, server.log_path.read_text()[-2000:]
    with requests.get(server.url + "/healthz", timeout=10) as health:
        assert health.status_code == 200
    chair = _real_socket(server, world, "chair")
    try:
        ack = chair.call("conference.join", {"conference_id": world.ids["conference"]}, timeout=10)
        assert ack["ok"], ack
    finally:
        _close(chair)


def test_the_real_server_stays_up_and_unchanged_under_hostile_events(prepared, real_server):
    world, _source, _app = prepared
    served = real_server.db_path
    before = dump(served)
    sockets = {role: _real_socket(real_server, world, role) for role in ("chair", "professional")}
    attempts = st.tuples(st.sampled_from(EVENT_NAMES), st.sampled_from(sorted(sockets))).flatmap(
        lambda pair: st.tuples(
            st.just(pair[0]), st.just(pair[1]), malformed(_event_sample(world, *pair))
        )
    )

    @settings(PROFILE, max_examples=len(EVENT_NAMES) * 4)
    @given(attempts)
    def check(attempt):
        event, role, payload = attempt
        ack = sockets[role].call(event, payload, timeout=10)
        _assert_error_ack(ack, f"{event} from {role} with {str(payload)[:200]}")

    try:
        check()
        # A packet nested deeper than the JSON parser goes is dropped by Socket.IO itself
        # (no answer): the connection and the server carry on.
        deep = "[" * 100_000 + "]" * 100_000
        sockets["chair"].eio.send(f'4299["stage.set",{{"x":{deep}}}]')
        ack = sockets["chair"].call("conference.join", {"conference_id": 0}, timeout=10)
        assert ack["error"]["code"] == "not_found", ack
    finally:
        for one in sockets.values():
            _close(one)
    # A message over the Socket.IO size limit: refused (the connection is closed), nothing else.
    big = _real_socket(real_server, world, "chair")
    try:
        big.emit("note.add", {"stage": "sharing", "text": "x" * 2_000_000})
        time.sleep(0.5)
    finally:
        _close(big)
    _still_serving(real_server, world)
    assert dump(served) == before


def test_the_real_server_refuses_a_huge_body_without_reading_it(prepared, real_server):
    """A 50 MB Content-Length with a few bytes sent: 413 at once, before the body arrives."""
    world, _source, _app = prepared
    credential = world.credentials["chair"]
    request = (
        f"POST /api/v1/conferences HTTP/1.1\r\nHost: 127.0.0.1:{real_server.port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 52428800\r\n"
        f"Cookie: {COOKIE}={credential.cookie}\r\nX-CSRF-Token: {credential.csrf}\r\n\r\n"
    ).encode() + b'{"title": "'
    with raw_socket.create_connection(("127.0.0.1", real_server.port), timeout=10) as conn:
        conn.sendall(request)
        head = conn.recv(4096)
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
    assert b'"code":"request_entity_too_large"' in head.replace(b" ", b""), head
    api = http.client.HTTPConnection("127.0.0.1", real_server.port, timeout=10)
    try:
        api.request(
            "POST",
            "/api/v1/conferences",
            body=b"[" * 200_000 + b"]" * 200_000,
            headers={
                "Content-Type": "application/json",
                "X-CSRF-Token": credential.csrf,
                "Cookie": f"{COOKIE}={credential.cookie}",
            },
        )
        deep = api.getresponse()
        status, body = deep.status, json.loads(deep.read())
    finally:
        api.close()
    assert status == 400 and body["error"]["field"] == "body", body
    _still_serving(real_server, world)
