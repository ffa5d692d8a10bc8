"""The snapshot a client gets on connect and on resync (see docs/protocol.md).

Live values come from the state store, durable ones (session, agenda,
annotations, slide descriptor) from the database in one worker-thread call.
Other apps add top-level values through ``register_snapshot_hook``; the
quizzes app fills ``question`` that way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from django.db import close_old_connections

from realtime.connection import Connection
from realtime.events import (
    PROTOCOL_VERSION,
    AgendaEntry,
    Identity,
    RosterEntry,
    SessionInfo,
    SlideView,
    SnapshotEvent,
    Spotlight,
    View,
)
from realtime.presence import counts, get_presence, roster
from realtime.state import LiveState, get_store

SnapshotHook = Callable[[Connection, LiveState], Awaitable[Any]]
_hooks: dict[str, SnapshotHook] = {}

# A class joining at once (hundreds of snapshots within a second) shares one
# database read: durable parts are reused while the session's seq has not
# moved (every durable change is a sequenced event) and for at most
# DURABLE_TTL seconds (agenda edits in the admin emit nothing).
DURABLE_TTL = 2.0
ROSTER_TTL = 0.5
_durable_cache: dict[tuple[int, int | None, bool], tuple[int, float, dict[str, Any]]] = {}
_roster_cache: dict[int, tuple[float, list[RosterEntry]]] = {}


def clear_caches() -> None:
    _durable_cache.clear()
    _roster_cache.clear()


async def _durable_parts(conn: Connection, state: LiveState) -> dict[str, Any]:
    key = (conn.session_id, state.get("slide_id"), conn.is_staff)
    now = time.monotonic()
    hit = _durable_cache.get(key)
    if hit is not None and hit[0] == state.seq and now - hit[1] < DURABLE_TTL:
        return hit[2]
    data: dict[str, Any] = await database_sync_to_async(_durable)(*key)
    if len(_durable_cache) > 1000:
        _durable_cache.clear()
    _durable_cache[key] = (state.seq, now, data)
    return data


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


def register_snapshot_hook(name: str, hook: SnapshotHook) -> None:
    """Fill snapshot field ``name`` (today only ``question``) from another app."""
    if name != "question":
        raise ValueError(f"snapshot field {name!r} is not extensible; add it to SnapshotEvent")
    _hooks[name] = hook


def _durable(session_id: int, slide_id: int | None, staff: bool) -> dict[str, Any]:
    from classroom.actions import annotation_shape, saved_view, slide_descriptor
    from classroom.models import Annotation, LiveSession

    close_old_connections()
    session = LiveSession.objects.select_related("current_slide").get(pk=session_id)
    if slide_id is None and session.current_slide is not None:
        slide_id = session.current_slide_id
    agenda = []
    for i, item in enumerate(session.agenda.select_related("slide").order_by("position", "id")):
        view = saved_view(item)  # an invalid saved view is logged and left out
        agenda.append(
            AgendaEntry(
                index=i,
                slide_id=item.slide_id,
                title=item.slide.title,
                view=View(**view) if view is not None else None,
                notes=item.notes if staff else None,
            )
        )
    descriptor = None
    annotations = []
    if slide_id is not None:
        from slides.models import Slide

        slide = Slide.objects.filter(pk=slide_id).first()
        if slide is not None:
            descriptor = slide_descriptor(slide)
            annotations = [
                annotation_shape(a)
                for a in Annotation.objects.filter(session_id=session_id, slide_id=slide_id)
            ]
    return {
        "session": SessionInfo(id=session.pk, title=session.title, state=session.state),  # type: ignore[arg-type]
        "agenda": agenda,
        "slide": descriptor,
        "slide_id": slide_id,
        "agenda_index": session.current_item,
        "annotations": annotations,
    }


async def build_snapshot(conn: Connection) -> tuple[str, int]:
    """The snapshot frame text for one connection and the seq it covers."""
    state = await get_store().get(conn.session_id)
    durable = await _durable_parts(conn, state)
    rows = await _roster(conn.session_id)
    viewport = state.get("viewport")
    spotlight = state.get("spotlight")
    question = None
    if "question" in _hooks:
        question = await _hooks["question"](conn, state)
    agenda_index = state.get("agenda_index") if "slide_id" in state.values else None
    event = SnapshotEvent(
        type="snapshot",
        protocol=PROTOCOL_VERSION,
        you=Identity(participant=conn.participant, role=conn.role, name=conn.name),  # type: ignore[arg-type]
        session=durable["session"],
        slide=durable["slide"],
        agenda_index=agenda_index if agenda_index is not None else durable["agenda_index"],
        agenda=durable["agenda"],
        viewport=SlideView(**viewport) if viewport else None,
        annotations=durable["annotations"],
        locked=bool(state.get("locked", False)),
        spotlight=Spotlight(**spotlight) if spotlight else None,
        question=question,
        counts=counts(rows),
        roster=rows if conn.is_staff else None,
        last_seq=state.seq,
    )
    payload = event.model_dump(mode="json", exclude={"seq"})
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False), state.seq
