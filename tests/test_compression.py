"""Static files go out gzipped to browsers that accept it; pages and API answers never do."""

import gzip

import pytest

from conference_room import ROOT

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.mark.parametrize(
    "path", ["/static/build/app.css", "/static/build/socket.io.min.js", "/static/js/live.js"]
)
def test_a_static_file_is_gzipped_for_a_browser_that_accepts_it(client, path):
    answer = client.get(path, headers=GZIP, buffered=True)
    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in answer.headers["Vary"]
    original = (ROOT / path.lstrip("/")).read_bytes()
    assert gzip.decompress(answer.data) == original
    assert int(answer.headers["Content-Length"]) == len(answer.data) < len(original) / 2


def test_a_browser_that_does_not_accept_gzip_gets_the_file_as_it_is(client):
    answer = client.get("/static/build/app.css", buffered=True)
    assert "Content-Encoding" not in answer.headers
    assert answer.data == (ROOT / "static/build/app.css").read_bytes()


def test_revalidating_a_gzipped_file_still_answers_not_modified(client):
    first = client.get("/static/build/app.css", headers=GZIP, buffered=True)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(
        "/static/build/app.css", headers={**GZIP, "If-None-Match": etag}, buffered=True
    )
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("path", ["/login", "/j", "/api/v1/openapi.json", "/healthz"])
def test_pages_and_api_answers_are_never_compressed(client, path):
    # They carry CSRF tokens and personal data: compressing them beside text an attacker can
    # influence would leak them through the length (BREACH).
    answer = client.get(path, headers=GZIP, buffered=True)
    assert answer.status_code == 200
    assert "Content-Encoding" not in answer.headers
