"""Socket.IO: the socketio object, who a socket is, rooms per conference and audience, pushes.

Rooms: ``c<id>:<audience>`` (staff, professional, family, screen) so restricted content is only
ever emitted to sockets that may see it, and ``p<participant id>`` for one person's phone. Each
socket is also in one feed room of its audience, which ``conference.changed`` goes to:
``c<id>:<audience>:whole`` (every push is the whole state) or ``c<id>:<audience>:parts`` (asked
for with ``"parts": true`` at ``conference.join``: a push holds what changed since the last).
Which sockets are connected (presence) is kept in this process's memory: it is a fact about
live connections, not meeting state, and each conference is served by one process.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, session
from flask.ctx import RequestContext
from flask_socketio import SocketIO, join_room, leave_room
from socketio import PubSubManager
from socketio.packet import Packet

from .access import Actor
from .changes import ConferenceChanged, ConferenceLocked, ParticipantStatusChanged
from .errors import DomainError, Invalid, NotFound, ack_error
from .schemas import check_shape

socketio = SocketIO()
log = logging.getLogger(__name__)

EVENTS: dict[str, Callable] = {}  # event name -> handler, for the README check and the matrix
SERVER_EVENTS = (
    "conference.state",
    "conference.changed",
    "conference.presence",
    "participant.status",
)


@dataclass
class Seat:
    """What this process knows about one connected socket."""

    conference_id: int
    audience: str
    participant_id: int | None
    parts: bool = False  # takes pushes of the changed parts only (see _changed_parts)


class JsonPacket(Packet):
    """A Socket.IO packet that never looks for binary attachments in what we send.

    python-socketio walks every value of every outgoing payload looking for bytes, building a
    list at each level: for a 6 KB state that cost more than encoding it (1.0 of 1.4 ms for the
    four states of one push). We send JSON only; bytes in a payload would make ``json.dumps``
    raise rather than go out unnoticed. Packets from clients are decoded as before.
    """

    @classmethod
    def data_is_binary(cls, data: Any) -> bool:
        return False


class _Seats(dict):
    """Seats by socket id, with an index by conference (``present`` runs on every push)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_conference: dict[int, dict[str, Seat]] = {}

    def __setitem__(self, sid: str, seat: Seat) -> None:
        self.pop(sid, None)
        super().__setitem__(sid, seat)
        self.by_conference.setdefault(seat.conference_id, {})[sid] = seat

    def pop(self, sid: str, default: Any = None) -> Any:
        seat = super().pop(sid, None)
        if seat is None:
            return default
        here = self.by_conference.get(seat.conference_id, {})
        here.pop(sid, None)
        if not here:
            self.by_conference.pop(seat.conference_id, None)
        return seat

    def clear(self) -> None:
        super().clear()
        self.by_conference.clear()


_seats = _Seats()
_attached = False  # whether register_handlers has run


SOCKETIO_PATH = "socket.io"  # Flask-SocketIO's default, where the pages' client connects


def _not_a_page() -> None:
    from flask import abort

    abort(404)


MATCH_KEY = "conference_room.url_match"  # where EventContext keeps an environ's route match


class EventContext(RequestContext):
    """A request context that matches its environ against the routes once.

    Flask-SocketIO handles every event of a socket inside a request context made from that
    socket's first request, the same environ each time. Matching it again for each event cost
    little but left a reference cycle behind (werkzeug's matcher is a recursive closure: 8
    objects an event) for the collector, whose passes stop every meeting on the server. The
    first match is kept in the environ; later events reuse it. A plain HTTP request has an
    environ of its own and is matched as before.
    """

    def match_request(self) -> None:
        kept = self.request.environ.get(MATCH_KEY)
        if kept is None:
            super().match_request()
            if self.request.routing_exception is None:
                match = (self.request.url_rule, dict(self.request.view_args or {}))
                self.request.environ[MATCH_KEY] = match
            return
        self.request.url_rule, view_args = kept
        self.request.view_args = dict(view_args)


class App(Flask):
    """The Flask app, with request contexts that match a Socket.IO environ once."""

    def request_context(self, environ: dict) -> RequestContext:
        return EventContext(self, environ)


def init_app(app) -> None:
    """Attach Socket.IO to ``app`` in the configured async mode."""
    register_handlers()
    # Flask-SocketIO handles each event inside a request context made from the socket's first
    # request, and pushing one matches its path against the app's routes. With no route for
    # Socket.IO's path, every event raised and kept a NotFound whose traceback holds the
    # context in a reference cycle: about 86 objects per event left for the cycle collector,
    # whose passes then stopped every meeting on the server for 10-200 ms at a time. These
    # routes only give that match something to find: the Socket.IO middleware answers the
    # path before Flask ever sees it.
    for websocket in (False, True):
        app.add_url_rule(
            f"/{SOCKETIO_PATH}/",
            endpoint=f"socketio_{'websocket' if websocket else 'polling'}",
            view_func=_not_a_page,
            websocket=websocket,
            strict_slashes=False,  # the test client asks for /socket.io
        )
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config.get("MESSAGE_QUEUE"),
        serializer=JsonPacket,
        path=SOCKETIO_PATH,
        # Only pages served by this app may open a socket (the default, stated for clarity).
        cors_allowed_origins=None,
        manage_session=False,
        ping_interval=10,
        ping_timeout=20,
    )


def room(conference_id: int, audience: str) -> str:
    """Return the room of one audience of one conference."""
    return f"c{conference_id}:{audience}"


def feed(conference_id: int, audience: str, parts: bool) -> str:
    """Return the room that gets one audience's ``conference.changed``, whole or in parts."""
    return f"{room(conference_id, audience)}:{'parts' if parts else 'whole'}"


def present(conference_id: int) -> set[int]:
    """Return the ids of participants with at least one socket connected to this process."""
    here = _seats.by_conference.get(conference_id, {})
    return {seat.participant_id for seat in list(here.values()) if seat.participant_id is not None}


def _db():
    from .db import get_db

    return get_db()


def socket_actor(db, conference_id: int) -> Actor:
    """Return who this socket is for ``conference_id``: staff, or that conference's attendee."""
    from . import sessions

    actor = sessions.current_actor(db, conference_id)
    if actor.kind == "anonymous":
        raise NotFound("There is no such conference, or you are not part of it.")
    return actor


def joined() -> tuple[Seat, Actor]:
    """Return this socket's seat and its actor now (status re-read), or refuse."""
    from .services import live

    seat = _seats.get(request.sid)
    if seat is None:
        raise Invalid("Join the conference first (conference.join).", code="not_joined")
    db = _db()
    actor = socket_actor(db, seat.conference_id)
    live.require_admitted(actor, seat.conference_id)
    return seat, actor


def event(name: str) -> Callable:
    """Register a client event: its handler gets (payload) and returns the ack's extra fields."""

    def register(handler: Callable[[dict], dict | None]) -> Callable:
        def run(payload: Any = None) -> dict:
            try:
                if payload is None:
                    payload = {}
                if not isinstance(payload, dict):
                    raise Invalid("Send the event's data as an object.")
                check_shape(payload)
                return {"ok": True, **(handler(payload) or {})}
            except DomainError as error:
                return ack_error(error)
            except Exception:
                log.exception("socket event %s failed", name)
                return {
                    "ok": False,
                    "error": {
                        "code": "server_error",
                        "message": "Something went wrong on our side. Please try again.",
                    },
                }

        socketio.on_event(name, run)
        EVENTS[name] = handler
        return handler

    return register


def _unknown_event(name: str, *args: Any) -> dict:
    return ack_error(Invalid(f"There is no event called {str(name)[:60]!r}.", code="unknown_event"))


def _on_connect(auth: Any = None) -> bool:
    from . import queries, sessions
    from .access import token_hash

    db = _db()
    if sessions.current_user_actor(db).is_staff:
        return True
    # An attendee whose token still works somewhere (removal and closing revoke tokens).
    tokens = (session.get("participants") or {}).values()
    return any(queries.participant_by_token_hash(db, token_hash(t)) for t in tokens)


def _on_disconnect(*_args: Any) -> None:
    seat = _seats.pop(request.sid, None)
    if seat and seat.participant_id is not None:
        _push_presence(seat.conference_id)


def _push_presence(conference_id: int) -> None:
    socketio.emit(
        "conference.presence",
        {"conference_id": conference_id, "present": sorted(present(conference_id))},
        to=room(conference_id, "staff"),
    )


def seat(
    conference_id: int, audience: str, participant_id: int | None, parts: bool = False
) -> None:
    """Put this socket in the rooms of its conference and audience (leaving any others)."""
    old = _seats.get(request.sid)
    if old:
        leave_room(room(old.conference_id, old.audience))
        leave_room(feed(old.conference_id, old.audience, old.parts))
        if old.participant_id is not None:
            leave_room(f"p{old.participant_id}")
    join_room(room(conference_id, audience))
    join_room(feed(conference_id, audience, parts))
    if participant_id is not None:
        join_room(f"p{participant_id}")
    _seats[request.sid] = Seat(conference_id, audience, participant_id, parts)
    sent = (_db().cr_path, conference_id, audience)
    if parts and sent in _last_sent:
        # Its snapshot may differ from the state the next push is worked out against (who was
        # present then, say): that audience's next push goes out whole.
        _whole_next.add(sent)
    if participant_id is not None:
        _push_presence(conference_id)


def wait_for_admission(conference_id: int, participant_id: int) -> None:
    """Let a waiting phone hear when the chair admits or turns it away."""
    join_room(f"p{participant_id}")
    _seats[request.sid] = Seat(conference_id, "waiting", participant_id)


# The newest version pushed to each (database, conference, audience) by this process.
_sent_versions: dict[tuple[str, int, str], int] = {}
# Conferences with changes not pushed yet: version -> what changed; one sender per conference.
_pending: dict[int, dict[int, str]] = {}
_sending: set[int] = set()

# What each kind of change can alter in a snapshot (presenters.PARTS). A push after changes of
# these kinds only rebuilds those parts and takes the others from the state it sent last; any
# other change (stage, participants, closed session, reports...) rebuilds everything.
PARTS_CHANGED_BY = {
    "scale": {"scale", "record"},  # rounds opened, closed, shown: a review's trend of them too
    "scale_answer": {"scale"},  # into an open round, which no trend shows
    "plan": {"record"},
    "decision": {"record"},
    "dissent": {"record"},
    "recommendations": {"record"},
    "notes": {"record"},
}
KEPT_STATES = 512  # (conference, audience) states remembered for that; the oldest go first


@dataclass
class _Sent:
    version: int
    present: frozenset[int]
    parts: dict[str, dict]
    state: dict


_last_sent: OrderedDict[tuple[str, int, str], _Sent] = OrderedDict()
# (database, conference, audience) whose next push goes out whole to the parts feed too.
_whole_next: set[tuple[str, int, str]] = set()
ALWAYS_SENT = ("version", "viewer")  # in every push of parts: the version, and {} as viewer


def _whole(state: dict) -> dict:
    """Return the ``conference.changed`` that carries the whole ``state``."""
    return {"version": state["version"], "state": state}


def _changed_parts(last: _Sent | None, state: dict, whole: bool) -> dict:
    """Return the ``conference.changed`` of the parts feed: what differs from ``last``.

    ``{"version", "since", "state"}``, where ``state`` holds the version, the viewer and each
    other top-level field whose value differs from the state pushed at ``since``. A client at
    version ``since`` applies it over what it has; any other asks for conference.join again.
    The whole state, without ``since``, when there is no such earlier push, when a socket joined
    since it, or when the fields themselves change (going to or from the holding screen).
    """
    if whole or last is None or last.state.keys() != state.keys():
        return _whole(state)
    changed = {
        name: value
        for name, value in state.items()
        if name in ALWAYS_SENT or (value is not last.state[name] and value != last.state[name])
    }
    return {"version": state["version"], "since": last.version, "state": changed}


# Changes this process committed and has not yet pushed to every audience: version -> what.
_known: dict[tuple[str, int], dict[int, str]] = {}


def _changes_since(since: int, version: int, known: dict[int, str]) -> set[str] | None:
    """Return the kinds of change after version ``since`` up to ``version``, or None.

    Every version between the two must be a change this process committed and knows the kind
    of (another process's change, or a bump made without a change, leaves a gap): else None.
    """
    if since >= version:
        return None
    kinds: set[str] = set()
    for between in range(since + 1, version + 1):
        what = known.get(between)
        if what is None:
            return None
        kinds.add(what)
    return kinds


def _reusable(last: _Sent | None, version: int, known: dict[int, str], here: frozenset) -> dict:
    """Return the parts of ``last`` still true at ``version``, given the changes in between."""
    kinds = _changes_since(last.version, version, known) if last is not None else None
    if last is None or kinds is None:
        return {}
    stale: set[str] = set()
    for what in kinds:
        if what not in PARTS_CHANGED_BY:
            return {}
        stale |= PARTS_CHANGED_BY[what]
    if last.present != here:
        stale.add("participants")
    return {name: part for name, part in last.parts.items() if name not in stale}


# (database, conference) -> the version and the scale's rows of the last push that built them.
_last_rows: OrderedDict[tuple[str, int], tuple[int, Any]] = OrderedDict()


def _rows_before(kept: tuple[int, Any] | None, version: int, known: dict[int, str]) -> Any:
    """Return the rows ``kept`` when every change since them is an answer this process
    committed (only the answers are then read again), else None."""
    if kept is not None and _changes_since(kept[0], version, known) == {"scale_answer"}:
        return kept[1]
    return None


def _broadcast_state(conference_id: int, changes: dict[int, str]) -> None:
    from . import presenters, queries
    from .db import read_cache, read_snapshot
    from .rules.visibility import AUDIENCES

    db = _db()
    whats = set(changes.values())
    known = _known.setdefault((db.cr_path, conference_id), {})
    known.update(changes)
    states = []
    shared: dict = {}  # parts alike for several audiences, built once (presenters.scale_view)
    rows_at = (db.cr_path, conference_id)
    # Another request (or process) may commit while this builds, so read every snapshot as of
    # one moment: the version and the closed-session switch then match what is shown with them.
    with read_snapshot(db), read_cache(db):
        conference = queries.conference(db, conference_id)
        if conference is None:  # purged
            _known.pop((db.cr_path, conference_id), None)
            _last_rows.pop(rows_at, None)
            return
        version = conference["version"]
        here = frozenset(present(conference_id))
        before = _rows_before(_last_rows.get(rows_at), version, known)
        if before is not None:
            shared[presenters.SCALE_ROWS_BEFORE_ANSWERS] = before
        for audience in AUDIENCES:
            if (
                audience == "family"
                and conference["closed_session"]
                and "closed_session" not in whats
            ):
                continue  # family phones hear nothing while a closed session lasts
            # A later commit may already be in this state: each version goes to each
            # audience once, even when that commit's own dispatch comes after.
            sent = (db.cr_path, conference_id, audience)
            if _sent_versions.get(sent, -1) >= version:
                continue
            _sent_versions[sent] = version
            last = _last_sent.get(sent)
            keep = _reusable(last, version, known, here)
            state, parts = presenters.snapshot_parts(
                db, conference, audience, present=here, keep=keep, shared=shared
            )
            in_parts = _changed_parts(last, state, sent in _whole_next)
            _whole_next.discard(sent)
            _last_sent[sent] = _Sent(version, here, parts, state)
            _last_sent.move_to_end(sent)
            states.append((audience, state, in_parts))
    if presenters.SCALE_ROWS in shared:
        _last_rows[rows_at] = (version, shared[presenters.SCALE_ROWS])
        _last_rows.move_to_end(rows_at)
        while len(_last_rows) > KEPT_STATES:
            _last_rows.popitem(last=False)
    while len(_last_sent) > KEPT_STATES:
        _whole_next.discard(_last_sent.popitem(last=False)[0])  # no last state: whole anyway
    mine = [_last_sent.get((db.cr_path, conference_id, audience)) for audience in AUDIENCES]
    oldest = min((s.version for s in mine if s is not None), default=version)
    # list(): under the threading mode (tests) another thread's push may add to it meanwhile.
    for seen in [v for v in list(known) if v <= oldest]:
        known.pop(seen, None)  # every remembered state is past it
    if not known:
        _known.pop((db.cr_path, conference_id), None)
    for audience, state, _ in states:
        whole = feed(conference_id, audience, parts=False)
        if _may_have_sockets(whole):
            socketio.emit("conference.changed", _whole(state), to=whole)
    for payload, rooms in _alike(
        [(in_parts, feed(conference_id, audience, parts=True)) for audience, _, in_parts in states]
    ):
        # One emit, encoded once, for audiences given the same push (often the family's
        # phones and the shared screen).
        socketio.emit("conference.changed", payload, to=rooms[0] if len(rooms) == 1 else rooms)


def _alike(pushes: list[tuple[dict, str]]) -> list[tuple[dict, list[str]]]:
    """Group (payload, room) pairs by equal payload, leaving out rooms nobody is in."""
    groups: list[tuple[dict, list[str]]] = []
    for payload, room in pushes:
        if not _may_have_sockets(room):
            continue
        for same, rooms in groups:
            if same == payload:
                rooms.append(room)
                break
        else:
            groups.append((payload, [room]))
    return groups


def _may_have_sockets(name: str) -> bool:
    """Whether an emit to room ``name`` may reach anyone (python-socketio encodes it anyway)."""
    manager = socketio.server.manager
    if isinstance(manager, PubSubManager):
        return True  # its sockets may be on another process
    return bool(manager.rooms.get("/", {}).get(name))


def _push(conference_id: int, changes: dict[int, str]) -> None:
    """Push committed ``changes``; a push that fails is logged, never raised to the writer.

    The change is committed, so whoever made it still gets its ok; the next push (or a phone's
    re-join) brings every viewer up to date.
    """
    try:
        _broadcast_state(conference_id, changes)
    except Exception:
        log.exception("pushing conference %s failed", conference_id)


def _send_pending(conference_id: int) -> None:
    # Changes committed while this sender was busy (its emits may wait on the Redis queue) go
    # out together as one newer state, so a busy conference costs one snapshot per push
    # rather than one per change.
    try:
        while (changes := _pending.pop(conference_id, None)) is not None:
            _push(conference_id, changes)
    finally:
        _sending.discard(conference_id)  # no switch since the check: nothing is left behind


def dispatch(changes: list) -> None:
    """Send each committed change to the viewers who may see it (called after COMMIT)."""
    from .concurrency import active_mode

    whats: dict[int, dict[int, str]] = {}
    for change in changes:
        if isinstance(change, ConferenceChanged):
            whats.setdefault(change.conference_id, {})[change.version] = change.what
    if active_mode() != "threading" and all(isinstance(c, ConferenceChanged) for c in changes):
        # Green modes: one sender per conference at a time. This request pushes now, before
        # its own answer goes back (a green thread started for it would wait its turn behind
        # every other ready one first); if another is already pushing this conference, it takes
        # these changes too.
        for conference_id, what in whats.items():
            _pending.setdefault(conference_id, {}).update(what)
            if conference_id not in _sending:
                _sending.add(conference_id)
                _send_pending(conference_id)
        return
    for conference_id, what in whats.items():
        _push(conference_id, {**_pending.pop(conference_id, {}), **what})
    for change in changes:
        if isinstance(change, ParticipantStatusChanged):
            socketio.emit(
                "participant.status", {"status": change.status}, to=f"p{change.participant_id}"
            )
            if change.status in ("removed", "turned_away"):
                _disconnect_participant(change.participant_id)
        elif isinstance(change, ConferenceLocked):
            for sid, seat_ in list(_seats.items()):
                if seat_.conference_id == change.conference_id and seat_.participant_id:
                    _seats.pop(sid, None)
                    socketio.server.disconnect(sid, namespace="/")


def _disconnect_participant(participant_id: int) -> None:
    for sid, seat_ in list(_seats.items()):
        if seat_.participant_id == participant_id:
            _seats.pop(sid, None)
            socketio.server.disconnect(sid, namespace="/")


def register_handlers() -> None:
    """Attach connection handlers and the client events (imports them once)."""
    global _attached
    # Not "are there events yet": importing events.py first (a test, a script) fills EVENTS,
    # and the connection check must still be attached, or any browser could open a socket.
    if _attached:
        return
    _attached = True
    socketio.on_event("connect", _on_connect)
    socketio.on_event("disconnect", _on_disconnect)
    socketio.on_event("*", _unknown_event)
    from . import events  # noqa: F401  (registers the client events)
