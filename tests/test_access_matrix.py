"""The access matrix (conference_room/access_matrix.py), called cell by cell.

Every HTTP route and every Socket.IO event is tried as every role of ``access_matrix.ROLES``, each
cell on its own copy of one prepared meeting (tests/security_helpers.py). An allowed cell must not
be refused (and, where a sample request is given below, must succeed); a refused cell must get
401/403 (404 where the person may not know the thing exists) with the JSON error shape, or be
sent to sign in or join, or for a socket be refused the connection or get an error ack saying so,
and must change nothing in the database, audit log included. Whatever an allowed cell changes,
and every export, must be in the audit log. A route or event without a row fails
``test_every_route_and_event_has_a_row`` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conference_room import access_matrix, create_app, realtime
from conference_room import db as database
from conference_room.access_matrix import ROLES
from conference_room.realtime import socketio
from tests.security_helpers import (
    COOKIE,
    EVENT_SAMPLES,
    SAMPLES,
    Call,
    World,
    build_world,
    copy_database,
    dump,
)

SECRET = "matrix-secret"
ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MADE_UP_LINK = "Zm9yZ2VkLWxpbmstdGhhdC1kb2VzLW5vdC1leGlzdC0xMjM"
REFUSAL_CODES = {"unauthorized", "forbidden", "not_found", "waiting", "not_admitted"}
# People who may not know that conference A exists get a 404, like a wrong address.
HIDDEN_FROM = {"other_chair"}
# Drafts are saved every few seconds and private to their writer: not audited (README).
NOT_AUDITED = {"PUT /r/<token>/draft", "POST /r/<token>/draft"}
# Signing out ends at the sign-in page: that is the point, not a refusal.
ENDS_AT_SIGN_IN = {"POST /logout"}


def _static_file() -> str:
    return next(
        str(p.relative_to(ROOT / "static")) for p in sorted((ROOT / "static").rglob("*.js"))
    )


# How each URL part is filled in: conference A, its shared report, a waiting participant...
PARAMS: dict[str, Callable[[World, str], str]] = {
    "conference_id": lambda w, r: str(w.ids["conference"]),
    "report_id": lambda w, r: str(w.ids["report"]),
    "invitation_id": lambda w, r: str(w.ids["invitation"]),
    "participant_id": lambda w, r: str(w.ids["waiting"]),
    "code": lambda w, r: w.join_code,
    "token": lambda w, r: w.link.rsplit("/", 1)[1] if r == "invitee" else MADE_UP_LINK,
    "filename": lambda w, r: _static_file(),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[World, Path, Any]:
    path = tmp_path_factory.mktemp("matrix") / "world.db"
    database.upgrade(database.connect(path))
    app = create_app(
        {"TESTING": True, "DATABASE": str(path), "SECRET_KEY": SECRET, "ASYNC_MODE": "threading"}
    )
    return build_world(app, path), path, app


def _fresh(prepared, tmp_path: Path, role: str):
    """Return an app of its own on a copy of the prepared meeting, and a client holding
    ``role``'s cookie (an app per cell: nothing it keeps, a pool of connections or counts of
    wrong guesses, can leak from one cell to the next)."""
    world, source, _app = prepared
    path = tmp_path / "cell.db"
    copy_database(source, path)
    app = create_app(
        {"TESTING": True, "DATABASE": str(path), "SECRET_KEY": SECRET, "ASYNC_MODE": "threading"}
    )
    client = app.test_client()
    credential = world.credentials[role]
    if credential.cookie:
        client.set_cookie(COOKIE, credential.cookie)
    return world, path, app, client, credential


def _url(rule: str, world: World, role: str) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        assert name in PARAMS, f"tell PARAMS in {__file__} how to fill <{name}>"
        return PARAMS[name](world, role)

    return re.sub(r"<([^>]+)>", fill, rule)


def _split(key: str) -> tuple[str, str, str]:
    method, target = key.split(" ", 1)
    rule, _, query = target.partition("?")
    return method, rule, ("?" + query) if query else ""


def _error_shape(answer) -> dict:
    body = answer.get_json(silent=True)
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), answer.data[:300]
    assert body["error"].get("code") and body["error"].get("message"), body
    return body["error"]


def _send_http(key: str, world: World, role: str, client, csrf: str | None):
    method, rule, query = _split(key)
    url = _url(rule, world, role) + query
    sample = SAMPLES.get(key, lambda w, r: Call(succeeds=False))(world, role)
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    page = not rule.startswith("/api/")
    kwargs: dict[str, Any] = {"headers": headers}
    if sample.form is not None:
        kwargs["data"] = {**sample.form, "csrf_token": csrf or ""}
    elif method != "GET":
        kwargs["json"] = sample.json if sample.json is not None else {}
    follow = page and method == "GET"
    answer = client.open(url, method=method, follow_redirects=follow, **kwargs)
    return answer, url, sample, page


def _refused_http(key: str, role: str, answer, url: str, page: bool) -> bool:
    """Return whether the answer refuses (and check a refusal has the right shape)."""
    location = urlsplit(answer.headers.get("Location", "")).path
    landed = answer.request.path
    if page and key not in ENDS_AT_SIGN_IN:
        if 300 <= answer.status_code < 400 and location in ("/login", "/j"):
            return True
        if landed != urlsplit(url).path and landed in ("/login", "/j"):
            return True
    if answer.status_code in (401, 403, 404):
        if answer.status_code == 404:
            assert role in HIDDEN_FROM or "/r/" in url, (
                f"{key} as {role}: 404 where 401/403 was expected"
            )
        if not page:
            error = _error_shape(answer)
            assert error["code"] != "csrf", f"{key} as {role}: refused for a missing CSRF token"
        return True
    return False


HTTP_CELLS = [(key, role) for key in access_matrix.HTTP for role in ROLES]


@pytest.mark.parametrize(("key", "role"), HTTP_CELLS, ids=[f"{k} as {r}" for k, r in HTTP_CELLS])
def test_http_cell(world, tmp_path, key, role):
    world_, path, app, client, credential = _fresh(world, tmp_path, role)
    before = dump(path)
    answer, url, sample, page = _send_http(key, world_, role, client, credential.csrf)
    refused = _refused_http(key, role, answer, url, page)
    answer.close()
    if access_matrix.allowed(key, role):
        assert not refused, f"{key} as {role} was refused: {answer.status_code} {answer.data[:300]}"
        assert answer.status_code < 500, answer.data[:300]
        if sample.succeeds:
            assert answer.status_code < 400, (
                f"{key} as {role}: {answer.status_code} {answer.data[:300]}"
            )
        _assert_audited(key, role, before, dump(path), export=answer.status_code == 200)
    else:
        assert refused, f"{key} as {role} was let through: {answer.status_code} {answer.data[:300]}"
        assert dump(path) == before, f"{key} as {role} was refused but changed the database"


def _assert_audited(key: str, role: str, before: dict, after: dict, export: bool = False) -> None:
    """Every change to the data comes with an audit entry, and so does every export."""
    changed = sorted(t for t in after if t != "audit_events" and after[t] != before.get(t))
    grew = len(after["audit_events"]) > len(before["audit_events"])
    if changed and key not in NOT_AUDITED:
        assert grew, f"{key} as {role} changed {changed} without an audit entry"
    if export and "/export" in key:
        assert grew, f"{key} as {role}: the export was not audited"


def _socket_cell(prepared, tmp_path, event: str, role: str):
    world, path, app, client, credential = _fresh(prepared, tmp_path, role)
    before = dump(path)
    socket = socketio.test_client(app, flask_test_client=client)
    if not socket.is_connected():
        return world, path, before, None, None, None
    sample = EVENT_SAMPLES.get(event, lambda w, r: Call({}, succeeds=False))(world, role)
    joined = socket.emit(
        "conference.join", {"conference_id": world.ids["conference"]}, callback=True
    )
    ack = joined if event == "conference.join" else socket.emit(event, sample.json, callback=True)
    socket.disconnect()
    return world, path, before, joined, ack, sample


def _refused_ack(ack: dict, joined: dict) -> bool:
    if ack.get("ok"):
        return False
    code = ack["error"]["code"]
    assert ack["error"].get("message"), ack
    return code in REFUSAL_CODES or (code == "not_joined" and not joined["ok"])


EVENT_CELLS = [(event, role) for event in access_matrix.EVENTS for role in ROLES]


@pytest.mark.parametrize(
    ("event", "role"), EVENT_CELLS, ids=[f"{e} as {r}" for e, r in EVENT_CELLS]
)
def test_event_cell(world, tmp_path, event, role):
    _, path, before, joined, ack, sample = _socket_cell(world, tmp_path, event, role)
    if access_matrix.allowed(event, role):
        assert ack is not None, f"{event} as {role}: the socket could not connect"
        assert joined["ok"], f"{event} as {role}: could not join: {joined}"
        assert not _refused_ack(ack, joined), f"{event} as {role} was refused: {ack}"
        assert ack.get("ok") or ack["error"]["code"] != "server_error", ack
        if sample.succeeds:
            assert ack["ok"], f"{event} as {role}: {ack}"
        _assert_audited(event, role, before, dump(path))
    else:
        if ack is not None:
            assert _refused_ack(ack, joined), f"{event} as {role} was let through: {ack}"
        assert dump(path) == before, f"{event} as {role} was refused but changed the database"


def test_every_route_and_event_has_a_row(world):
    """A new route or event fails here until the matrix says who may use it."""
    app = world[2]
    rows = {_split(key)[:2] for key in access_matrix.HTTP}
    missing = [
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if (method, rule.rule) not in rows
    ]
    assert not missing, "add these routes to access_matrix.HTTP: " + ", ".join(missing)
    unlisted = sorted(set(realtime.EVENTS) - set(access_matrix.EVENTS))
    assert not unlisted, "add these events to access_matrix.EVENTS: " + ", ".join(unlisted)


def test_every_row_names_a_real_route_or_event(world):
    app = world[2]
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    stale = [key for key in access_matrix.HTTP if _split(key)[:2] not in routes]
    stale += [name for name in access_matrix.EVENTS if name not in realtime.EVENTS]
    assert not stale, "these matrix rows name nothing the app has: " + ", ".join(stale)
    for action in [*access_matrix.HTTP, *access_matrix.EVENTS]:
        access_matrix.allowed_roles(action)  # raises on a misspelt role


def test_the_readme_has_the_same_table():
    text = README.read_text()
    found = re.search(
        r"<!-- access-matrix:start -->\n(.*?)<!-- access-matrix:end -->", text, flags=re.S
    )
    assert found, "README.md needs the access matrix between its access-matrix markers"
    assert found.group(1) == access_matrix.markdown(), (
        "README.md's access matrix is out of date: paste the output of "
        "`python -m conference_room.access_matrix` between the markers"
    )
