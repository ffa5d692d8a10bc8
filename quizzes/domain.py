"""Small value types shared by the quiz services (see docs/quizzes.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from classroom.models import Guest

ErrorCode = Literal[
    "invalid",
    "not_found",
    "forbidden",
    "not_participant",
    "closed",
    "late",
    "already_answered",
    "not_open_yet",
    "conflict",
]

_STATUS: dict[ErrorCode, int] = {
    "invalid": 400,
    "not_found": 404,
    "forbidden": 403,
    "not_participant": 403,
    "closed": 409,
    "late": 409,
    "already_answered": 409,
    "not_open_yet": 409,
    "conflict": 409,
}


class QuizError(Exception):
    """A refused quiz request: ``code`` for machines, ``message`` for people."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message

    @property
    def status(self) -> int:
        """The HTTP status a view answers with."""
        return _STATUS[self.code]

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.message, "code": self.code}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QuizError) and (self.code, self.message) == (
            other.code,
            other.message,
        )

    def __hash__(self) -> int:
        return hash((self.code, self.message))


@dataclass(frozen=True)
class Participant:
    """Who answers: a course member (user) or a guest of one live session."""

    kind: Literal["user", "guest"]
    id: int

    @classmethod
    def for_user(cls, user: AbstractBaseUser | AnonymousUser) -> Participant:
        if not user.is_authenticated or user.pk is None:
            raise QuizError("not_participant", "log in or join the session as a guest")
        return cls("user", int(user.pk))

    @classmethod
    def for_guest(cls, guest: Guest) -> Participant:
        return cls("guest", guest.pk)

    @classmethod
    def from_key(cls, key: str) -> Participant:
        prefix, _, raw = key.partition(":")
        if prefix not in ("u", "g") or not raw.isdigit():
            raise ValueError(f"bad participant key {key!r}")
        return cls("user" if prefix == "u" else "guest", int(raw))

    @property
    def key(self) -> str:
        return f"{'u' if self.kind == 'user' else 'g'}:{self.id}"

    @property
    def user_id(self) -> int | None:
        return self.id if self.kind == "user" else None

    @property
    def guest_id(self) -> int | None:
        return self.id if self.kind == "guest" else None
