"""The classroom's websocket commands: glue from a typed frame to an action.

Each handler receives the connection and the validated command
(classroom/commands.py), calls one action in ``classroom.actions`` (database
work in a worker thread via ``database_sync_to_async``) and raises
``ActionError`` for refusals, which the consumer turns into an ``error``
frame. ``register`` declares them with their roles and rate limits (see
docs/protocol.md for the table), from ``ClassroomConfig.ready``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.db import close_old_connections

from classroom import commands as c
from classroom.actions import annotations as drawing
from classroom.actions import live, sessions
from classroom.errors import ActionError
from classroom.events import Spotlight
from classroom.models import LiveSession
from classroom.viewports import SlideView
from realtime.commands import register_command
from realtime.connection import Connection
from realtime.errors import SessionGone
from realtime.hub import update_presence
from realtime.presence import get_presence
from realtime.roles import STAFF, STUDENTS, TEACHER, is_staff
from realtime.state import get_store
from scopecast.loops import LoopLocal

T = TypeVar("T")
STUDENT_VIEW_LOG_SECONDS = 1.0


def _in_thread(fn: Callable[..., T]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> T:
        close_old_connections()
        return fn(*args, **kwargs)

    wrapped: Callable[..., Any] = database_sync_to_async(run)
    return wrapped


def _session(session_id: int) -> LiveSession:
    session = LiveSession.objects.select_related("course").filter(pk=session_id).first()
    if session is None:
        raise SessionGone()
    return session


# --- teacher ----------------------------------------------------------------
@_in_thread
def _open_slide(conn: Connection, cmd: c.OpenSlide) -> None:
    session = _session(conn.session_id)
    slide = sessions.check_session_slide(session, cmd.slide_id)
    sessions.do_open_slide(session, slide, view=cmd.view, actor=conn.participant)


@_in_thread
def _open_item(conn: Connection, cmd: c.OpenItem) -> None:
    sessions.do_open_item(_session(conn.session_id), cmd.index, actor=conn.participant)


@_in_thread
def _create_annotation(conn: Connection, cmd: c.CreateAnnotation) -> None:
    session = _session(conn.session_id)
    slide = sessions.check_session_slide(session, cmd.slide_id)
    a = cmd.annotation
    drawing.do_create_annotation(
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
    drawing.do_update_annotation(
        _session(conn.session_id),
        cmd.id,
        colour=cmd.colour,
        points=cmd.points,
        text=cmd.text,
        actor=conn.participant,
    )


@_in_thread
def _delete_annotation(conn: Connection, cmd: c.DeleteAnnotation) -> None:
    drawing.do_delete_annotation(_session(conn.session_id), cmd.id, actor=conn.participant)


@_in_thread
def _start_session(conn: Connection, cmd: c.StartSession) -> None:
    sessions.do_start_session(_session(conn.session_id), actor=conn.participant)


@_in_thread
def _end_session(conn: Connection, cmd: c.EndSession) -> None:
    sessions.do_end_session(_session(conn.session_id), actor=conn.participant)


def _slide_view(cmd: c.SetViewport | c.ReportViewport) -> SlideView:
    return SlideView(slide_id=cmd.slide_id, x=cmd.x, y=cmd.y, zoom=cmd.zoom, rotation=cmd.rotation)


async def _set_viewport(conn: Connection, cmd: c.SetViewport) -> None:
    await live.do_set_viewport(conn.session_id, _slide_view(cmd), actor=conn.participant)


async def _pointer(conn: Connection, cmd: c.Pointer) -> None:
    await live.do_pointer(conn.session_id, cmd.point, actor=conn.participant)


async def _lock(conn: Connection, cmd: c.SetLock) -> None:
    await live.do_set_lock(conn.session_id, cmd.locked, actor=conn.participant)


async def _spotlight(conn: Connection, cmd: c.StartSpotlight) -> None:
    entries = await get_presence().entries(conn.session_id)
    found = [e for e in entries.values() if e.participant == cmd.participant]
    if not found:
        raise ActionError("not_found", f"{cmd.participant} is not connected")
    if is_staff(found[0].role):
        raise ActionError("invalid", "only a student's view can be spotlighted")
    view = next((e.view for e in found if e.view), None)
    spotlight = Spotlight(
        participant=cmd.participant,
        name=found[0].name,
        view=SlideView(**view) if view else None,
    )
    await live.do_spotlight(conn.session_id, spotlight, actor=conn.participant)


async def _end_spotlight(conn: Connection, cmd: c.EndSpotlight) -> None:
    await live.do_end_spotlight(conn.session_id, actor=conn.participant)


# --- students -----------------------------------------------------------------
async def _follow(conn: Connection, cmd: c.Follow) -> None:
    if not cmd.following and (await get_store().get(conn.session_id)).get("locked"):
        raise ActionError("locked", "the teacher has locked the view; follow stays on")
    if conn.presence.following != cmd.following:
        conn.presence.following = cmd.following
        await update_presence(conn)
        await live.log_follow(
            conn.session_id, participant=conn.participant, following=cmd.following
        )
        live.note_class_view(conn.session_id)


# A student's last view inside a throttle window, stored when the window ends.
_trailing_views: LoopLocal[dict[str, asyncio.TimerHandle]] = LoopLocal(dict)


async def _report_viewport(conn: Connection, cmd: c.ReportViewport) -> None:
    viewport = _slide_view(cmd)
    await live.check_session_view(conn.session_id, viewport, known=True)
    conn.presence.view = viewport.model_dump()
    now = time.monotonic()
    log = now - conn.last_view_logged >= STUDENT_VIEW_LOG_SECONDS
    if log:
        await _store_view(conn, now)
    else:
        # The view a student stops at is stored too (a spotlight starts from
        # it, the class map shows it): once, at the end of the window.
        pending = _trailing_views.get()
        if conn.conn_id not in pending:
            delay = STUDENT_VIEW_LOG_SECONDS - (now - conn.last_view_logged)
            pending[conn.conn_id] = asyncio.get_running_loop().call_later(
                delay, lambda: asyncio.ensure_future(_trailing_view(conn))
            )
    await live.do_report_viewport(conn.session_id, viewport, participant=conn.participant, log=log)


async def _store_view(conn: Connection, now: float) -> None:
    """Log the view and store it in presence (where spotlight finds it): at most
    once a second per connection, so 1,000 students cost 1,000 writes/s."""
    conn.last_view_logged = now
    conn.presence.last_seen = time.time()
    await get_presence().put(conn.session_id, conn.conn_id, conn.presence)
    live.note_class_view(conn.session_id)


async def _trailing_view(conn: Connection) -> None:
    _trailing_views.get().pop(conn.conn_id, None)
    if conn.closing or conn.presence.view is None:
        return
    viewport = SlideView(**conn.presence.view)
    await _store_view(conn, time.monotonic())
    await live.do_report_viewport(conn.session_id, viewport, participant=conn.participant, log=True)


async def _hand(conn: Connection, cmd: c.Hand) -> None:
    if conn.presence.hand == cmd.raised:
        return
    await live.do_set_hand(
        conn.session_id, participant=conn.participant, name=conn.name, raised=cmd.raised
    )
    conn.presence.hand = cmd.raised  # only once the action went through
    await update_presence(conn)


async def _ask(conn: Connection, cmd: c.Ask) -> None:
    await live.do_ask(conn.session_id, participant=conn.participant, name=conn.name, text=cmd.text)


def register() -> None:
    """Declare the classroom's commands with the transport (idempotent)."""
    reg = register_command
    # Teacher commands (assistants may do everything but start/end the session).
    reg(c.OpenSlide, roles=STAFF, rate=2, burst=5, handler=_open_slide)
    reg(c.OpenItem, roles=STAFF, rate=2, burst=5, handler=_open_item)
    reg(c.SetViewport, roles=STAFF, rate=30, burst=30, handler=_set_viewport, latest_wins=True)
    reg(c.Pointer, roles=STAFF, rate=60, burst=60, handler=_pointer, latest_wins=True)
    reg(c.CreateAnnotation, roles=STAFF, rate=10, burst=20, handler=_create_annotation)
    reg(c.UpdateAnnotation, roles=STAFF, rate=10, burst=20, handler=_update_annotation)
    reg(c.DeleteAnnotation, roles=STAFF, rate=10, burst=20, handler=_delete_annotation)
    reg(c.SetLock, roles=STAFF, rate=2, burst=5, handler=_lock)
    reg(c.StartSpotlight, roles=STAFF, rate=2, burst=5, handler=_spotlight)
    reg(c.EndSpotlight, roles=STAFF, rate=2, burst=5, handler=_end_spotlight)
    reg(c.StartSession, roles=TEACHER, rate=1, burst=3, handler=_start_session)
    reg(c.EndSession, roles=TEACHER, rate=1, burst=3, handler=_end_session)
    # Student commands.
    reg(c.Follow, roles=STUDENTS, rate=2, burst=5, handler=_follow)
    reg(c.ReportViewport, roles=STUDENTS, rate=10, burst=20, handler=_report_viewport)
    reg(c.Hand, roles=STUDENTS, rate=1, burst=3, handler=_hand)
    reg(c.Ask, roles=STUDENTS, rate=0.2, burst=3, handler=_ask)
