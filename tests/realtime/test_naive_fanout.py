"""bench/fanout.py's naive baseline (bench/_fanout_asgi.py) speaks the same protocol,
so the benchmark compares two designs, not two protocols."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.realtime import connect, disconnect, recv, send, silent, the_hub

pytestmark = pytest.mark.django_db(transaction=True)

# bench/ is a folder of scripts, not a package: load the module by path.
_spec = importlib.util.spec_from_file_location(
    "bench_fanout_asgi", Path(__file__).resolve().parents[2] / "bench" / "_fanout_asgi.py"
)
assert _spec is not None and _spec.loader is not None
bench_asgi = sys.modules["bench_fanout_asgi"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_asgi)


@pytest.fixture
def naive() -> Iterator[Any]:
    undo = bench_asgi.install_naive()
    try:
        yield bench_asgi.naive_application
    finally:
        undo()


async def test_naive_fanout_delivers_the_same_frames_per_socket(live, teacher, alice, naive):
    t, _ = await connect(live.session.pk, user=teacher, app=naive)
    a, _ = await connect(live.session.pk, user=alice, app=naive)
    await send(t, type="open_item", index=0)
    opened = await recv(a)
    assert opened == await recv(t)
    await send(t, type="set_viewport", slide_id=live.slide.pk, x=3.0, y=4.0, zoom=1.0)
    assert (await recv(a))["viewport"]["x"] == 3.0
    await send(a, type="hand", raised=True)
    assert (await recv_until(t, "hand"))["seq"] == 3
    assert await silent(a)
    assert the_hub(live.session.pk).received == 0  # sockets subscribe, not the hub
    await disconnect(t, a)


async def recv_until(comm: Any, type_name: str) -> dict[str, Any]:
    while (frame := await recv(comm))["type"] != type_name:
        pass
    return frame
