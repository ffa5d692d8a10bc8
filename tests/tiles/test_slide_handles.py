"""The bounded, locked LRU of open slides (slides.tiles.handles.SlideHandles; docs/tiles.md)."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from slides.tiles import errors, handles
from slides.tiles.handles import SlideHandle, SlideHandles, SlideRecord


@pytest.fixture
def records(slide_files: dict[str, Path], tmp_path: Path) -> list[SlideRecord]:
    """Three slide files (copies of the small generic TIFF), ids 1..3."""
    data = slide_files["generic"].read_bytes()
    made = []
    for slide_id in (1, 2, 3):
        path = tmp_path / f"slide-{slide_id}.tiff"
        path.write_bytes(data)
        made.append(SlideRecord(slide_id, 1, path, time.monotonic()))
    return made


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The slide ids handles.open_handle was called with, in order."""
    calls: list[int] = []
    real = handles.open_handle

    def counting(record: SlideRecord) -> SlideHandle:
        calls.append(record.slide_id)
        return real(record)

    monkeypatch.setattr(handles, "open_handle", counting)
    yield calls


def test_it_keeps_at_most_capacity_handles_and_evicts_the_least_recently_used(
    records: list[SlideRecord], opens: list[int]
) -> None:
    lru = SlideHandles(2)
    first = lru.get(records[0])
    lru.get(records[1])
    lru.get(records[2])

    assert len(lru) == 2
    assert lru.peek(1, 1) is None
    assert lru.peek(2, 1) is not None and lru.peek(3, 1) is not None
    assert opens == [1, 2, 3]
    assert first.osr.dimensions == (3000, 2000)  # a reader holding it can finish


def test_a_get_makes_a_handle_the_most_recently_used(
    records: list[SlideRecord], opens: list[int]
) -> None:
    lru = SlideHandles(2)
    lru.get(records[0])
    lru.get(records[1])
    lru.get(records[0])  # 1 is now newer than 2
    lru.get(records[2])

    assert lru.peek(1, 1) is not None
    assert lru.peek(2, 1) is None


def test_a_repeated_get_returns_the_open_handle_without_reopening_the_file(
    records: list[SlideRecord], opens: list[int]
) -> None:
    lru = SlideHandles(2)
    handle = lru.get(records[0])

    assert lru.get(records[0]) is handle
    assert lru.get(records[0]) is handle
    assert opens == [1]
    assert lru.opened == 1


def test_an_evicted_slide_is_closed_once_no_reader_holds_it(records: list[SlideRecord]) -> None:
    # Eviction does not call close() (a tile thread may still be reading);
    # dropping the last reference closes the OpenSlide handle.
    lru = SlideHandles(2)
    osr = weakref.ref(lru.get(records[0]).osr)
    lru.get(records[1])
    assert osr() is not None
    lru.get(records[2])
    gc.collect()

    assert osr() is None


def test_concurrent_gets_of_one_slide_from_threads_open_it_once(
    records: list[SlideRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    opening = threading.Event()
    release = threading.Event()
    real = handles.open_handle

    def slow_open(record: SlideRecord) -> SlideHandle:
        calls.append(record.slide_id)
        opening.set()
        assert release.wait(5)
        return real(record)

    monkeypatch.setattr(handles, "open_handle", slow_open)
    lru = SlideHandles(2)
    got: list[SlideHandle] = []
    threads = [threading.Thread(target=lambda: got.append(lru.get(records[0]))) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert opening.wait(5)
    time.sleep(0.2)  # every thread is now asking while the file is being opened
    release.set()
    for thread in threads:
        thread.join(5)

    assert len(got) == 8
    assert {id(h) for h in got} == {id(got[0])}
    assert calls == [1]
    assert len(lru) == 1


def test_a_failed_open_reaches_every_waiter_and_the_next_get_tries_again(
    records: list[SlideRecord], tmp_path: Path
) -> None:
    lru = SlideHandles(2)
    missing = SlideRecord(9, 1, tmp_path / "gone.tiff", time.monotonic())
    with pytest.raises(errors.TileNotFound, match="cannot be read"):
        lru.get(missing)
    assert len(lru) == 0
    missing.path.write_bytes(records[0].path.read_bytes())

    assert lru.get(missing).osr.dimensions == (3000, 2000)
