"""Helpers for the live quiz websocket tests (tests/quizzes/test_live_ws_*.py).

They reuse the realtime helpers (tests/support/realtime.py): the ``live``
session, ``connect``, ``send``, ``recv`` and the event capture. Questions are
ad-hoc specs pushed by the teacher over the socket (docs/protocol.md,
"Quizzes"), so every test goes through the full ASGI stack.
"""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from classroom.actions.guests import do_join_as_guest
from classroom.models import LiveSession
from realtime.events import validate_event
from tests.support.realtime import recv_type, send

SINGLE: dict[str, Any] = {
    "prompt": "Which cell makes bile?",
    "explanation": "Hepatocytes secrete bile.",
    "time_limit": 60,
    "points": 2,
    "body": {
        "type": "single",
        "options": [
            {"id": "hep", "text": "Hepatocyte", "correct": True},
            {"id": "kup", "text": "Kupffer cell"},
            {"id": "ste", "text": "Stellate cell"},
        ],
    },
}


def locate_spec(slide_id: int) -> dict[str, Any]:
    return {
        "prompt": "Click a portal triad",
        "explanation": "Portal triads sit at the lobule corners.",
        "time_limit": 60,
        "slide_id": slide_id,
        "body": {
            "type": "locate",
            "regions": [{"kind": "rect", "x": 1000, "y": 1000, "width": 2000, "height": 2000}],
            "tolerance_px": 10,
        },
    }


async def guest_token(session: LiveSession, name: str) -> str:
    _, token = await database_sync_to_async(do_join_as_guest)(session.join_code, name)
    return str(token)


async def push(teacher: WebsocketCommunicator, spec: dict[str, Any], **options: Any) -> int:
    """Push an ad-hoc question; returns its live question id (from the teacher's frame)."""
    await send(teacher, type="quiz_push", question=spec, **options)
    frame = await recv_type(teacher, "quiz_question")
    return int(frame["live_question_id"])


async def answer(
    comm: WebsocketCommunicator, lq_id: int, client_id: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Send one answer; return the reply (``quiz_ack`` or ``error``)."""
    await send(
        comm, type="quiz_answer", live_question_id=lq_id, client_id=client_id, answer=payload
    )
    while True:
        frame: dict[str, Any] = json.loads(await comm.receive_from(5))
        validate_event(frame, delivered=True)
        if frame["type"] in ("quiz_ack", "error"):
            return frame


async def drain(comm: WebsocketCommunicator, quiet: float = 0.4) -> list[dict[str, Any]]:
    """Every frame until the socket has been quiet for ``quiet`` seconds, validated."""
    frames: list[dict[str, Any]] = []
    while not await comm.receive_nothing(timeout=quiet):
        frame: dict[str, Any] = json.loads(await comm.receive_from(1))
        validate_event(frame, delivered=True)
        frames.append(frame)
    return frames
