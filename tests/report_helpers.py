"""A professional with a private report link, for tests: opens the page, autosaves, submits."""

from __future__ import annotations

from urllib.parse import urlsplit

from conference_room import report_templates

TEMPLATES = {template.key: template for template in report_templates.built_in()}


def complete_report(template: str = "multi_agency", sections: dict | None = None, **changes):
    """Return a draft object that answers every required section and the sharing question.

    ``sections`` are added to (or replace) the required ones; other ``changes`` replace fields.
    """
    body = {
        "role": "Class teacher",
        "sections": {
            section.key: f"What I know about {section.title.lower()}"
            for section in TEMPLATES[template].sections
            if section.required
        },
        "restricted": "",
        "shared_with_family": True,
        "shared_on": "2026-11-20",
        "family_comments": "Mum agreed with most of it.",
        "not_shared_reason": "",
    }
    body["sections"].update(sections or {})
    body.update(changes)
    return body


def as_form(body: dict) -> dict:
    """Return the form fields the page posts for a draft object."""
    form = {f"sections.{key}": text for key, text in body.get("sections", {}).items()}
    for name in ("role", "restricted", "shared_on", "family_comments", "not_shared_reason"):
        form[name] = body.get(name) or ""
    if body.get("shared_with_family") is not None:
        form["shared_with_family"] = "yes" if body["shared_with_family"] else "no"
    return form


class Writer:
    """The invited professional's browser, holding only their link (no cookie of ours)."""

    def __init__(self, app, url: str):
        self.client = app.test_client()
        self.url = url
        self.path = urlsplit(url).path

    def page(self):
        return self.client.get(self.path)

    def text(self) -> str:
        return self.page().get_data(as_text=True)

    def autosave(self, body: dict, **kwargs):
        return self.client.put(self.path + "/draft", json=body, **kwargs)

    def save_form(self, body: dict, **kwargs):
        return self.client.post(self.path + "/draft", data=as_form(body), **kwargs)

    def submit_form(self, body: dict, **kwargs):
        return self.client.post(self.path + "/submit", data=as_form(body), **kwargs)

    def submit(self, body: dict, **kwargs):
        return self.client.post(self.path + "/submit", json=body, **kwargs)

    def preview(self, text: str, **kwargs):
        return self.client.post(self.path + "/preview", json={"text": text}, **kwargs)
