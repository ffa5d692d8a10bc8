"""Command handlers: glue from a typed command to a classroom action.

Each handler receives the connection and the validated command, calls one
service in ``classroom.actions`` (database work in a worker thread via
``database_sync_to_async``) and raises ``ActionError`` for refusals, which the
consumer turns into an ``error`` frame. Registered with their roles and rate
limits at the bottom (see docs/protocol.md for the table).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.db import close_old_connections

from classroom import actions
from classroom.actions import ActionError
from classroom.models import LiveSession
from realtime import commands as c
from realtime import roles
from realtime.connection import Connection
from realtime.events import SlideView, Spotlight
from realtime.hub import local_hub
from realtime.presence import get_presence
from realtime.state import get_store

T = TypeVar("T")
STUDENT_VIEW_LOG_SECONDS = 1.0


def _in_thread(fn: Callable[..., T]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> T:
        close_old_connections()
        return fn(*args, **kwargs)

    wrapped: Callable[..., Any] = database_sync_to_async(run)
    return wrapped


def _session(session_id: int) -> LiveSession:
    return LiveSession.objects.select_related("course").get(pk=session_id)


@_in_thread
def _open_slide(conn: Connection, cmd: c.OpenSlide) -> None:
    session = _session(conn.session_id)
    slide = actions.check_session_slide(session, cmd.slide_id)
    view = cmd.view.model_dump() if cmd.view else None
    actions.do_open_slide(session, slide, view=view, actor=conn.participant)


@_in_thread
def _open_item(conn: Connection, cmd: c.OpenItem) -> None:
    actions.do_open_item(_session(conn.session_id), cmd.index, actor=conn.participant)


@_in_thread
def _create_annotation(conn: Connection, cmd: c.CreateAnnotation) -> None:
    session = _session(conn.session_id)
    slide = actions.check_session_slide(session, cmd.slide_id)
    a = cmd.annotation
    actions.do_create_annotation(
        session,
        slide,
        kind=a.kind,
        colour=a.colour,
        points=a.points,
        text=a.text,
        user_id=conn.user_id,
        actor=conn.participant,
    )


@_in_thread
def _update_annotation(conn: Connection, cmd: c.UpdateAnnotation) -> None:
    actions.do_update_annotation(
        _session(conn.session_id),
        cmd.id,
        colour=cmd.colour,
        points=cmd.points,
        text=cmd.text,
        actor=conn.participant,
    )


@_in_thread
def _delete_annotation(conn: Connection, cmd: c.DeleteAnnotation) -> None:
    actions.do_delete_annotation(_session(conn.session_id), cmd.id, actor=conn.participant)


@_in_thread
def _start_session(conn: Connection, cmd: c.StartSession) -> None:
    actions.do_start_session(_session(conn.session_id), actor=conn.participant)


@_in_thread
def _end_session(conn: Connection, cmd: c.EndSession) -> None:
    actions.do_end_session(_session(conn.session_id), actor=conn.participant)


async def _set_viewport(conn: Connection, cmd: c.SetViewport) -> None:
    viewport = SlideView(
        slide_id=cmd.slide_id, x=cmd.x, y=cmd.y, zoom=cmd.zoom, rotation=cmd.rotation
    )
    await actions.do_set_viewport(conn.session_id, viewport, actor=conn.participant)


async def _pointer(conn: Connection, cmd: c.Pointer) -> None:
    await actions.do_pointer(conn.session_id, cmd.point, actor=conn.participant)


async def _lock(conn: Connection, cmd: c.SetLock) -> None:
    await actions.do_set_lock(conn.session_id, cmd.locked, actor=conn.participant)


async def _spotlight(conn: Connection, cmd: c.StartSpotlight) -> None:
    entries = await get_presence().entries(conn.session_id)
    found = [e for e in entries.values() if e.participant == cmd.participant]
    if not found:
        raise ActionError("not_found", f"{cmd.participant} is not connected")
    if roles.is_staff(found[0].role):
        raise ActionError("invalid", "only a student's view can be spotlighted")
    view = next((e.view for e in found if e.view), None)
    spotlight = Spotlight(
        participant=cmd.participant,
        name=found[0].name,
        view=SlideView(**view) if view else None,
    )
    await actions.do_spotlight(conn.session_id, spotlight, actor=conn.participant)


async def _end_spotlight(conn: Connection, cmd: c.EndSpotlight) -> None:
    await actions.do_end_spotlight(conn.session_id, actor=conn.participant)


async def _presence_changed(conn: Connection) -> None:
    conn.presence.last_seen = time.time()
    await get_presence().put(conn.session_id, conn.conn_id, conn.presence)
    hub = local_hub(conn.session_id)
    if hub is not None:
        hub.presence_changed()


async def _follow(conn: Connection, cmd: c.Follow) -> None:
    if not cmd.following and (await get_store().get(conn.session_id)).get("locked"):
        raise ActionError("locked", "the teacher has locked the view; follow stays on")
    if conn.presence.following != cmd.following:
        conn.presence.following = cmd.following
        await _presence_changed(conn)
        await actions.log_follow(
            conn.session_id, participant=conn.participant, following=cmd.following
        )


async def _report_viewport(conn: Connection, cmd: c.ReportViewport) -> None:
    viewport = SlideView(
        slide_id=cmd.slide_id, x=cmd.x, y=cmd.y, zoom=cmd.zoom, rotation=cmd.rotation
    )
    await actions.check_reported_view(conn.session_id, viewport)
    conn.presence.view = viewport.model_dump()
    now = time.monotonic()
    log = now - conn.last_view_logged >= STUDENT_VIEW_LOG_SECONDS
    if log:
        # Logged and stored in presence (where spotlight finds it) at most
        # once a second per connection: 1,000 students cost 1,000 writes/s.
        conn.last_view_logged = now
        conn.presence.last_seen = time.time()
        await get_presence().put(conn.session_id, conn.conn_id, conn.presence)
    await actions.do_report_viewport(
        conn.session_id, viewport, participant=conn.participant, log=log
    )


async def _hand(conn: Connection, cmd: c.Hand) -> None:
    if conn.presence.hand == cmd.raised:
        return
    await actions.do_set_hand(
        conn.session_id, participant=conn.participant, name=conn.name, raised=cmd.raised
    )
    conn.presence.hand = cmd.raised  # only once the action went through
    await _presence_changed(conn)


async def _ask(conn: Connection, cmd: c.Ask) -> None:
    await actions.do_ask(
        conn.session_id, participant=conn.participant, name=conn.name, text=cmd.text
    )


def register_builtin_commands() -> None:
    reg = c.register_command
    # Teacher commands (assistants may do everything but start/end the session).
    reg(c.OpenSlide, roles=roles.STAFF, rate=2, burst=5, handler=_open_slide)
    reg(c.OpenItem, roles=roles.STAFF, rate=2, burst=5, handler=_open_item)
    reg(c.SetViewport, roles=roles.STAFF, rate=30, burst=30, handler=_set_viewport)
    reg(c.Pointer, roles=roles.STAFF, rate=60, burst=60, handler=_pointer)
    reg(c.CreateAnnotation, roles=roles.STAFF, rate=10, burst=20, handler=_create_annotation)
    reg(c.UpdateAnnotation, roles=roles.STAFF, rate=10, burst=20, handler=_update_annotation)
    reg(c.DeleteAnnotation, roles=roles.STAFF, rate=10, burst=20, handler=_delete_annotation)
    reg(c.SetLock, roles=roles.STAFF, rate=2, burst=5, handler=_lock)
    reg(c.StartSpotlight, roles=roles.STAFF, rate=2, burst=5, handler=_spotlight)
    reg(c.EndSpotlight, roles=roles.STAFF, rate=2, burst=5, handler=_end_spotlight)
    reg(c.StartSession, roles=roles.TEACHER, rate=1, burst=3, handler=_start_session)
    reg(c.EndSession, roles=roles.TEACHER, rate=1, burst=3, handler=_end_session)
    # Student commands.
    reg(c.Follow, roles=roles.STUDENTS, rate=2, burst=5, handler=_follow)
    reg(c.ReportViewport, roles=roles.STUDENTS, rate=10, burst=20, handler=_report_viewport)
    reg(c.Hand, roles=roles.STUDENTS, rate=1, burst=3, handler=_hand)
    reg(c.Ask, roles=roles.STUDENTS, rate=0.2, burst=3, handler=_ask)
    # Everyone; handled by the consumer itself.
    # Acks: every REALTIME_SEND_WINDOW / 2 seqs (docs/protocol.md, "Delivery").
    reg(c.Ping, roles=roles.EVERYONE, rate=4, burst=10)
    reg(c.Resume, roles=roles.EVERYONE, rate=0.5, burst=3)


register_builtin_commands()
