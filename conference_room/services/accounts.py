"""Staff accounts: creating them, signing in, lockout after repeated failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import Field
from sqlite_utils import Database

from .. import audit, clock, queries
from ..access import SYSTEM, Actor, user_actor
from ..concurrency import run_in_process
from ..db import transaction
from ..errors import Invalid, TooManyRequests, Unauthorized
from ..schemas import Payload, parse

HASHER = PasswordHasher()  # Argon2id with the library's recommended parameters
MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
# Verified when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = HASHER.hash("not a real password, only for timing")
WRONG_LOGIN = "The email address or password is not right. Check both and try again."


class NewUser(Payload):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(min_length=1, max_length=200)
    role: Literal["admin", "chair", "minute_taker"]
    password: str = Field(min_length=MIN_PASSWORD, max_length=1024)


class Credentials(Payload):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


def hash_password(password: str) -> str:
    """Return the Argon2id hash of ``password``, computed off the live path."""
    return run_in_process(argon2_hash, password)


def argon2_hash(password: str) -> str:
    """Return the Argon2id hash of ``password`` (run in a helper process by the server)."""
    return HASHER.hash(password)


def argon2_matches(stored: str, password: str) -> bool:
    """Return whether ``password`` matches the ``stored`` hash (run in a helper process)."""
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _verify(stored: str, password: str) -> bool:
    return run_in_process(argon2_matches, stored, password)


def create_user(db: Database, council_id: int, data: dict, actor: Actor = SYSTEM) -> dict:
    """Create a staff account and return it (without the hash)."""
    new = parse(NewUser, data)
    if queries.user_by_email(db, new.email):
        raise Invalid("email: there is already an account with that email address.", field="email")
    password_hash = hash_password(new.password)
    with transaction(db) as tx:
        user_id = queries.insert_user(
            tx.db,
            {
                "council_id": council_id,
                "email": new.email,
                "name": new.name,
                "role": new.role,
                "password_hash": password_hash,
                "created_at": clock.stamp(),
            },
        )
        audit.record(tx, actor, "user.create", None, {"user_id": user_id, "role": new.role})
    return public_user(queries.user(db, user_id))


def public_user(user: dict) -> dict:
    """Return the fields of a user that may leave the server."""
    return {"id": user["id"], "name": user["name"], "role": user["role"]}


def sign_in(db: Database, data: dict) -> dict:
    """Check credentials and return the user; count failures and lock after too many."""
    creds = parse(Credentials, data)
    user = queries.user_by_email(db, creds.email)
    if user is None or not user["active"]:
        _verify(_DUMMY_HASH, creds.password)
        raise Unauthorized(WRONG_LOGIN)
    now = clock.now()
    if user["locked_until"] and user["locked_until"] > clock.stamp(now):
        wait = int((clock.parse(user["locked_until"]) - now).total_seconds()) + 1
        raise TooManyRequests(
            f"Too many wrong attempts. Try again in {wait} seconds, or ask an admin.",
            retry_after=wait,
        )
    if not _verify(user["password_hash"], creds.password):
        failures = user["failed_logins"] + 1
        values: dict = {"failed_logins": failures}
        if failures >= MAX_FAILURES:
            values = {"failed_logins": 0, "locked_until": clock.stamp(now + LOCKOUT)}
        with transaction(db) as tx:
            queries.update_user(tx.db, user["id"], values)
            audit.record(tx, user_actor(user), "session.failed", None, {"failures": failures})
        raise Unauthorized(WRONG_LOGIN)
    with transaction(db) as tx:
        queries.update_user(tx.db, user["id"], {"failed_logins": 0, "locked_until": None})
        audit.record(tx, user_actor(user), "session.create")
    return user


def current_user(db: Database, user_id: int | None) -> dict | None:
    """Return the active user with ``user_id``, or None."""
    if user_id is None:
        return None
    user = queries.user(db, user_id)
    return user if user and user["active"] else None
