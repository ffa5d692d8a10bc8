"""Every state change of courses and live sessions (see docs/protocol.md).

``check_*`` functions validate and raise ``ActionError``; ``do_*`` functions
mutate and emit. Database-backed actions are synchronous and emit with
``send_event_on_commit`` so a broadcast never announces something that could
roll back. Live-only actions (viewport, pointer, lock, spotlight, hands,
questions) touch no database row: they are ``async`` and publish directly,
updating the live state store in the same round trip.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from classroom.guests import make_guest_token
from classroom.models import AgendaItem, Annotation, Course, Guest, LiveSession
from realtime import broadcast
from realtime.errors import Refusal
from realtime.events import (
    AnnotationCreatedEvent,
    AnnotationDeletedEvent,
    AnnotationShape,
    AnnotationUpdatedEvent,
    FollowEvent,
    HandEvent,
    JoinedEvent,
    LeftEvent,
    LockEvent,
    PointerEvent,
    QuestionAskedEvent,
    SessionStateEvent,
    SlideOpenedEvent,
    SlideView,
    Spotlight,
    SpotlightEvent,
    SpotlightViewEvent,
    StudentViewEvent,
    ViewportEvent,
)
from realtime.state import LiveState, get_store
from slides.models import Slide

logger = logging.getLogger(__name__)

# How many points each annotation kind takes: (min, max).
POINT_COUNTS: dict[str, tuple[int, int]] = {
    "point": (1, 1),
    "text": (1, 1),
    "arrow": (2, 2),
    "line": (2, 2),
    "rectangle": (2, 2),
    "ellipse": (2, 2),
    "polygon": (3, 5000),
    "freehand": (2, 5000),
}
VIEWER_WIDTH = 1920
VIEWER_HEIGHT = 1080
SETTLE_SECONDS = 0.3


class ActionError(Refusal):
    """A refused classroom state change; ``code`` is the protocol error code."""


# --- slides: descriptor and prewarm (the tile server's contracts) -----------
def slide_descriptor(slide: Slide) -> dict[str, Any]:
    """The viewer JSON (slides.descriptors), or a minimal one until it exists."""
    try:
        from slides.descriptors import (  # type: ignore[import-not-found,unused-ignore]
            slide_descriptor as real_descriptor,
        )
    except ImportError:
        return {
            "id": slide.pk,
            "title": slide.title,
            "width": slide.width,
            "height": slide.height,
            "level_count": slide.level_count,
            "mpp_x": slide.mpp_x,
            "mpp_y": slide.mpp_y,
            "objective_power": slide.objective_power,
            "version": slide.version,
            "dzi": f"/slides/{slide.pk}.dzi",
        }
    return dict(real_descriptor(slide))


def request_prewarm(slide_id: int, view: dict[str, float]) -> None:
    """Ask the tile server to warm one view; never fails the caller."""
    try:
        from slides.prewarm import request_view_prewarm  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    try:
        request_view_prewarm(
            slide_id,
            x=view["x"],
            y=view["y"],
            zoom=view["zoom"],
            rotation=view.get("rotation", 0.0),
            viewer_width=VIEWER_WIDTH,
            viewer_height=VIEWER_HEIGHT,
        )
    except Exception:
        logger.exception("prewarm request failed for slide %s", slide_id)


def overview(slide: Slide) -> dict[str, float]:
    """The whole slide fitted into a 1920x1080 viewer."""
    width, height = max(int(slide.width), 1), max(int(slide.height), 1)
    zoom = min(VIEWER_WIDTH / width, VIEWER_HEIGHT / height)
    return {"x": width / 2, "y": height / 2, "zoom": zoom, "rotation": 0.0}


# --- sessions ---------------------------------------------------------------
@dataclass(frozen=True)
class AgendaSpec:
    slide: Slide
    view: dict[str, float] | None = None
    notes: str = ""


def do_create_session(
    course: Course,
    *,
    title: str,
    created_by: Any = None,
    agenda: Sequence[AgendaSpec] = (),
    allow_guests: bool = False,
) -> LiveSession:
    """A scheduled session with its agenda (used by admin flows and the demo loader)."""
    with transaction.atomic():
        session = LiveSession.objects.create(
            course=course, title=title, created_by=created_by, allow_guests=allow_guests
        )
        for position, item in enumerate(agenda):
            AgendaItem.objects.create(
                session=session,
                position=position,
                slide=item.slide,
                view=check_view(item.slide, item.view) if item.view is not None else None,
                notes=item.notes,
            )
            course.slides.add(item.slide)
    return session


def do_start_session(session: LiveSession, *, actor: str = "") -> None:
    if session.state == LiveSession.State.ENDED:
        raise ActionError("conflict", "this session has ended")
    if session.state == LiveSession.State.LIVE:
        return
    with transaction.atomic():
        session.state = LiveSession.State.LIVE
        session.started_at = timezone.now()
        session.save(update_fields=["state", "started_at"])
        transaction.on_commit(lambda: forget_session_facts(session.pk))
        broadcast.send_event_on_commit(
            session.pk,
            SessionStateEvent(type="session_state", state="live"),
            actor=actor,
            state={"state": "live"},
        )


def do_end_session(session: LiveSession, *, actor: str = "") -> None:
    if session.state == LiveSession.State.ENDED:
        raise ActionError("conflict", "this session has already ended")
    with transaction.atomic():
        session.state = LiveSession.State.ENDED
        session.ended_at = timezone.now()
        session.save(update_fields=["state", "ended_at"])
        transaction.on_commit(lambda: forget_session_facts(session.pk))
        broadcast.send_event_on_commit(
            session.pk,
            SessionStateEvent(type="session_state", state="ended"),
            actor=actor,
            state={"state": "ended", "locked": None, "spotlight": None},
        )


def check_session_open(session: LiveSession) -> None:
    if session.state == LiveSession.State.ENDED:
        raise ActionError("session_ended", "this session has ended")


def check_session_slide(session: LiveSession, slide_id: int) -> Slide:
    """A slide the session may show: one of the course's slides or in the agenda."""
    slide = Slide.objects.filter(pk=slide_id).first()
    if slide is None:
        raise ActionError("not_found", f"slide {slide_id} does not exist")
    in_course = session.course.slides.filter(pk=slide_id).exists()
    in_agenda = session.agenda.filter(slide_id=slide_id).exists()
    if not (in_course or in_agenda):
        raise ActionError("forbidden", f"slide {slide_id} is not part of this course")
    if slide.status != Slide.Status.READY:
        raise ActionError("conflict", f"slide {slide_id} is not ready ({slide.status})")
    return slide


def check_view(slide: Slide, view: dict[str, Any]) -> dict[str, float]:
    try:
        clean = {
            "x": float(view["x"]),
            "y": float(view["y"]),
            "zoom": float(view["zoom"]),
            "rotation": float(view.get("rotation", 0.0)),
        }
    except (KeyError, TypeError, ValueError):
        raise ActionError("invalid", "a view needs numeric x, y, zoom and rotation") from None
    if not all(math.isfinite(v) for v in clean.values()) or clean["zoom"] <= 0:
        raise ActionError("out_of_range", "view numbers must be finite and zoom positive")
    if slide.width and not (0 <= clean["x"] <= slide.width and 0 <= clean["y"] <= slide.height):
        raise ActionError("out_of_range", "the view centre lies outside the slide")
    return clean


def saved_view(item: AgendaItem) -> dict[str, float] | None:
    """An agenda item's saved view, cleaned; None when it has none or it is invalid.

    Views saved by ``do_create_session`` and the admin are validated, but one
    stored by other means must not break the session: it is logged and
    ignored (the whole slide is shown instead).
    """
    if item.view is None:
        return None
    try:
        return check_view(item.slide, item.view)
    except ActionError as e:
        logger.warning(
            "session %s: agenda item %s has an invalid saved view %r (%s); ignored",
            item.session_id,
            item.pk,
            item.view,
            e.message,
        )
        return None


def do_open_slide(
    session: LiveSession,
    slide: Slide,
    *,
    view: dict[str, Any] | None = None,
    agenda_index: int | None = None,
    next_view: tuple[int, dict[str, float]] | None = None,
    actor: str = "",
) -> None:
    """Put ``slide`` on everyone's screen (and prewarm it and what comes next)."""
    check_session_open(session)
    clean = check_view(slide, view) if view is not None else overview(slide)
    viewport = SlideView(slide_id=slide.pk, **clean)
    with transaction.atomic():
        session.current_slide = slide
        session.current_item = agenda_index
        session.save(update_fields=["current_slide", "current_item"])
        broadcast.send_event_on_commit(
            session.pk,
            SlideOpenedEvent(
                type="slide_opened",
                slide=slide_descriptor(slide),
                agenda_index=agenda_index,
                viewport=viewport,
            ),
            actor=actor,
            state={
                "slide_id": slide.pk,
                "agenda_index": agenda_index,
                "viewport": viewport.model_dump(),
                "spotlight": None,
            },
        )

        def _prewarm() -> None:
            request_prewarm(slide.pk, clean)
            if next_view is not None:
                request_prewarm(*next_view)

        transaction.on_commit(_prewarm)


def do_open_item(session: LiveSession, index: int, *, actor: str = "") -> None:
    items = list(session.agenda.select_related("slide").order_by("position", "id"))
    if not 0 <= index < len(items):
        raise ActionError("not_found", f"the agenda has no item {index}")
    item = items[index]
    nxt = items[index + 1] if index + 1 < len(items) else None
    next_view = (nxt.slide_id, saved_view(nxt) or overview(nxt.slide)) if nxt is not None else None
    do_open_slide(
        session,
        item.slide,
        view=saved_view(item),
        agenda_index=index,
        next_view=next_view,
        actor=actor,
    )


# --- annotations ------------------------------------------------------------
def annotation_shape(annotation: Annotation) -> AnnotationShape:
    return AnnotationShape(
        id=annotation.pk,
        slide_id=annotation.slide_id,
        kind=annotation.kind,  # type: ignore[arg-type]
        colour=annotation.colour,
        points=[[float(x), float(y)] for x, y in annotation.points],
        text=annotation.text,
        created_by=f"u:{annotation.created_by_id}" if annotation.created_by_id else "",
    )


def check_annotation(
    slide: Slide, kind: str, points: Sequence[Sequence[float]], text: str
) -> list[list[float]]:
    if kind not in POINT_COUNTS:
        raise ActionError("invalid", f"unknown annotation kind {kind!r}")
    low, high = POINT_COUNTS[kind]
    if not low <= len(points) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise ActionError("invalid", f"a {kind} takes {expected} points, got {len(points)}")
    clean: list[list[float]] = []
    for point in points:
        if len(point) != 2 or not all(math.isfinite(v) for v in point):
            raise ActionError("invalid", "points are [x, y] pairs of finite numbers")
        x, y = float(point[0]), float(point[1])
        if slide.width and not (0 <= x <= slide.width and 0 <= y <= slide.height):
            raise ActionError("out_of_range", f"point ({x}, {y}) lies outside the slide")
        clean.append([x, y])
    if kind == "text" and not text.strip():
        raise ActionError("invalid", "a text label needs text")
    return clean


def do_create_annotation(
    session: LiveSession,
    slide: Slide,
    *,
    kind: str,
    colour: str,
    points: Sequence[Sequence[float]],
    text: str = "",
    user_id: int | None = None,
    actor: str = "",
) -> Annotation:
    check_session_open(session)
    clean = check_annotation(slide, kind, points, text)
    with transaction.atomic():
        annotation = Annotation.objects.create(
            session=session,
            slide=slide,
            kind=kind,
            colour=colour,
            points=clean,
            text=text,
            created_by_id=user_id,
        )
        broadcast.send_event_on_commit(
            session.pk,
            AnnotationCreatedEvent(
                type="annotation_created", annotation=annotation_shape(annotation)
            ),
            actor=actor,
        )
    return annotation


def check_annotation_of(session: LiveSession, annotation_id: int) -> Annotation:
    annotation = (
        Annotation.objects.select_related("slide").filter(pk=annotation_id, session=session).first()
    )
    if annotation is None:
        raise ActionError("not_found", f"annotation {annotation_id} does not exist in this session")
    return annotation


def do_update_annotation(
    session: LiveSession,
    annotation_id: int,
    *,
    colour: str | None = None,
    points: Sequence[Sequence[float]] | None = None,
    text: str | None = None,
    actor: str = "",
) -> Annotation:
    check_session_open(session)
    with transaction.atomic():
        annotation = check_annotation_of(session, annotation_id)
        new_text = annotation.text if text is None else text
        new_points = annotation.points if points is None else points
        annotation.points = check_annotation(
            annotation.slide, annotation.kind, new_points, new_text
        )
        annotation.text = new_text
        if colour is not None:
            annotation.colour = colour
        annotation.save()
        broadcast.send_event_on_commit(
            session.pk,
            AnnotationUpdatedEvent(
                type="annotation_updated", annotation=annotation_shape(annotation)
            ),
            actor=actor,
        )
    return annotation


def do_delete_annotation(session: LiveSession, annotation_id: int, *, actor: str = "") -> None:
    check_session_open(session)
    with transaction.atomic():
        annotation = check_annotation_of(session, annotation_id)
        slide_id = annotation.slide_id
        annotation.delete()
        broadcast.send_event_on_commit(
            session.pk,
            AnnotationDeletedEvent(type="annotation_deleted", id=annotation_id, slide_id=slide_id),
            actor=actor,
        )


# --- guests -----------------------------------------------------------------
def check_guest_join(code: str) -> LiveSession:
    session = (
        LiveSession.objects.select_related("course").filter(join_code=code.strip().upper()).first()
    )
    if session is None:
        raise ActionError("not_found", "no session has this join code")
    if not session.allow_guests:
        raise ActionError("forbidden", "this session does not admit guests; log in to join")
    if session.state == LiveSession.State.ENDED:
        raise ActionError("conflict", "this session has ended")
    return session


def do_join_as_guest(code: str, display_name: str) -> tuple[Guest, str]:
    """Create a guest identity for the session with ``code``; returns it and its token."""
    session = check_guest_join(code)
    name = " ".join(display_name.split())
    if not name:
        raise ActionError("invalid", "a display name is required")
    guest = Guest.objects.create(session=session, display_name=name[:60])
    return guest, make_guest_token(session.pk, guest.pk)


# --- what live-only actions read from the database (cached per process) -----
# The live state store says whether a session ended only when do_end_session
# ended it, and only while the store holds the session: it is empty after a
# restart of the embedded server, after Redis' TTL, and a session ended in the
# admin never reaches it. So the database is the authority, read at most once
# per FACTS_TTL per session and process, on a thread of its own (never
# Django's sync thread, which frames avoid), and stale values are served while
# a reload runs: a command never waits for the database once the session is
# known.
FACTS_TTL = 2.0
# A slide the cached facts do not know reloads them, but at most this often.
FACTS_MIN_RELOAD = 0.5


@dataclass(frozen=True)
class SessionFacts:
    state: str
    # The slides the session may show (its course's and its agenda's): (width, height).
    slide_sizes: dict[int, tuple[int, int]]
    loaded_at: float


_facts: dict[int, SessionFacts] = {}
_reloads: dict[tuple[asyncio.AbstractEventLoop, int], asyncio.Task[SessionFacts | None]] = {}
_facts_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-facts")


def load_session_facts(session_id: int) -> SessionFacts | None:
    """Read a session's state and slides (None: no such session)."""
    row = LiveSession.objects.filter(pk=session_id).values("state", "course_id").first()
    if row is None:
        return None
    agenda = AgendaItem.objects.filter(session_id=session_id).values("slide_id")
    slides = (
        Slide.objects.filter(Q(courses=row["course_id"]) | Q(pk__in=agenda))
        .values_list("pk", "width", "height")
        .distinct()
    )
    return SessionFacts(
        state=row["state"],
        slide_sizes={pk: (int(w or 0), int(h or 0)) for pk, w, h in slides},
        loaded_at=time.monotonic(),
    )


def _load_and_close(session_id: int) -> SessionFacts | None:
    try:
        return load_session_facts(session_id)
    finally:
        connections.close_all()  # a long-lived thread holds no connection between loads


async def _reload(session_id: int) -> SessionFacts | None:
    loop = asyncio.get_running_loop()
    try:
        facts = await loop.run_in_executor(_facts_executor, _load_and_close, session_id)
    except Exception:
        logger.exception("session %s: reading its state failed", session_id)
        old = _facts.get(session_id)
        if old is None:
            raise ActionError("conflict", "the session could not be read; try again") from None
        return old
    if facts is None:
        _facts.pop(session_id, None)
    else:
        _facts[session_id] = facts
    return facts


def _reload_task(session_id: int) -> asyncio.Task[SessionFacts | None]:
    """The running reload of this session's facts, started if there is none."""
    loop = asyncio.get_running_loop()
    task = _reloads.get((loop, session_id))
    if task is None or task.done():
        if len(_reloads) > 1000:
            for key in [k for k, t in _reloads.items() if t.done() or k[0].is_closed()]:
                del _reloads[key]
        task = _reloads[(loop, session_id)] = loop.create_task(_reload(session_id))
    return task


async def session_facts(session_id: int, *, slide_id: int | None = None) -> SessionFacts:
    """The session's cached facts; ``slide_id`` unknown to them reloads them first."""
    facts: SessionFacts | None = _facts.get(session_id)
    now = time.monotonic()
    if facts is None:
        facts = await asyncio.shield(_reload_task(session_id))
    elif facts.state == LiveSession.State.ENDED:
        return facts  # final: nothing to reload
    elif now - facts.loaded_at > FACTS_TTL:
        _reload_task(session_id)  # served stale meanwhile
    if (
        facts is not None
        and slide_id is not None
        and slide_id not in facts.slide_sizes
        and now - facts.loaded_at > FACTS_MIN_RELOAD
    ):
        facts = await asyncio.shield(_reload_task(session_id))
    if facts is None:
        raise ActionError("not_found", "this session no longer exists")
    return facts


def forget_session_facts(session_id: int | None = None) -> None:
    """Drop cached facts (after a state change here; tests: everything)."""
    if session_id is None:
        _facts.clear()
    else:
        _facts.pop(session_id, None)


async def settle_session_facts() -> None:
    """Wait for this loop's reloads (tests, before the loop closes)."""
    loop = asyncio.get_running_loop()
    tasks = [t for (lp, _), t in list(_reloads.items()) if lp is loop and not t.done()]
    await asyncio.gather(*tasks, return_exceptions=True)


def check_centre_in_slide(size: tuple[int, int] | None, view: SlideView) -> None:
    """The view's centre lies inside the slide (when its size is known)."""
    if size is None or not size[0]:
        return
    width, height = size
    if not (0 <= view.x <= width and 0 <= view.y <= height):
        raise ActionError("out_of_range", "the view centre lies outside the slide")


# --- live-only actions (no database row; async) -----------------------------
_settle_timers: dict[tuple[asyncio.AbstractEventLoop, int], asyncio.TimerHandle] = {}


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


def _schedule_settled_prewarm(session_id: int, viewport: SlideView) -> None:
    """Prewarm the teacher's view once it has not moved for SETTLE_SECONDS."""
    loop = asyncio.get_running_loop()
    key = (loop, session_id)
    old = _settle_timers.pop(key, None)
    if old is not None:
        old.cancel()
    view = viewport.model_dump()

    def _fire() -> None:
        _settle_timers.pop(key, None)
        request_prewarm(viewport.slide_id, view)  # non-blocking by contract

    _settle_timers[key] = loop.call_later(SETTLE_SECONDS, _fire)


async def do_set_viewport(session_id: int, viewport: SlideView, *, actor: str) -> int | None:
    await check_current_slide(session_id, viewport.slide_id)
    facts = await session_facts(session_id, slide_id=viewport.slide_id)
    check_centre_in_slide(facts.slide_sizes.get(viewport.slide_id), viewport)
    seq = await broadcast.publish(
        session_id,
        ViewportEvent(type="viewport", viewport=viewport),
        actor=actor,
        state={"viewport": viewport.model_dump()},
    )
    _schedule_settled_prewarm(session_id, viewport)
    return seq


async def do_pointer(session_id: int, point: list[float] | None, *, actor: str) -> None:
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


async def check_reported_view(session_id: int, viewport: SlideView) -> None:
    """A student's own view: on a slide of the session, centred inside it."""
    facts = await session_facts(session_id, slide_id=viewport.slide_id)
    size = facts.slide_sizes.get(viewport.slide_id)
    if size is None:
        raise ActionError("forbidden", f"slide {viewport.slide_id} is not part of this session")
    check_centre_in_slide(size, viewport)


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


# --- attendance: logged, never broadcast -------------------------------------
async def log_joined(
    session_id: int, *, participant: str, role: str, name: str, connection: str
) -> None:
    """One socket joined the session (attendance analytics)."""
    await broadcast.log_only(
        session_id,
        JoinedEvent(
            type="joined",
            participant=participant,
            role=role,  # type: ignore[arg-type]
            name=name,
            connection=connection,
        ),
        actor=participant,
    )


async def log_left(
    session_id: int, *, participant: str, role: str, connection: str, code: int
) -> None:
    """That socket left, with its close code (4408: too slow, ...)."""
    await broadcast.log_only(
        session_id,
        LeftEvent(
            type="left",
            participant=participant,
            role=role,  # type: ignore[arg-type]
            connection=connection,
            code=code,
        ),
        actor=participant,
    )


async def log_follow(session_id: int, *, participant: str, following: bool) -> None:
    """A student turned follow on or off ("who followed" analytics)."""
    await broadcast.log_only(
        session_id,
        FollowEvent(type="follow", participant=participant, following=following),
        actor=participant,
    )
