"""The tile path's memcached batcher (slides/tilecache.py, docs/tiles.md "Memcached batching")."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from pymemcache.client.base import Client as MemcacheClient

from slides.tilecache import LocalTileCache, MemcachedTileCache, RemoteBatcher, TileCache
from tests.support.browser import free_port

pytestmark = pytest.mark.services


@pytest.fixture
def remote(memcached_servers: str) -> Iterator[MemcachedTileCache]:
    host, _, port = memcached_servers.split(",")[0].rpartition(":")
    cache = MemcachedTileCache([(host, int(port))], ttl=60)
    yield cache
    cache.close()


@pytest.fixture
def client(memcached_servers: str) -> MemcacheClient:
    host, _, port = memcached_servers.split(",")[0].rpartition(":")
    return MemcacheClient((host, int(port)), connect_timeout=1, timeout=1)


class Answers:
    """Collects lookup callbacks; ``wait`` blocks until ``n`` arrived."""

    def __init__(self) -> None:
        self.values: dict[str, bytes | None] = {}
        self._cond = threading.Condition()

    def callback(self, key: str) -> Callable[[bytes | None], None]:
        def done(value: bytes | None) -> None:
            with self._cond:
                self.values[key] = value
                self._cond.notify_all()

        return done

    def wait(self, n: int) -> dict[str, bytes | None]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.values) >= n, 10)
        return self.values


def hold(gate: threading.Event) -> Callable[[bytes | None], None]:
    """A callback that keeps the batcher thread until ``gate`` is set."""

    def wait(_: bytes | None) -> None:
        gate.wait(5)

    return wait


def test_queued_lookups_go_as_one_multi_get_and_hits_fill_l1(
    remote: MemcachedTileCache,
    client: MemcacheClient,
    cache_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = [f"{cache_prefix}:k{i}" for i in range(20)]
    for key in keys[:10]:
        # With a reply: a noreply set may still be queued on its connection
        # when the batcher's get arrives on another one.
        assert client.set(key, key.encode(), noreply=False)
    multi_gets: list[int] = []
    real_get_many = remote.get_many

    def get_many(batch: list[str]) -> dict[str, bytes]:
        multi_gets.append(len(batch))
        return real_get_many(batch)

    monkeypatch.setattr(remote, "get_many", get_many)
    local = LocalTileCache(1 << 20)
    batcher = RemoteBatcher(remote, local)
    answers = Answers()
    gate = threading.Event()
    # Hold the thread in a first callback so the next twenty queue up behind it.
    batcher.lookup(f"{cache_prefix}:hold", hold(gate))
    for key in keys:
        batcher.lookup(key, answers.callback(key))
    gate.set()
    found = answers.wait(20)
    batcher.close()
    assert {k: v for k, v in found.items() if v is not None} == {k: k.encode() for k in keys[:10]}
    assert all(found[k] is None for k in keys[10:])
    assert len(multi_gets) <= 2 and sum(multi_gets) == 21  # not one round trip a key
    assert local.get(keys[3]) == keys[3].encode() and local.get(keys[15]) is None


def test_fills_are_written_before_lookups_of_the_same_batch(
    remote: MemcachedTileCache, client: MemcacheClient, cache_prefix: str
) -> None:
    batcher = RemoteBatcher(remote, None)
    answers = Answers()
    gate = threading.Event()
    batcher.lookup(f"{cache_prefix}:hold", hold(gate))
    batcher.store(f"{cache_prefix}:a", b"\xff\xd8 tile a")
    batcher.lookup(f"{cache_prefix}:a", answers.callback("a"))
    gate.set()
    assert answers.wait(1)["a"] == b"\xff\xd8 tile a"
    batcher.close()  # finishes what is queued
    assert client.get(f"{cache_prefix}:a") == b"\xff\xd8 tile a"


def test_a_failing_callback_does_not_stop_the_thread(
    remote: MemcachedTileCache, cache_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    batcher = RemoteBatcher(remote, None)
    answers = Answers()

    def broken(value: bytes | None) -> None:
        raise RuntimeError("waiter bug")

    batcher.lookup(f"{cache_prefix}:x", broken)
    batcher.lookup(f"{cache_prefix}:y", answers.callback("y"))
    assert answers.wait(1) == {"y": None}
    batcher.close()
    assert any("lookup callback" in r.getMessage() for r in caplog.records)


def test_memcached_down_answers_every_lookup_with_a_miss() -> None:
    cache = TileCache(None, MemcachedTileCache([("127.0.0.1", free_port())], ttl=60))
    answers = Answers()
    cache.store("k1", b"bytes")  # not stored, and nothing raised
    for key in ("k2", "k3"):
        cache.lookup(key, answers.callback(key))
    assert answers.wait(2) == {"k2": None, "k3": None}
    cache.close()


def test_without_memcached_a_lookup_answers_at_once() -> None:
    cache = TileCache(LocalTileCache(1 << 20), None)
    answers = Answers()
    cache.store("k", b"bytes")
    cache.lookup("k", answers.callback("k"))
    assert answers.values == {"k": None}  # L1 is the caller's to check first
    assert cache.get_local("k") == b"bytes"
