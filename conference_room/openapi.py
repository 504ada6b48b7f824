"""The OpenAPI description of /api/v1, built from the routes themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from pydantic import BaseModel

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "A sentence a person can act on."},
                "field": {"type": "string"},
            },
        }
    },
}


def documented(
    summary: str,
    *,
    body: type[BaseModel] | dict | None = None,
    answer: type[BaseModel] | dict | None = None,
    status: int = 200,
    who: str = "",
    query: dict[str, list[str]] | None = None,
) -> Callable:
    """Attach the OpenAPI facts of a route to its view function."""

    def mark(view: Callable) -> Callable:
        view.cr_doc = {  # type: ignore[attr-defined]
            "summary": summary,
            "body": body,
            "answer": answer,
            "status": status,
            "who": who,
            "query": query or {},
        }
        return view

    return mark


def _schema(shape: type[BaseModel] | dict | None) -> dict:
    if shape is None:
        return {"type": "object"}
    if isinstance(shape, dict):
        return shape
    return shape.model_json_schema()


def _path(rule: str) -> str:
    path = rule
    for converter in ("int:", "string:", "path:"):
        path = path.replace("<" + converter, "<")
    return path.replace("<", "{").replace(">", "}")


def undocumented_routes(app: Flask) -> list[str]:
    """Return the /api/v1 rules that have no OpenAPI facts."""
    return [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        and not hasattr(app.view_functions[rule.endpoint], "cr_doc")
    ]


def build(app: Flask) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document for every /api/v1 route."""
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1"):
            continue
        doc = getattr(app.view_functions[rule.endpoint], "cr_doc", None)
        if doc is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict[str, Any] = {
                "summary": doc["summary"],
                "description": f"Who may call it: {doc['who']}." if doc["who"] else "",
                "parameters": [
                    {"name": arg, "in": "path", "required": True, "schema": {"type": "integer"}}
                    for arg in sorted(rule.arguments)
                ]
                + [
                    {"name": name, "in": "query", "schema": {"type": "string", "enum": values}}
                    for name, values in doc["query"].items()
                ],
                "responses": {
                    str(doc["status"]): {
                        "description": "Success",
                        "content": {"application/json": {"schema": _schema(doc["answer"])}},
                    },
                    "4XX": {
                        "description": "The request was refused; nothing changed.",
                        "content": {"application/json": {"schema": ERROR_SCHEMA}},
                    },
                },
            }
            if doc["body"] is not None and method in ("POST", "PUT", "PATCH"):
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _schema(doc["body"])}},
                }
            paths.setdefault(_path(rule.rule), {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "conference_room", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "cookie": {"type": "apiKey", "in": "cookie", "name": "conference_room"}
            }
        },
    }
