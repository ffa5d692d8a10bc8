"""Per-connection, per-type rate limits (see docs/protocol.md, "Limits")."""

from __future__ import annotations

import pytest

from realtime.connection import TokenBucket
from tests.support.realtime import connect, disconnect, recv, send

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_token_bucket_allows_its_burst_then_its_rate():
    bucket = TokenBucket(rate=2.0, burst=3.0, stamp=0.0)
    assert [bucket.take(now=0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(now=0.5) is True
    assert bucket.take(now=0.5) is False


async def test_it_rate_limits_one_type_without_affecting_others(live, alice):
    a, _ = await connect(live.session.pk, user=alice)
    for _ in range(3):
        await send(a, type="ask", text="why?")  # burst 3, then 1 per 5 s
    await send(a, type="ask", text="why?", ref="q4")
    error = await recv(a)
    assert (error["type"], error["code"], error["ref"]) == ("error", "rate_limited", "q4")
    await send(a, type="ping", seq=0)
    assert (await recv(a))["type"] == "pong"
    await disconnect(a)
