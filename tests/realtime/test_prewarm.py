"""The teacher's views are prewarmed before students ask (see docs/protocol.md, "Prewarm").

The demo slides here have no files, so the tile server's prewarm pool logs
"prewarm of slide N skipped": that log line is the observable request.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from slides.prewarm import wait_for_prewarm
from tests.support.realtime import connect, disconnect, recv, send

pytestmark = pytest.mark.django_db(transaction=True)


async def _settled(caplog: pytest.LogCaptureFixture, expected: set[str]) -> set[str]:
    """The prewarmed slide ids once the requests (made after commit) went through."""
    for _ in range(100):
        await asyncio.to_thread(wait_for_prewarm, 10.0)
        if _prewarmed(caplog) == expected:
            break
        await asyncio.sleep(0.05)
    return _prewarmed(caplog)


def _prewarmed(caplog: pytest.LogCaptureFixture) -> set[str]:
    return {
        r.getMessage().split()[3]
        for r in caplog.records
        if r.name == "slides.prewarm" and r.getMessage().startswith("prewarm of slide")
    }


async def test_opening_an_item_prewarms_it_and_the_next_item(live, teacher, caplog):
    caplog.set_level(logging.INFO, logger="slides.prewarm")
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=0)
    await recv(t)
    expected = {str(live.slide.pk), str(live.other_slide.pk)}
    assert await _settled(caplog, expected) == expected
    await disconnect(t)


async def test_a_settled_viewport_is_prewarmed(live, teacher, caplog):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=1)  # the last item: nothing comes next
    await recv(t)
    await _settled(caplog, {str(live.other_slide.pk)})
    caplog.clear()
    caplog.set_level(logging.INFO, logger="slides.prewarm")
    await send(t, type="set_viewport", slide_id=live.other_slide.pk, x=5.0, y=5.0, zoom=1.0)
    await recv(t)
    assert _prewarmed(caplog) == set()  # not while the view may still move
    await asyncio.sleep(0.5)
    assert await _settled(caplog, {str(live.other_slide.pk)}) == {str(live.other_slide.pk)}
    await disconnect(t)
