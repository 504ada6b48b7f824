"""Every /api/v1 answer uses the contract's error shape; OpenAPI covers every route."""

import pytest

from conference_room import openapi


def _error(answer, status):
    assert answer.status_code == status
    body = answer.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] and body["error"]["message"].endswith(".")
    return body["error"]


def test_unknown_api_path_is_404_json(client):
    _error(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_405_json(client):
    _error(client.put("/api/v1/session", json={}), 405)


def test_malformed_json_is_400(client):
    answer = client.post("/api/v1/session", data="{not json", content_type="application/json")
    assert "JSON" in _error(answer, 400)["message"]


def test_a_list_instead_of_an_object_is_400(client):
    _error(client.post("/api/v1/session", json=[1, 2]), 400)


def test_an_oversized_body_is_413(client, app):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    _error(client.post("/api/v1/session", data=big, content_type="application/json"), 413)


def test_an_unexpected_failure_is_500_without_a_stack_trace(app):
    @app.get("/api/v1/explode")
    def explode():
        raise RuntimeError("secret internals")

    answer = app.test_client().get("/api/v1/explode")
    error = _error(answer, 500)
    assert "secret internals" not in answer.get_data(as_text=True)
    assert "Traceback" not in answer.get_data(as_text=True)
    assert error["code"] == "server_error"


def test_pages_get_html_errors_not_json(client):
    answer = client.get("/no-such-page")
    assert answer.status_code == 404
    assert "There is nothing at this address" in answer.get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_unusable(app, db_path):
    db_path.unlink()
    db_path.mkdir()  # a directory where the file was: SQLite cannot open it
    assert app.test_client().get("/healthz").status_code == 503


def test_openapi_describes_every_api_route(app, client):
    assert openapi.undocumented_routes(app) == []
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = openapi._path(rule.rule)
            assert path in document["paths"], path
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in document["paths"][path]


def test_openapi_has_request_shapes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    create = document["paths"]["/api/v1/conferences"]["post"]
    schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert {"kind", "scheduled_for", "title"} <= set(schema["required"])


@pytest.mark.parametrize(
    "header", ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"]
)
def test_security_headers_on_pages_and_api(client, header):
    for url in ("/login", "/api/v1/openapi.json"):
        assert header in client.get(url).headers
    assert "frame-ancestors 'none'" in client.get("/login").headers["Content-Security-Policy"]
    assert client.get("/login").headers["Cache-Control"] == "no-store"
