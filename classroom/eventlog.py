"""Where the session event log is stored: ``SessionEvent`` rows (see realtime/eventlog.py).

Registered as the transport's event log sink from ``ClassroomConfig.ready``.
"""

from __future__ import annotations

from classroom.models import SessionEvent
from realtime.eventlog import PendingEvent


def write_events(batch: list[PendingEvent]) -> None:
    SessionEvent.objects.bulk_create(
        [
            SessionEvent(
                session_id=e.session_id,
                seq=e.seq,
                type=e.type,
                actor=e.actor,
                payload=e.payload,
                created_at=e.created_at,
            )
            for e in batch
        ],
        batch_size=500,
    )
