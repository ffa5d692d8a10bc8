"""Live-only actions: no database row, ``async``, published at once.

The teacher's viewport, pointer, lock and spotlight; the students' own
views, hands, questions and follow. Each checks the session is live
(``check_live``: the live store, then the database through
classroom/facts.py) and publishes with ``realtime.broadcast.publish``,
updating the live state in the same round trip.
"""

from __future__ import annotations

import asyncio
from typing import Any

from classroom.actions.sessions import request_prewarm
from classroom.errors import ActionError
from classroom.events import (
    ClassView,
    ClassViewsEvent,
    FollowEvent,
    HandEvent,
    LockEvent,
    PointerEvent,
    QuestionAskedEvent,
    Spotlight,
    SpotlightEvent,
    SpotlightViewEvent,
    StudentViewEvent,
    ViewportEvent,
)
from classroom.facts import session_facts
from classroom.models import LiveSession
from classroom.viewports import SlideView, View, check_view
from realtime import broadcast
from realtime.presence import get_presence
from realtime.roles import is_staff
from realtime.state import LiveState, get_store
from scopecast.loops import LoopLocal

# The teacher's view is prewarmed once it has not moved for this long.
SETTLE_SECONDS = 0.3
_settle_timers: LoopLocal[dict[int, Any]] = LoopLocal(dict)


async def check_live(session_id: int) -> LiveState:
    """The live state, refusing sessions that have ended (by the store or the database)."""
    state = await get_store().get(session_id)
    if state.get("state") == "ended":
        raise ActionError("session_ended", "this session has ended")
    if (await session_facts(session_id)).state == LiveSession.State.ENDED:
        raise ActionError("session_ended", "this session has ended")
    return state


async def check_current_slide(session_id: int, slide_id: int) -> None:
    state = await check_live(session_id)
    current = state.get("slide_id")
    if current is None:
        raise ActionError("conflict", "no slide is open; open a slide first")
    if current != slide_id:
        raise ActionError("wrong_slide", f"slide {slide_id} is not the open slide ({current})")


async def check_session_view(session_id: int, viewport: SlideView, *, known: bool) -> None:
    """A view on a slide of the session, centred inside it.

    ``known``: the slide must be one the session may show (a student's own
    view); otherwise a slide the facts do not know is not checked further
    (the teacher's open slide was checked when it was opened).
    """
    facts = await session_facts(session_id, slide_id=viewport.slide_id)
    size = facts.slide_sizes.get(viewport.slide_id)
    if size is None and known:
        raise ActionError("forbidden", f"slide {viewport.slide_id} is not part of this session")
    check_view(viewport, size)


def _schedule_settled_prewarm(session_id: int, viewport: SlideView) -> None:
    """Prewarm the teacher's view once it has not moved for SETTLE_SECONDS."""
    timers = _settle_timers.get()
    old = timers.pop(session_id, None)
    if old is not None:
        old.cancel()
    view = View(x=viewport.x, y=viewport.y, zoom=viewport.zoom, rotation=viewport.rotation)

    def _fire() -> None:
        timers.pop(session_id, None)
        request_prewarm(viewport.slide_id, view)  # non-blocking by contract

    timers[session_id] = asyncio.get_running_loop().call_later(SETTLE_SECONDS, _fire)


async def do_set_viewport(session_id: int, viewport: SlideView, *, actor: str) -> int | None:
    await check_current_slide(session_id, viewport.slide_id)
    await check_session_view(session_id, viewport, known=False)
    seq = await broadcast.publish(
        session_id,
        ViewportEvent(type="viewport", viewport=viewport),
        actor=actor,
        state={"viewport": viewport.model_dump()},
    )
    _schedule_settled_prewarm(session_id, viewport)
    return seq


async def do_pointer(session_id: int, point: list[float] | None, *, actor: str) -> None:
    await check_live(session_id)
    await broadcast.publish(session_id, PointerEvent(type="pointer", point=point), actor=actor)


async def do_set_lock(session_id: int, locked: bool, *, actor: str) -> None:
    await check_live(session_id)
    await broadcast.publish(
        session_id,
        LockEvent(type="lock", locked=locked),
        actor=actor,
        state={"locked": True if locked else None},
        effect="follow" if locked else None,
    )


async def do_spotlight(session_id: int, spotlight: Spotlight, *, actor: str) -> None:
    await check_live(session_id)
    await broadcast.publish(
        session_id,
        SpotlightEvent(type="spotlight", spotlight=spotlight),
        actor=actor,
        state={"spotlight": spotlight.model_dump()},
    )


async def do_end_spotlight(session_id: int, *, actor: str) -> None:
    state = await get_store().get(session_id)
    if state.get("spotlight") is None:
        raise ActionError("conflict", "nobody is in the spotlight")
    await broadcast.publish(
        session_id,
        SpotlightEvent(type="spotlight", spotlight=None),
        actor=actor,
        state={"spotlight": None},
    )


async def do_report_viewport(
    session_id: int, viewport: SlideView, *, participant: str, log: bool
) -> None:
    """A student's own view: logged (throttled) and mirrored while spotlighted."""
    if log:
        await broadcast.log_only(
            session_id,
            StudentViewEvent(type="student_view", participant=participant, viewport=viewport),
            actor=participant,
        )
    state = await get_store().get(session_id)
    spotlight = state.get("spotlight")
    if spotlight is not None and spotlight.get("participant") == participant:
        spotlight["view"] = viewport.model_dump()
        await broadcast.publish(
            session_id,
            SpotlightViewEvent(type="spotlight_view", participant=participant, viewport=viewport),
            actor=participant,
            state={"spotlight": spotlight},
        )


CLASS_VIEWS_SECONDS = 1.0
_class_views_timers: LoopLocal[dict[int, asyncio.TimerHandle]] = LoopLocal(dict)


def note_class_view(session_id: int) -> None:
    """A student's own view or follow changed: tell the staff within a second.

    Throttled per session and process; the views come from presence (each
    socket's latest reported view, stored at most once a second).
    """
    timers = _class_views_timers.get()
    if session_id in timers:
        return
    loop = asyncio.get_running_loop()

    def fire() -> None:
        timers.pop(session_id, None)
        task = loop.create_task(publish_class_views(session_id))
        _pending.add(task)
        task.add_done_callback(_pending.discard)

    timers[session_id] = loop.call_later(CLASS_VIEWS_SECONDS, fire)


_pending: set[asyncio.Task[None]] = set()


async def publish_class_views(session_id: int) -> None:
    """``class_views`` to the staff: every roaming student's latest view."""
    entries = (await get_presence().entries(session_id)).values()
    latest: dict[str, ClassView] = {}
    for e in entries:
        if is_staff(e.role) or e.following or not e.view:
            continue
        latest[e.participant] = ClassView(
            participant=e.participant, name=e.name, viewport=SlideView(**e.view)
        )
    views = sorted(latest.values(), key=lambda v: (v.name, v.participant))
    await broadcast.publish(
        session_id, ClassViewsEvent(type="class_views", views=views), audience="staff"
    )


async def do_set_hand(session_id: int, *, participant: str, name: str, raised: bool) -> None:
    await check_live(session_id)
    await broadcast.publish(
        session_id,
        HandEvent(type="hand", participant=participant, name=name, raised=raised),
        audience="staff",
        actor=participant,
    )


async def do_ask(session_id: int, *, participant: str, name: str, text: str) -> None:
    await check_live(session_id)
    await broadcast.publish(
        session_id,
        QuestionAskedEvent(type="question_asked", participant=participant, name=name, text=text),
        audience="staff",
        actor=participant,
    )


async def log_follow(session_id: int, *, participant: str, following: bool) -> None:
    """A student turned follow on or off ("who followed" analytics)."""
    await broadcast.log_only(
        session_id,
        FollowEvent(type="follow", participant=participant, following=following),
        actor=participant,
    )
