"""Daphne tuning (scopecast/serving.py): Twisted's redundant access line is dropped, the GC is tuned."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from daphne.http_protocol import HTTPFactory

from scopecast import serving
from tests.support.browser import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_twisted_no_longer_formats_a_line_for_every_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(HTTPFactory, "log", HTTPFactory.log)  # restored after the test
    assert serving.quiet_twisted_access_log()
    factory = HTTPFactory(server=None)

    def formatter(*args: Any) -> str:
        raise AssertionError("the access line was formatted")

    factory._logFormatter = formatter
    factory.log(object())


def test_without_daphne_nothing_is_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("daphne.http_protocol", "daphne.server"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(HTTPFactory, "log", HTTPFactory.log)
    before = HTTPFactory.log
    assert not serving.quiet_twisted_access_log()
    assert HTTPFactory.log is before


def test_daphnes_own_access_log_still_gets_every_request(tmp_path: Path) -> None:
    port = free_port()
    access = tmp_path / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scopecast.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SCOPECAST_VAR_DIR": str(tmp_path / "var"),
        "SCOPECAST_INPROCESS_WORKER": "0",
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    command += ["--access-log", str(access), "scopecast.asgi:application"]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "daphne exited during start-up"
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=0.5)
                break
            except OSError:
                assert time.monotonic() < deadline, "daphne did not listen"
                time.sleep(0.2)
        with conn:
            # A tile URL with a bad id: answered by the tile fast path, no database needed.
            conn.sendall(b"GET /slides/0_files/1/0_0.jpeg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            conn.settimeout(10)
            assert conn.recv(65536).startswith(b"HTTP/1.1 ")
        for _ in range(100):
            if "/slides/0_files/1/0_0.jpeg" in access.read_text():
                break
            time.sleep(0.05)
        assert "/slides/0_files/1/0_0.jpeg" in access.read_text()
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_gc_is_tuned_only_in_a_serving_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "daphne.cli", raising=False)
    monkeypatch.delitem(sys.modules, "uvicorn.server", raising=False)
    before = gc.get_threshold()
    assert not serving.tune_gc_for_serving()
    assert gc.get_threshold() == before


@pytest.mark.parametrize("server_module", ["daphne.cli", "uvicorn.server"])
def test_under_a_server_the_startup_heap_is_frozen_and_collections_are_rarer(
    server_module: str,
) -> None:
    # A fresh interpreter: freezing this one would change the rest of the suite.
    script = (
        f"import gc, {server_module}\n"
        "from scopecast import serving\n"
        "startup = [object() for _ in range(3)] + [[] for _ in range(1000)]\n"
        "assert serving.tune_gc_for_serving()\n"
        "print(gc.get_freeze_count() >= 1000, gc.get_threshold() == serving.SERVING_GC_THRESHOLDS)\n"
        "a = []; a.append(a); del a\n"  # a cycle made after start-up is still collected
        "print(gc.collect() >= 1)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "True", "True"]
