"""The classroom's part of every snapshot (see realtime/snapshot.py).

Live values (slide, view, lock, spotlight) come from the live state store;
durable ones (session, agenda, annotations, slide descriptor) from the
database in one worker-thread call. A class joining at once (hundreds of
snapshots within a second) shares that read: durable parts are reused while
the session's seq has not moved (every durable change is a sequenced event)
and for at most ``DURABLE_TTL`` seconds (agenda edits in the admin emit
nothing).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from channels.db import database_sync_to_async
from django.db import close_old_connections

from classroom.drawings import slide_drawings
from classroom.events import AgendaEntry, AnnotationShape, SessionInfo, Spotlight
from classroom.models import LiveSession
from classroom.viewports import SlideView
from realtime.connection import Connection
from realtime.errors import SessionGone
from realtime.snapshot import register_snapshot_part
from realtime.state import LiveState
from slides.descriptors import slide_descriptor
from slides.models import Slide

DURABLE_TTL = 2.0
_durable_cache: dict[tuple[int, int | None, bool], tuple[int, float, dict[str, Any]]] = {}

FIELDS: dict[str, Any] = {
    "session": SessionInfo,
    "slide": dict[str, Any] | None,  # slides.descriptors.slide_descriptor
    "agenda_index": int | None,
    "agenda": list[AgendaEntry],
    "viewport": SlideView | None,
    "annotations": list[AnnotationShape],
    "locked": bool,
    "spotlight": Spotlight | None,
}


def clear_cache() -> None:
    _durable_cache.clear()


def _durable(session_id: int, slide_id: int | None, staff: bool) -> dict[str, Any]:
    close_old_connections()
    session = LiveSession.objects.select_related("current_slide").filter(pk=session_id).first()
    if session is None:
        raise SessionGone()
    if slide_id is None and session.current_slide is not None:
        slide_id = session.current_slide_id
    agenda = []
    for i, item in enumerate(session.agenda.select_related("slide").order_by("position", "id")):
        agenda.append(
            AgendaEntry(
                index=i,
                slide_id=item.slide_id,
                title=item.slide.title,
                view=item.saved_view(),  # an invalid saved view is logged and left out
                notes=item.notes if staff else None,
            )
        )
    descriptor = None
    annotations = []
    if slide_id is not None:
        slide = Slide.objects.filter(pk=slide_id).first()
        if slide is not None:
            descriptor = slide_descriptor(slide)
            annotations = slide_drawings(session_id, slide_id)
    return {
        "session": SessionInfo(id=session.pk, title=session.title, state=session.state),  # type: ignore[arg-type]
        "agenda": agenda,
        "slide": descriptor,
        "agenda_index": session.current_item,
        "annotations": annotations,
    }


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


async def snapshot_part(conn: Connection, state: LiveState) -> Mapping[str, Any]:
    durable = await _durable_parts(conn, state)
    viewport = state.get("viewport")
    spotlight = state.get("spotlight")
    agenda_index = state.get("agenda_index") if "slide_id" in state.values else None
    return {
        "session": durable["session"],
        "slide": durable["slide"],
        "agenda_index": agenda_index if agenda_index is not None else durable["agenda_index"],
        "agenda": durable["agenda"],
        "viewport": SlideView(**viewport) if viewport else None,
        "annotations": durable["annotations"],
        "locked": bool(state.get("locked", False)),
        "spotlight": Spotlight(**spotlight) if spotlight else None,
    }


def register() -> None:
    register_snapshot_part("classroom", FIELDS, snapshot_part)
