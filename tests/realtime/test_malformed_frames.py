"""Malformed frames get an error frame and the socket stays open (see docs/protocol.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from realtime.commands import MAX_FRAME_BYTES
from tests.support.realtime import close_code, connect, disconnect, recv, send

pytestmark = pytest.mark.django_db(transaction=True)


async def _error_for(comm: Any, text: str) -> dict[str, Any]:
    await comm.send_to(text_data=text)
    frame = await recv(comm)
    assert frame["type"] == "error", frame
    return frame


async def _still_open(comm) -> None:
    await send(comm, type="ping", seq=0)
    assert (await recv(comm))["type"] == "pong"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "bad_json"),
        ('{"type": "ping", "seq": NaN}', "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('"ping"', "bad_frame"),
        ('{"seq": 1}', "bad_frame"),
        ('{"type": 7}', "bad_frame"),
        ('{"type": "launch_missiles"}', "unknown_type"),
        ('{"type": "set_viewport", "slide_id": "1", "x": 1, "y": 1, "zoom": 1}', "invalid"),
        ('{"type": "set_viewport", "slide_id": 1, "x": "1", "y": 1, "zoom": 1}', "invalid"),
        ('{"type": "set_viewport", "slide_id": 1, "x": 1, "y": 1}', "invalid"),
        ('{"type": "set_viewport", "slide_id": 1, "x": 1, "y": 1, "zoom": 1, "z": 2}', "invalid"),
        ('{"type": "set_viewport", "slide_id": 1, "x": 1, "y": 1, "zoom": 0}', "out_of_range"),
        ('{"type": "set_viewport", "slide_id": 1, "x": 1e99, "y": 1, "zoom": 1}', "out_of_range"),
        (
            '{"type": "set_viewport", "slide_id": 1, "x": 1, "y": 1, "zoom": 1, "rotation": 720}',
            "out_of_range",
        ),
        ('{"type": "set_viewport", "slide_id": -1, "x": 1, "y": 1, "zoom": 1}', "out_of_range"),
        ('{"type": "lock", "locked": "yes"}', "invalid"),
        ('{"type": "pointer", "point": [1]}', "invalid"),
        ('{"type": "ping", "seq": -1}', "out_of_range"),
        (
            '{"type": "annotation_create", "slide_id": 1, "annotation": {"kind": "blob", "points": [[1, 1]]}}',
            "invalid",
        ),
        (
            '{"type": "annotation_create", "slide_id": 1, "annotation": {"kind": "point", "colour": "red", "points": [[1, 1]]}}',
            "invalid",
        ),
    ],
)
async def test_it_answers_a_malformed_frame_with_an_error_and_stays_open(live, teacher, text, code):
    comm, _ = await connect(live.session.pk, user=teacher)
    frame = await _error_for(comm, text)
    assert frame["code"] == code
    assert frame["message"]
    await _still_open(comm)
    await disconnect(comm)


async def test_it_echoes_the_ref_of_a_bad_frame(live, teacher):
    comm, _ = await connect(live.session.pk, user=teacher)
    frame = await _error_for(comm, json.dumps({"type": "lock", "locked": 1, "ref": "r-17"}))
    assert (frame["code"], frame["ref"]) == ("invalid", "r-17")
    await disconnect(comm)


async def test_it_rejects_binary_frames(live, alice):
    comm, _ = await connect(live.session.pk, user=alice)
    await comm.send_to(bytes_data=b"\x00\x01")
    frame = await recv(comm)
    assert (frame["type"], frame["code"]) == ("error", "binary")
    await _still_open(comm)
    await disconnect(comm)


async def test_it_rejects_an_oversize_frame_and_stays_open(live, teacher):
    comm, _ = await connect(live.session.pk, user=teacher)
    text = json.dumps({"type": "ask", "text": "x" * MAX_FRAME_BYTES})
    frame = await _error_for(comm, text)
    assert frame["code"] == "too_large"
    await _still_open(comm)
    await disconnect(comm)


async def test_it_closes_with_4413_on_a_frame_beyond_the_hard_limit(live, teacher):
    comm, _ = await connect(live.session.pk, user=teacher)
    await comm.send_to(text_data="x" * (1024 * 1024 + 1))
    assert await close_code(comm) == 4413


async def test_it_closes_with_4429_on_persistent_abuse(live, alice, settings):
    settings.REALTIME_ABUSE_LIMIT = 5
    comm, _ = await connect(live.session.pk, user=alice)
    for _ in range(4):
        await _error_for(comm, "{nope")
    await comm.send_to(text_data="{nope")
    assert await close_code(comm) == 4429
