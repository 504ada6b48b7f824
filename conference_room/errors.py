"""Domain errors, and how each becomes an HTTP answer or a socket acknowledgement."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Something the person asking must be told, in a sentence they can act on."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict[str, Any]:
        """Return the contract's error object."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return error


class Invalid(DomainError):
    """The input breaks a rule; nothing was changed."""

    status = 400
    code = "invalid"


class Unauthorized(DomainError):
    """The person is not signed in, or the credentials are wrong."""

    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    """The person's role may not do this."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """There is no such thing, or the person may not know it exists."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The thing is in a state that does not allow this (closed, revealed...)."""

    status = 409
    code = "conflict"


class Gone(DomainError):
    """The thing existed but no longer works (a withdrawn invitation, a closed conference)."""

    status = 410
    code = "gone"


class TooManyRequests(DomainError):
    """Too many attempts; try again later."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def ack_error(error: DomainError) -> dict[str, Any]:
    """Return the socket acknowledgement for ``error``."""
    return {"ok": False, "error": error.as_dict()}
