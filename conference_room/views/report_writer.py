"""The page where an invited professional writes their report, at /r/<token>.

The unguessable token in the address is the credential (no cookie, so no session CSRF token);
posts from another website are still refused by their Origin or Referer header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from .. import rate_limits, rendering
from ..db import get_db
from ..errors import DomainError, Forbidden, Invalid, NotFound, TooManyRequests
from ..services import report_writing
from .http import json_body

bp = Blueprint("report_writer", __name__, url_prefix="/r")

SAVED_MESSAGES = {
    "draft": "Your draft is saved. Nobody else can see it until you submit the report.",
    "submitted": "Your report has been sent. You can still change it until the conference starts.",
    "unchanged": "Nothing had changed since you last sent the report, so it stays as it was.",
}


def form_to_draft(form: MultiDict) -> dict:
    """Turn the posted form into the draft object the service takes."""
    shared = form.get("shared_with_family")
    return {
        "role": form.get("role", ""),
        "sections": {
            name.removeprefix("sections."): value
            for name, value in form.items()
            if name.startswith("sections.")
        },
        "restricted": form.get("restricted", ""),
        "shared_with_family": {"yes": True, "no": False}.get(shared or ""),
        "shared_on": form.get("shared_on") or None,
        "family_comments": form.get("family_comments", ""),
        "not_shared_reason": form.get("not_shared_reason", ""),
    }


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "null"


@bp.before_request
def same_origin_only():
    """Slow down guessing and flooding; refuse a write sent from another website."""
    rate_limits.check_failures("link")  # too many wrong links, here or everywhere: wait
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    sent = request.headers.get("Origin") or _origin(request.headers.get("Referer"))
    if sent is not None and sent != request.host_url.rstrip("/"):
        raise Forbidden(
            "This was sent from another website, so we did not accept it. Open your link again "
            "and write your report there.",
            code="cross_origin",
        )
    token = (request.view_args or {}).get("token")
    if token is not None:  # one link used for too many writes in a few minutes: slow it down
        rule = "link_previews" if request.endpoint == "report_writer.preview" else "link_writes"
        rate_limits.one_more_use(rule, token)
    return None


@bp.after_request
def referrer_policy(response):
    """Let the browser send our own Origin on the page's posts (never the link elsewhere)."""
    # The app-wide policy is no-referrer, under which browsers send "Origin: null" even on
    # same-origin posts; same-origin keeps the Origin check above useful and still never gives
    # the private link to another website.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.errorhandler(DomainError)
def refused(error: DomainError):
    """Answer a refused request as JSON for the page's script, else as a page."""
    if isinstance(error, NotFound):
        rate_limits.count_failure("link")  # a guessed link
    headers = {}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    if request.method == "PUT" or request.is_json:
        return jsonify({"error": error.as_dict()}), error.status, headers
    page = render_template("report_writer/unavailable.html", error=error, actor=None)
    return page, error.status, headers


def _page(
    writing: report_writing.Writing, form: dict, errors: list[tuple[str, str]], status: int = 200
):
    return render_template(
        "report_writer/write.html",
        actor=None,
        writing=writing,
        form=form,
        errors=errors,
        messages=dict(errors),
        saved=SAVED_MESSAGES.get(request.args.get("saved", "")),
        token=request.view_args["token"],
        markdown=rendering.render_markdown,
    ), status


def _problems(error: Invalid) -> list[tuple[str, str]]:
    return getattr(error, "problems", None) or [(error.field or "body", error.message)]


@bp.get("/<token>")
def page(token: str):
    """Show the report form, or the report read-only once the conference has started."""
    writing = report_writing.load_for_token(get_db(), token)
    return _page(writing, writing.form(), [])


@bp.put("/<token>/draft")
def autosave(token: str):
    """Save the whole form as a draft (the page's script calls this as the writer types)."""
    return jsonify(report_writing.save_draft(get_db(), token, json_body()))


@bp.post("/<token>/draft")
def save_draft(token: str):
    """Save the posted form as a draft (the "Save draft" button without the script)."""
    db = get_db()
    data = form_to_draft(request.form)
    try:
        report_writing.save_draft(db, token, data)
    except Invalid as error:
        return _page(report_writing.load_for_token(db, token), data, _problems(error), 400)
    return redirect(url_for(".page", token=token, saved="draft"), 303)


@bp.post("/<token>/submit")
def submit(token: str):
    """Send the report: a new version each time, until the conference starts."""
    db = get_db()
    if request.is_json:
        report, _changed = report_writing.submit(db, token, json_body())
        return jsonify(report)
    data = form_to_draft(request.form)
    try:
        _report, changed = report_writing.submit(db, token, data)
    except Invalid as error:
        return _page(report_writing.load_for_token(db, token), data, _problems(error), 400)
    saved = "submitted" if changed else "unchanged"
    return redirect(url_for(".page", token=token, saved=saved), 303)


@bp.post("/<token>/preview")
def preview(token: str):
    """Return one field's text as safe HTML, with plain-English suggestions."""
    return jsonify(report_writing.preview(get_db(), token, json_body()))
