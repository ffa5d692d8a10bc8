"""The snapshot a client gets on connect and on resync (see docs/protocol.md).

Realtime fills the core (who you are, presence counts, the staff's roster,
the seq it covers); the apps add their parts through
``register_snapshot_part`` from ``AppConfig.ready``: the classroom its
session, slide, agenda, view, annotations, lock and spotlight
(classroom/snapshot.py), the quizzes the question on screen (quizzes/ws.py). The registered
``snapshot`` frame model is the core plus every part, so tests and the
browser client's types see one complete shape.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import create_model

from realtime.connection import Connection
from realtime.events import (
    PROTOCOL_VERSION,
    Identity,
    RosterEntry,
    SnapshotCore,
    register_event,
)
from realtime.presence import counts, get_presence, roster
from realtime.state import LiveState, get_store

Provider = Callable[[Connection, LiveState], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True)
class SnapshotPart:
    name: str
    fields: Mapping[str, Any]  # field name -> type
    provide: Provider


_parts: dict[str, SnapshotPart] = {}
_model: type[SnapshotCore] = SnapshotCore

# A class joining at once shares one roster read.
ROSTER_TTL = 0.5
_roster_cache: dict[int, tuple[float, list[RosterEntry]]] = {}


def register_snapshot_part(name: str, fields: Mapping[str, Any], provide: Provider) -> None:
    """Add ``fields`` (name -> type), filled by ``provide(conn, state)``, to every snapshot.

    Registering a part again under the same name replaces it.
    """
    global _model
    clash = set(fields) & (set(SnapshotCore.model_fields) | _other_fields(name))
    if clash:
        raise ValueError(f"snapshot fields {sorted(clash)} are already declared")
    _parts[name] = SnapshotPart(name, dict(fields), provide)
    definitions: dict[str, Any] = {
        field: (annotation, ...)
        for part in _parts.values()
        for field, annotation in part.fields.items()
    }
    _model = create_model("SnapshotEvent", __base__=SnapshotCore, **definitions)
    register_event(_model, sequenced=False, logged=False, replace=True)


def _other_fields(name: str) -> set[str]:
    return {f for part in _parts.values() if part.name != name for f in part.fields}


def snapshot_model() -> type[SnapshotCore]:
    """The complete ``snapshot`` frame model (the core and every registered part)."""
    return _model


def clear_caches() -> None:
    _roster_cache.clear()


async def _roster(session_id: int) -> list[RosterEntry]:
    now = time.monotonic()
    hit = _roster_cache.get(session_id)
    if hit is not None and now - hit[0] < ROSTER_TTL:
        return hit[1]
    rows = roster(await get_presence().entries(session_id))
    if len(_roster_cache) > 1000:
        _roster_cache.clear()
    _roster_cache[session_id] = (now, rows)
    return rows


async def build_snapshot(conn: Connection) -> tuple[str, int]:
    """The snapshot frame text for one connection and the seq it covers."""
    state = await get_store().get(conn.session_id)
    rows = await _roster(conn.session_id)
    values: dict[str, Any] = {
        "type": "snapshot",
        "protocol": PROTOCOL_VERSION,
        "you": Identity(participant=conn.participant, role=conn.role, name=conn.name),
        "counts": counts(rows),
        "roster": rows if conn.is_staff else None,
        "last_seq": state.seq,
    }
    for part in _parts.values():
        values.update(await part.provide(conn, state))
    event = _model.model_validate(values)
    payload = event.model_dump(mode="json", exclude={"seq"})
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False), state.seq
