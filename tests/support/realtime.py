"""Helpers for websocket tests through the full ASGI stack (see docs/protocol.md).

- ``connect(...)``: a ``WebsocketCommunicator`` on ``scopecast.asgi.application``
  with the right Origin and a real Django session cookie (or a guest token),
  returning the communicator and its first frame; ``recv``, ``recv_type``,
  ``send``, ``silent``, ``close_code``, ``refused_with`` and ``disconnect``
  around it;
- ``capture_send_event_calls()``: records every event the services emit and
  checks each against ``realtime/events.py`` (zulip-style);
- ``make_live``: a live session of the personas' course with two ready slides
  and a two-item agenda (the ``live`` fixture);
- ``TEACHER_FRAMES``: one frame of every teacher command.

The fixtures ``live`` and ``realtime_isolation`` are in
tests/support/fixtures/realtime.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client

from classroom.actions.sessions import AgendaSpec, do_create_session
from classroom.models import LiveSession
from realtime import broadcast
from realtime import hub as hubs
from realtime.events import validate_event
from scopecast.asgi import application
from slides.models import Slide

ORIGIN = (b"origin", b"http://testserver")
QUIET = {"presence", "roster"}


@dataclass
class Live:
    session: LiveSession
    slide: Slide
    other_slide: Slide


def make_live(course: Any, teacher: User) -> Live:
    slide = Slide.objects.create(
        title="Liver H&E", width=50_000, height=40_000, level_count=4, status="ready"
    )
    other = Slide.objects.create(
        title="Kidney PAS", width=20_000, height=10_000, level_count=3, status="ready"
    )
    session = do_create_session(
        course,
        title="Week 1",
        created_by=teacher,
        agenda=[
            AgendaSpec(
                slide, {"x": 25_000.0, "y": 20_000.0, "zoom": 0.5, "rotation": 0.0}, "notes"
            ),
            AgendaSpec(other),
        ],
        allow_guests=True,
    )
    session.state = LiveSession.State.LIVE
    session.save()
    return Live(session, slide, other)


def cookie_for(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def communicator(
    session_id: int,
    *,
    user: User | None = None,
    guest: str | None = None,
    since: int | None = None,
    origin: bytes = b"http://testserver",
    app: Any = application,
) -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(cookie_for)(user)))
    query = []
    if guest is not None:
        query.append(f"guest={guest}")
    if since is not None:
        query.append(f"since={since}")
    path = f"/ws/sessions/{session_id}/" + (("?" + "&".join(query)) if query else "")
    return WebsocketCommunicator(app, path, headers=headers)


async def connect(
    session_id: int,
    *,
    user: User | None = None,
    guest: str | None = None,
    since: int | None = None,
    app: Any = application,
) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """Connect and return the communicator with its first frame (snapshot or hello)."""
    comm = await communicator(session_id, user=user, guest=guest, since=since, app=app)
    connected, _ = await comm.connect(timeout=5)
    assert connected
    first = await comm.receive_json_from(timeout=5)
    assert first["type"] in ("snapshot", "hello"), first
    validate_event(first, delivered=True)
    return comm, first


async def close_code(comm: WebsocketCommunicator, wait: float = 5) -> int:
    """Wait for the server to close the socket; return the close code."""
    while True:
        output = await comm.receive_output(wait)
        if output["type"] == "websocket.close":
            return int(output.get("code", 1000))


async def refused_with(session_id: int, **kwargs: Any) -> int:
    comm = await communicator(session_id, **kwargs)
    connected, code = await comm.connect(timeout=5)
    if not connected:
        return int(code)
    return await close_code(comm)


async def recv(comm: WebsocketCommunicator, wait: float = 3) -> dict[str, Any]:
    """The next frame other than presence/roster chatter, validated."""
    while True:
        frame: dict[str, Any] = json.loads(await comm.receive_from(wait))
        validate_event(frame, delivered=True)
        if frame["type"] not in QUIET:
            return frame


async def recv_type(comm: WebsocketCommunicator, type_name: str, wait: float = 3) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await comm.receive_from(wait))
        validate_event(frame, delivered=True)
        if frame["type"] == type_name:
            return frame


def the_hub(session_id: int) -> hubs.SessionHub:
    """This loop's hub for the session (there must be one)."""
    hub = hubs.local_hub(session_id)
    assert hub is not None
    return hub


async def send(comm: WebsocketCommunicator, **frame: Any) -> None:
    await comm.send_to(text_data=json.dumps(frame))


async def silent(comm: WebsocketCommunicator, wait: float = 0.2) -> bool:
    return bool(await comm.receive_nothing(timeout=wait))


async def disconnect(*comms: WebsocketCommunicator) -> None:
    for comm in comms:
        with contextlib.suppress(Exception):
            await comm.disconnect()
    await asyncio.sleep(0)


@dataclass
class Captured:
    events: list[dict[str, Any]] = field(default_factory=list)

    def of(self, type_name: str) -> list[dict[str, Any]]:
        return [e["event"] for e in self.events if e["event"]["type"] == type_name]


@contextlib.contextmanager
def capture_send_event_calls() -> Iterator[Captured]:
    """Record every emitted event; each must match its shape in realtime/events.py."""
    captured = Captured()

    def hook(session_id: int, event: dict[str, Any], audience: str, seq: int | None) -> None:
        validate_event(event)
        captured.events.append(
            {"session_id": session_id, "event": event, "audience": audience, "seq": seq}
        )

    broadcast._captures.append(hook)
    try:
        yield captured
    finally:
        broadcast._captures.remove(hook)


# One frame of every teacher command, for the role-refusal tests.
TEACHER_FRAMES: list[dict[str, Any]] = [
    {"type": "open_slide", "slide_id": 1},
    {"type": "open_item", "index": 0},
    {"type": "set_viewport", "slide_id": 1, "x": 1.0, "y": 1.0, "zoom": 1.0},
    {"type": "pointer", "point": [1.0, 1.0]},
    {
        "type": "annotation_create",
        "slide_id": 1,
        "annotation": {"kind": "point", "points": [[1, 1]]},
    },
    {"type": "annotation_update", "id": 1, "colour": "#000000"},
    {"type": "annotation_delete", "id": 1},
    {"type": "lock", "locked": True},
    {"type": "spotlight", "participant": "u:1"},
    {"type": "spotlight_end"},
    {"type": "session_start"},
    {"type": "session_end"},
]
