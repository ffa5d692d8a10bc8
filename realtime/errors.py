"""The one refusal error of every app (see docs/protocol.md, "Errors").

A service that refuses a request raises a ``Refusal`` (or a subclass:
``classroom``'s ``ActionError``, ``quizzes``' ``QuizError``). The websocket
consumer turns it into an ``error`` frame with ``code`` and ``message``; an
HTTP view into ``{"error": message}`` with ``status``. Lower layers catch
this class and never need to know the higher apps' subclasses.
"""

from __future__ import annotations

from typing import Any

# The HTTP status of each code a view may answer with; 400 otherwise.
STATUS: dict[str, int] = {
    "invalid": 400,
    "out_of_range": 400,
    "not_found": 404,
    "forbidden": 403,
    "not_participant": 403,
    "closed": 409,
    "late": 409,
    "already_answered": 409,
    "not_open_yet": 409,
    "conflict": 409,
    "session_ended": 409,
    "locked": 409,
    "wrong_slide": 409,
    "rate_limited": 429,
}


class Refusal(Exception):
    """A refused request: ``code`` for machines, ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        """The HTTP status a view answers with."""
        return STATUS.get(self.code, 400)

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.message, "code": self.code}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Refusal) and (type(self), self.code, self.message) == (
            type(other),
            other.code,
            other.message,
        )

    def __hash__(self) -> int:
        return hash((type(self), self.code, self.message))


class SessionGone(Refusal):
    """The session was deleted (while a socket connected, or during a command)."""

    def __init__(self, message: str = "this session no longer exists") -> None:
        super().__init__("not_found", message)
