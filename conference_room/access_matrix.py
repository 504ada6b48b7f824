"""Who may do what: one table of every HTTP route, Socket.IO event and export, by role.

The code that enforces the rules lives beside each use case (``services/``, the view guards);
this table states them in one place so a test can call every cell and the README can print
them. ``tests/test_access_matrix.py`` calls each route and event as each role and fails when
the answer disagrees, or when a route in ``app.url_map`` or an event in ``realtime.EVENTS`` has
no row here. Adding a row is one line: ``"METHOD /rule": "roles who may",`` (an export with a
query string, e.g. ``"GET /api/v1/conferences/<int:conference_id>/export?audience=family"``,
is a row of its own). ``python -m conference_room.access_matrix`` prints the README's table.

"Allowed" means the server lets the person try (the answer may still be a 400 for a bad body
or a 409 for the wrong moment); "refused" means 401 or 403 (404 for a conference or link the
person may not know exists), a page that sends them to sign in or to join, or for a socket a
refused connection or an error acknowledgement saying so.
"""

from __future__ import annotations

# role: who the test plays, as the README's column heading explains it
ROLES: dict[str, str] = {
    "anonymous": "nobody signed in, no attendee cookie",
    "admin": "the council's admin",
    "chair": "a chair of the conference's council",
    "minute_taker": "a minute-taker of the conference's council",
    "other_chair": "a chair of another council",
    "professional": "a professional admitted to this conference",
    "family": "a family member admitted to this conference",
    "other_family": "a family member admitted to another conference of the same council",
    "waiting": "someone who joined this conference and has not been let in",
    "removed": "someone the chair removed (or turned away)",
    "invitee": "someone holding a report link (/r/<token>) and no cookie",
}

EVERYONE = " ".join(ROLES)
STAFF = "admin chair minute_taker"  # staff of the conference's council
ANY_STAFF = STAFF + " other_chair"  # council-wide: any signed-in staff, for their own council
PLANNERS = "admin chair"  # set up and run a conference (an admin may stand in for the chair)
PLANNERS_ANYWHERE = PLANNERS + " other_chair"  # create one in their own council
ROOM = STAFF + " professional family"  # staff and admitted attendees
LINK = "invitee"  # the report link is the credential

HTTP: dict[str, str] = {
    # pages
    "GET /": ANY_STAFF,
    "GET /login": EVERYONE,
    "POST /login": EVERYONE,
    "POST /logout": EVERYONE,
    "GET /admin/settings": "admin",
    "POST /admin/settings": "admin",
    "GET /conferences/new": PLANNERS_ANYWHERE,
    "POST /conferences/new": PLANNERS_ANYWHERE,
    "GET /conferences/<int:conference_id>/edit": PLANNERS,
    "POST /conferences/<int:conference_id>/edit": PLANNERS,
    "GET /conferences/<int:conference_id>/invitations": PLANNERS,
    "POST /conferences/<int:conference_id>/invitations": PLANNERS,
    "GET /j": EVERYONE,
    "POST /j": EVERYONE,
    "GET /j/<code>": EVERYONE,
    "POST /j/<code>": EVERYONE,
    # Staff are sent on to their own page: the console, or the minutes for a minute-taker.
    "GET /c/<int:conference_id>": "admin chair minute_taker professional family waiting",
    "GET /c/<int:conference_id>/chair": PLANNERS,
    "GET /c/<int:conference_id>/screen": PLANNERS,
    "GET /c/<int:conference_id>/minutes": STAFF,
    "GET /c/<int:conference_id>/qr.svg": STAFF,
    "GET /r/<token>": LINK,
    "PUT /r/<token>/draft": LINK,
    "POST /r/<token>/draft": LINK,
    "POST /r/<token>/preview": LINK,
    "POST /r/<token>/submit": LINK,
    "GET /healthz": EVERYONE,
    "GET /static/<path:filename>": EVERYONE,
    # Socket.IO's own path (answered by its middleware, never by a page): anyone may ask; the
    # connection itself is refused unless the cookie is staff's or a live attendee's (EVENTS).
    "GET /socket.io/": EVERYONE,
    # the JSON API
    "GET /api/v1/openapi.json": EVERYONE,
    "POST /api/v1/session": EVERYONE,
    "GET /api/v1/session": ANY_STAFF,
    "DELETE /api/v1/session": ANY_STAFF,
    "GET /api/v1/settings": ANY_STAFF,
    "PATCH /api/v1/settings": "admin",
    "GET /api/v1/templates": ANY_STAFF,
    "POST /api/v1/templates": "admin",
    "POST /api/v1/conferences": PLANNERS_ANYWHERE,
    "GET /api/v1/conferences/<int:conference_id>": ROOM,
    "PATCH /api/v1/conferences/<int:conference_id>": PLANNERS,
    "POST /api/v1/conferences/<int:conference_id>/reports": STAFF,
    "GET /api/v1/conferences/<int:conference_id>/reports": ROOM,
    "GET /api/v1/conferences/<int:conference_id>/reports/<int:report_id>": ROOM,
    "POST /api/v1/conferences/<int:conference_id>/invitations": PLANNERS,
    "GET /api/v1/conferences/<int:conference_id>/invitations": STAFF,
    "DELETE /api/v1/conferences/<int:conference_id>/invitations/<int:invitation_id>": PLANNERS,
    "POST /api/v1/conferences/<int:conference_id>/invitations/<int:invitation_id>/link": PLANNERS,
    "POST /api/v1/join": EVERYONE,
    "POST /api/v1/conferences/<int:conference_id>/participants": PLANNERS,
    "POST /api/v1/conferences/<int:conference_id>/participants/<int:participant_id>/admit": (
        PLANNERS
    ),
    "POST /api/v1/conferences/<int:conference_id>/participants/<int:participant_id>/remove": (
        PLANNERS
    ),
    "POST /api/v1/conferences/<int:conference_id>/participants/<int:participant_id>/turn_away": (
        PLANNERS
    ),
    "POST /api/v1/conferences/<int:conference_id>/apologies": PLANNERS,
    "POST /api/v1/conferences/<int:conference_id>/corrections": PLANNERS,
    # exports: one row per audience (attendees get 403, strangers 401, another council 404)
    "GET /api/v1/conferences/<int:conference_id>/export"
    "?format=md&audience=full&document=record": STAFF,
    "GET /api/v1/conferences/<int:conference_id>/export"
    "?format=docx&audience=family&document=decision": STAFF,
}

# Socket.IO client events (realtime.EVENTS). Every event but conference.join acts on the
# conference the socket joined; a socket without a working cookie cannot connect at all.
EVENTS: dict[str, str] = {
    "conference.join": ROOM,
    "stage.set": PLANNERS,
    "closed_session.start": PLANNERS,
    "closed_session.end": PLANNERS,
    "statement.read": PLANNERS,
    "scale.open": PLANNERS,
    "scale.submit": ROOM,  # staff only on someone's behalf (on_behalf_of)
    "scale.close": PLANNERS,
    "scale.reveal": PLANNERS,
    "action.draft": STAFF,
    "action.add": STAFF,
    "action.update": STAFF,
    "action.remove": STAFF,
    "action.accept": STAFF,
    "action.reorder": STAFF,
    "action.progress": STAFF,  # at a review: how each action of the last plan went
    "scale.trend": PLANNERS,  # at a review: show the last conference's scores beside these
    "recommendation.submit": PLANNERS + " professional",  # the chair on a professional's behalf
    "decision.record": PLANNERS,
    "dissent.record": "professional",
    "note.add": STAFF,
    "conference.close": PLANNERS,
}


def allowed_roles(action: str) -> set[str]:
    """Return the roles that may do ``action`` (an HTTP row or an event name)."""
    table = EVENTS if action in EVENTS else HTTP
    roles = set(table[action].split())
    unknown = roles - set(ROLES)
    if unknown:
        raise ValueError(f"{action}: unknown role(s) {sorted(unknown)}")
    return roles


def allowed(action: str, role: str) -> bool:
    """Return whether ``role`` may do ``action``."""
    return role in allowed_roles(action)


def markdown() -> str:
    """Return the table for the README: one row per route or event, one column per role."""
    columns = list(ROLES)
    head = "| route or event | " + " | ".join(c.replace("_", " ") for c in columns) + " |"
    rule = "| --- |" + " :-: |" * len(columns)
    lines = [head, rule]
    for table, label in ((HTTP, "`{}`"), (EVENTS, "event `{}`")):
        for action in table:
            who = allowed_roles(action)
            cells = " | ".join("yes" if role in who else "–" for role in columns)
            lines.append(f"| {label.format(action)} | {cells} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
