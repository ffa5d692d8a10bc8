"""What live-only actions read from the database, cached per process.

The live state store says whether a session ended only when
``do_end_session`` ended it, and only while the store holds the session: it
is empty after a restart of the embedded server, after Redis' TTL, and a
session ended in the admin never reaches it. So the database is the
authority, read at most once per ``FACTS_TTL`` per session and process, on a
thread of its own (never Django's sync thread, which frames avoid), and
stale values are served while a reload runs: a command never waits for the
database once the session is known.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q

from classroom.errors import ActionError
from classroom.models import AgendaItem, LiveSession
from scopecast.loops import LoopLocal
from slides.models import Slide

logger = logging.getLogger(__name__)

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
# This loop's running reload per session.
_reloads: LoopLocal[dict[int, asyncio.Task[SessionFacts | None]]] = LoopLocal(dict)
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-facts")


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
        facts = await loop.run_in_executor(_executor, _load_and_close, session_id)
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
    reloads = _reloads.get()
    task = reloads.get(session_id)
    if task is None or task.done():
        if len(reloads) > 1000:
            for key in [k for k, t in reloads.items() if t.done()]:
                del reloads[key]
        task = reloads[session_id] = asyncio.get_running_loop().create_task(_reload(session_id))
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


async def warm_session_facts(session_id: int) -> None:
    """Read the facts now so that the first commands find them cached (a hub's start)."""
    with contextlib.suppress(ActionError):  # a deleted session is the connect's business
        await session_facts(session_id)


def forget_session_facts(session_id: int | None = None) -> None:
    """Drop cached facts (after a state change here; tests: everything)."""
    if session_id is None:
        _facts.clear()
    else:
        _facts.pop(session_id, None)


async def settle_session_facts() -> None:
    """Wait for this loop's reloads (tests, before the loop closes)."""
    tasks = [t for t in _reloads.get().values() if not t.done()]
    await asyncio.gather(*tasks, return_exceptions=True)
