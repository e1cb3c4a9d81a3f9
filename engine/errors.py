"""Domain errors: each carries a stable snake_case code that the web layer maps to a status.

The engine raises these and never aborts a request itself; webapp/errors.py holds the one
class-to-HTTP-status map, so an API client and a page see the same code and message.
"""

from __future__ import annotations

from typing import Any


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention extractors look for
    """Mark an English msgid for extraction (`pybabel -k N_`); pages translate it later.

    The one marker for the whole code base: the engine cannot import the web layer's
    gettext, and msgids written here are translated where they are shown.
    """
    return msgid


class DomainError(Exception):
    """Base of every error a user can cause; never used for programming mistakes."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details if details is not None else {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFoundError(DomainError):
    code = "not_found"
    status = 404


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    status = 403


class AuthenticationError(DomainError):
    code = "unauthenticated"
    status = 401


class ConflictError(DomainError):
    code = "conflict"
    status = 409


class InvalidInputError(DomainError):
    """Submitted data failed validation; details maps each field to its problems."""

    code = "invalid_input"
    status = 400


class InvalidDiagramError(DomainError):
    """A diagram was refused at deploy; details is a list of {element_id, message}."""

    code = "invalid_diagram"
    status = 400


class PayloadTooLargeError(DomainError):
    code = "payload_too_large"
    status = 413


class UnsupportedMediaTypeError(DomainError):
    """Content of a kind the endpoint does not take (a PDF sent as a SIRUP list, a form
    body where JSON is expected)."""

    code = "unsupported_media_type"
    status = 415


class StateFormatError(DomainError):
    """Stored workflow state this release cannot read (an unknown format, a broken part)."""

    code = "state_format_unknown"
    status = 409


class DiagramRunError(DomainError):
    """The deployed diagram cannot go on with this run's data: a loop that would make more
    copies than allowed, more automatic steps in one go than allowed, a timer value that is
    no valid time. The step is rolled back whole; sending the same again fails the same way,
    so it is neither a field's 400 nor a race's 409 but 422, and the message says why."""

    code = "diagram_run_error"
    status = 422
