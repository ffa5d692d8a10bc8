"""Attendance: each socket's arrival and departure, logged for analytics, never sent.

The consumer calls these as a socket joins and leaves; the rows
(``joined``, ``left`` with the close code) are what "who attended, and for
how long" is computed from (see docs/protocol.md, "Event log").
"""

from __future__ import annotations

from realtime import broadcast
from realtime.events import JoinedEvent, LeftEvent
from realtime.roles import Role


async def log_joined(
    session_id: int, *, participant: str, role: Role, name: str, connection: str
) -> None:
    """One socket joined the session."""
    await broadcast.log_only(
        session_id,
        JoinedEvent(
            type="joined", participant=participant, role=role, name=name, connection=connection
        ),
        actor=participant,
    )


async def log_left(
    session_id: int, *, participant: str, role: Role, connection: str, code: int
) -> None:
    """That socket left, with its close code (4408: too slow, ...)."""
    await broadcast.log_only(
        session_id,
        LeftEvent(
            type="left", participant=participant, role=role, connection=connection, code=code
        ),
        actor=participant,
    )
