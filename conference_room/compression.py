"""Gzip for static files (CSS, JavaScript, SVG), so a phone on a poor signal downloads less.

Only files under /static/ are compressed: they hold nothing secret. Pages and API answers are
not, because compressing a secret (the CSRF token, personal data) next to text someone else can
influence leaks it through the compressed length, even over TLS (the BREACH attack). Each file
is compressed once and kept in memory; a reverse proxy that compresses may do it instead.
"""

from __future__ import annotations

import gzip

from flask import Response, request

COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml"}
SMALLEST = 1024  # bytes; below this, gzip's own overhead is not worth it
_compressed: dict[tuple[str, str], bytes] = {}


def compress_static(response: Response) -> Response:
    """Gzip a static file's answer when the browser accepts gzip."""
    if (
        request.method != "GET"
        or not request.path.startswith("/static/")
        or response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or not request.accept_encodings["gzip"]
    ):
        return response
    etag, weak = response.get_etag()
    file = response.response
    response.direct_passthrough = False
    body = response.get_data()
    if hasattr(file, "close"):
        file.close()  # send_file's open file is read now: close it, not the garbage collector
    if len(body) < SMALLEST:
        return response
    key = (request.path, etag or "")
    if key not in _compressed:
        if len(_compressed) > 200:  # files are rebuilt during development: forget old ones
            _compressed.clear()
        _compressed[key] = gzip.compress(body, compresslevel=9, mtime=0)
    response.set_data(_compressed[key])
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if etag:
        # Another representation of the same file: a weak validator, as nginx does, so that
        # revalidation still answers 304 Not Modified.
        response.set_etag(etag, weak=True)
    return response
