"""Who takes part in a live session, declared once (see docs/protocol.md).

A participant's role decides which frames they may send and which audiences
they belong to. Course members take their role from their membership
(``classroom.models.Membership.Role`` uses these values); a session's guests
are ``guest`` and have a student's rights.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["teacher", "assistant", "student", "guest"]
ROLES: tuple[Role, ...] = get_args(Role)

TEACHER: frozenset[str] = frozenset({"teacher"})
STAFF: frozenset[str] = frozenset({"teacher", "assistant"})
STUDENTS: frozenset[str] = frozenset({"student", "guest"})
EVERYONE: frozenset[str] = STAFF | STUDENTS


def is_staff(role: str) -> bool:
    return role in STAFF
