"""Web defences: Socket.IO only from our own origin, security headers on every answer, cookie
flags, and CSRF on every state-changing call made with a cookie.

The routes are taken from ``app.url_map``, so a new page or API call is checked without being
added here.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests
import socketio
import websocket

from conference_room import create_app
from conference_room.access_matrix import HTTP
from tests.conftest import PASSWORD, ROOT, conference_payload
from tests.security_helpers import COOKIE, csrf_from_page

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Calls that start a session need no token: there is no session yet to forge a call with.
NO_SESSION_YET = {"POST /api/v1/session", "POST /api/v1/join"}
WAIT = 10


@pytest.fixture
def live(server, make_user):
    """The real server with a signed-in chair: (server, cookie, conference)."""
    user = make_user("chair")
    http = requests.Session()
    signed = http.post(
        server.url + "/api/v1/session",
        json={"email": user["email"], "password": PASSWORD},
        timeout=WAIT,
    )
    csrf = signed.json()["csrf_token"]
    conference = http.post(
        server.url + "/api/v1/conferences",
        json=conference_payload(),
        headers={"X-CSRF-Token": csrf},
        timeout=WAIT,
    ).json()
    cookie = http.cookies.get(COOKIE)
    http.close()
    return server, cookie, conference


def _polling_socket(server, cookie: str, origin: str) -> socketio.Client:
    """A Socket.IO client starting with long-polling, as a browser does, from ``origin``."""
    client = socketio.Client(reconnection=False, http_session=requests.Session())
    try:
        client.connect(
            server.url,
            headers={"Cookie": f"{COOKIE}={cookie}", "Origin": origin},
            wait_timeout=WAIT,
        )
    except socketio.exceptions.ConnectionError:
        client.eio.http.close()
        raise
    return client


def _close(client: socketio.Client) -> None:
    client.disconnect()
    client.eio.http.close()


def _websocket(server, cookie: str, origin: str) -> str:
    """Open a Socket.IO session straight over a WebSocket, as a browser page would from
    ``origin``; return the server's answer to joining the default namespace."""
    conn = websocket.create_connection(
        server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
        header=[f"Cookie: {COOKIE}={cookie}"],
        origin=origin,
        timeout=WAIT,
    )
    try:
        assert conn.recv().startswith("0{")  # engine.io open
        conn.send("40")  # join the default namespace (runs our connect check)
        return conn.recv()
    finally:
        conn.close()


def test_a_socket_from_our_own_origin_is_accepted(live):
    server, cookie, conference = live
    client = _polling_socket(server, cookie, server.url)
    try:
        ack = client.call("conference.join", {"conference_id": conference["id"]}, timeout=WAIT)
        assert ack["ok"], ack
    finally:
        _close(client)
    assert _websocket(server, cookie, server.url).startswith('40{"sid"')


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://127.0.0.1.evil.example", "null"]
)
def test_a_socket_from_another_origin_is_refused_even_with_a_good_cookie(live, origin):
    server, cookie, _conference = live
    with pytest.raises(socketio.exceptions.ConnectionError):
        _polling_socket(server, cookie, origin)
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        _websocket(server, cookie, origin)
    assert refused.value.status_code == 400
    # The same cookie from our own pages still works: the refusal was the origin.
    _close(_polling_socket(server, cookie, server.url))


def test_the_handshake_from_another_origin_gets_no_cors_permission(live):
    server, cookie, _conference = live
    answer = requests.get(
        server.url + "/socket.io/?EIO=4&transport=polling",
        headers={"Origin": "https://evil.example", "Cookie": f"{COOKIE}={cookie}"},
        timeout=WAIT,
    )
    assert answer.status_code == 400
    assert "Access-Control-Allow-Origin" not in answer.headers


def _pages_and_api(app) -> list[str]:
    """Every GET route that needs no id but a conference's (its ids filled in by the caller)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and set(rule.arguments) <= {"conference_id"}
        # Socket.IO's path has a route only so that Flask's matching finds one (realtime.py);
        # what answers there is the Socket.IO middleware, before Flask, never a page.
        and not rule.endpoint.startswith("socketio_")
    )


def test_every_answer_carries_the_security_headers(chair, make_conference):
    conference = make_conference()
    checked = 0
    for rule in _pages_and_api(chair.client.application):
        url = rule.replace("<int:conference_id>", str(conference["id"]))
        answer = chair.get(url)
        headers = answer.headers
        policy = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy, url
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert "unsafe-eval" not in policy and "object-src 'none'" in policy, url
        assert headers.get("X-Content-Type-Options") == "nosniff", url
        assert headers.get("Referrer-Policy") == "no-referrer", url
        assert headers.get("Cache-Control") == "no-store", url  # personal data: never cached
        checked += 1
        answer.close()
    assert checked >= 10


def test_static_files_may_be_cached_and_report_links_keep_their_own_policy(client, app):
    static = next(
        rule.rule.replace("<path:filename>", "js/base.js")
        for rule in app.url_map.iter_rules()
        if rule.endpoint == "static"
    )
    answer = client.get(static)
    assert answer.status_code == 200 and answer.headers.get("Cache-Control") != "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    answer.close()
    # /r/<token>: same-origin so the page's own posts carry our Origin, never the link outside.
    link = client.get("/r/" + "x" * 43)
    assert link.headers["Referrer-Policy"] == "same-origin"
    assert link.headers["Cache-Control"] == "no-store"


def test_no_page_has_inline_script(chair, make_conference):
    conference = make_conference()
    for rule in _pages_and_api(chair.client.application):
        if rule.startswith("/api/"):
            continue
        url = rule.replace("<int:conference_id>", str(conference["id"]))
        answer = chair.get(url)
        if answer.mimetype != "text/html":
            answer.close()
            continue
        html = answer.get_data(as_text=True)
        for tag, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I):
            if 'type="application/json"' in tag:
                continue  # data, not code (and the policy would not run it anyway)
            assert "src=" in tag and not body.strip(), f"inline script on {url}: {tag} {body[:80]}"
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), f"event attribute on {url}"


def _set_cookie(answer) -> str:
    values = [v for k, v in answer.headers.items() if k == "Set-Cookie" and v.startswith(COOKIE)]
    assert values, "no session cookie was set"
    return values[-1]


def test_session_and_attendee_cookies_are_httponly_and_samesite(client, make_user, make_conference):
    user = make_user("chair")
    signed = client.post("/api/v1/session", json={"email": user["email"], "password": PASSWORD})
    cookie = _set_cookie(signed)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    conference = make_conference()
    phone = client.application.test_client()
    joined = phone.post(
        "/api/v1/join", json={"code": conference["join_code"], "name": "Jo", "role": "family"}
    )
    attendee = _set_cookie(joined)
    assert "HttpOnly" in attendee and "SameSite=Lax" in attendee


def test_cookies_are_secure_behind_tls(db_path, make_user, monkeypatch):
    monkeypatch.setenv("CONFERENCE_ROOM_SESSION_COOKIE_SECURE", "1")
    app = create_app(
        {"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "t", "ASYNC_MODE": "threading"}
    )
    user = make_user("chair")
    answer = app.test_client().post(
        "/api/v1/session",
        json={"email": user["email"], "password": PASSWORD},
        base_url="https://conference-room.example",
    )
    cookie = _set_cookie(answer)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _state_changing_routes(app) -> list[tuple[str, str]]:
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods & STATE_CHANGING
        if not rule.rule.startswith(("/r/", "/static/"))
        and f"{method} {rule.rule}" not in NO_SESSION_YET
    )


def test_every_state_changing_call_made_with_a_cookie_needs_the_csrf_token(
    app, staff, make_conference
):
    """Signed in as the admin (who may make almost every call), with no token: 403 csrf."""
    admin = staff("admin")
    conference = make_conference()
    ids = {"conference_id": conference["id"], "participant_id": 1, "invitation_id": 1}
    routes = _state_changing_routes(app)
    assert ("POST", "/conferences/new") in routes and ("PATCH", "/api/v1/settings") in routes
    for method, rule in routes:
        url = rule
        for name, value in ids.items():
            url = url.replace(f"<int:{name}>", str(value))
        url = url.replace("<code>", conference["join_code"])
        assert "<" not in url, f"tell this test how to fill {rule}"
        api = url.startswith("/api/")
        send = {"json": {}} if api else {"data": {"csrf_token": "forged"}}
        answer = admin.client.open(url, method=method, **send)
        assert answer.status_code == 403, (method, url, answer.status_code)
        if api:
            assert answer.get_json()["error"]["code"] == "csrf", (method, url)
    # ...and every one of them is in the access matrix, so someone decided who may make it.
    assert {f"{m} {r}" for m, r in routes} <= {key.split("?")[0] for key in HTTP}


def test_a_page_form_with_the_right_token_is_accepted(client):
    token = csrf_from_page(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"csrf_token": token, "email": "a@b.c", "password": "x"})
    assert answer.status_code == 401  # the token passed; the password did not


def test_importing_the_events_first_still_attaches_the_connection_check(tmp_path):
    """In a fresh interpreter: events.py imported before the app is built (as a script or a
    test module might) must not leave sockets open to anyone."""
    script = (
        "import sys\n"
        "from conference_room import events  # first, before create_app\n"
        "from conference_room import create_app, db\n"
        "from conference_room.realtime import socketio\n"
        "path = sys.argv[1]\n"
        "db.upgrade(db.connect(path))\n"
        "app = create_app({'TESTING': True, 'DATABASE': path, 'SECRET_KEY': 'x',"
        " 'ASYNC_MODE': 'threading'})\n"
        "print('connected' if socketio.test_client(app).is_connected() else 'refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "fresh.db")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.stdout.strip() == "refused", done.stdout + done.stderr
