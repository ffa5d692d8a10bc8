"""Small value types shared by the quiz services (see docs/quizzes.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from classroom.models import Guest
from realtime.errors import Refusal

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


class QuizError(Refusal):
    """A refused quiz request: ``code`` for machines, ``message`` for people.

    ``status`` (the HTTP status a view answers with) and ``as_dict`` come from
    ``realtime.errors.Refusal``, which the websocket consumer turns into an
    ``error`` frame.
    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(code, message)
        self.code: ErrorCode = code


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
