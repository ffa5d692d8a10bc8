"""A broadcast to a big class does not hold the event loop for all its sockets
(see docs/protocol.md, "Fan-out and state"): the hub yields every
``DISPATCH_SLICE`` sockets, so the teacher's next frame is not kept waiting.
"""

from __future__ import annotations

import asyncio
from typing import Any

from realtime import hub as hubs
from realtime.connection import Connection


def _connection(
    i: int, sent: list[int], seen_other_task: list[bool], flag: list[bool]
) -> Connection:
    async def kick(code: int) -> None:
        return None

    conn = Connection(
        conn_id=f"c{i}",
        session_id=1,
        participant=f"u:{i}",
        role="student",
        name=f"S{i}",
        user_id=i,
        guest_id=None,
        kick=kick,
    )

    async def sender(message: dict[str, Any]) -> None:
        sent.append(i)
        seen_other_task.append(flag[0])

    conn.sender = sender
    conn.holding = False
    return conn


async def test_other_tasks_run_during_a_broadcast_to_many_sockets():
    size = hubs.DISPATCH_SLICE * 2 + 50
    sent: list[int] = []
    seen: list[bool] = []
    flag = [False]
    hub = hubs.SessionHub(1)
    hub.conns = {_connection(i, sent, seen, flag) for i in range(size)}

    async def teacher_frame() -> None:
        flag[0] = True

    other = asyncio.create_task(teacher_frame())
    await hub.dispatch({"text": '{"type":"pointer"}', "audience": "all", "key": "pointer"})
    await other
    assert sorted(sent) == list(range(size))  # everyone got the frame, once
    assert seen[: hubs.DISPATCH_SLICE] == [False] * hubs.DISPATCH_SLICE
    assert all(seen[hubs.DISPATCH_SLICE :])  # the other task ran after one slice
