"""Who may open a session's socket, answered by the app that owns sessions.

Realtime knows participants, not courses: the consumer asks ``admit`` who is
connecting, and the answer comes from the function the classroom registers
from ``ClassroomConfig.ready`` (classroom/admission.py). It runs in a worker
thread and returns an ``Admission`` or the close code refusing the socket
(docs/protocol.md, "Connecting").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from realtime.roles import Role

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


@dataclass(frozen=True)
class Admission:
    participant: str  # "u:<user id>" or "g:<guest id>"
    role: Role
    name: str
    user_id: int | None
    guest_id: int | None


# (session id, the scope's user or None, the ?guest= token or None) -> admission or close code
Admit = Callable[[int, Any, str | None], Admission | int]
_admit: Admit | None = None


def register_admission(admit_fn: Admit) -> None:
    global _admit
    _admit = admit_fn


def admit(session_id: int, user: Any, guest_token: str | None) -> Admission | int:
    """Synchronous (the ORM): call it from a worker thread."""
    if _admit is None:  # no app owns sessions: nobody gets in
        return CLOSE_NOT_FOUND
    return _admit(session_id, user, guest_token)
