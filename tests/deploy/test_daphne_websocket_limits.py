"""The shipped daphne command line makes the documented websocket limits true
(docs/protocol.md, "Limits, errors and close codes"), and a client that closes
while the server answers leaves no traceback and a complete attendance log.

daphne itself (autobahn) cuts messages over ``--websocket-max-message-size``
by dropping the connection (1006). The unit raises that limit above the
application's own hard limit (1 MiB), so a frame between the two reaches the
consumer, which closes with 4413 as documented.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.daphne import Daphne, shipped_daphne

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def daphne(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daphne]:
    with shipped_daphne(tmp_path_factory.mktemp("daphne")) as server:
        yield server


async def _guest(daphne: Daphne, name: str) -> ClientConnection:
    import httpx

    async with httpx.AsyncClient() as http:
        joined = await http.post(
            f"{daphne.url}/courses/join",
            json={"code": daphne.seeded["join_code"], "name": name},
            headers={"X-Forwarded-For": f"10.1.{len(name)}.{sum(map(ord, name)) % 250}"},
        )
    assert joined.status_code == 201, joined.text
    ws = await connect(
        f"ws://127.0.0.1:{daphne.port}{joined.json()['ws_url']}",
        origin=f"http://127.0.0.1:{daphne.port}",  # type: ignore[arg-type]
        max_size=None,
        ping_interval=None,
    )
    assert json.loads(await ws.recv())["type"] == "snapshot"
    return ws


async def _close_code(ws: ClientConnection) -> int | None:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else 1006


def test_a_frame_over_64_kib_is_refused_with_an_error_frame(daphne: Daphne) -> None:
    async def probe() -> dict[str, object]:
        ws = await _guest(daphne, "Big Frame")
        await ws.send(json.dumps({"type": "ask", "text": "x" * (70 * 1024)}))
        reply: dict[str, object] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        await ws.close()
        return reply

    reply = asyncio.run(probe())
    assert (reply["type"], reply["code"]) == ("error", "too_large")


def test_a_frame_over_1_mib_closes_the_socket_with_4413(daphne: Daphne) -> None:
    async def probe() -> int | None:
        ws = await _guest(daphne, "Huge Frame")
        await ws.send("x" * (1024 * 1024 + 1024))
        return await _close_code(ws)

    assert asyncio.run(probe()) == 4413


def test_sockets_that_close_right_after_a_ping_leave_no_traceback_and_a_left_row_each(
    daphne: Daphne,
) -> None:
    async def ping_and_close(i: int) -> None:
        ws = await _guest(daphne, f"Pinger {i}")
        await ws.send(json.dumps({"type": "ping", "seq": 0}))
        await ws.close()

    async def many() -> None:
        for round_ in range(4):
            await asyncio.gather(*(ping_and_close(round_ * 10 + i) for i in range(10)))

    asyncio.run(many())
    db = Path(daphne.env["SCOPECAST_VAR_DIR"]) / "scopecast.sqlite3"
    for _ in range(50):  # the event log is written in batches (0.5 s)
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT type, json_extract(payload, '$.connection') FROM classroom_sessionevent "
                "WHERE type IN ('joined', 'left') AND actor LIKE 'g:%'"
            ).fetchall()
        joined = {c for t, c in rows if t == "joined"}
        left = {c for t, c in rows if t == "left"}
        if len(joined) >= 40 and joined == left:
            break
        asyncio.run(asyncio.sleep(0.2))
    assert len(joined) >= 40
    assert left == joined
    assert "Exception inside application" not in daphne.log_text()
