"""bench/tiles.py refuses to run without memcached instead of mislabelling
uncached tiles as "memcached" (see docs/tiles.md, "Benchmark")."""

from __future__ import annotations

import importlib.util
import socket
import socketserver
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deploy import exec_start

# bench/ is a folder of scripts, not a package: load the script by path.
_spec = importlib.util.spec_from_file_location(
    "bench_tiles", Path(__file__).resolve().parents[2] / "bench" / "tiles.py"
)
assert _spec is not None and _spec.loader is not None
bench_tiles = sys.modules["bench_tiles"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_tiles)  # (its dataclasses look themselves up in sys.modules)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _NotMemcached(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.recv(64)
        self.request.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")


@pytest.fixture
def http_server() -> Iterator[str]:
    server = socketserver.TCPServer(("127.0.0.1", 0), _NotMemcached)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_probe_reports_a_server_that_is_down() -> None:
    problem = bench_tiles.memcached_problem(f"127.0.0.1:{closed_port()}")
    assert problem is not None and "refused" in problem.lower()


def test_the_probe_reports_a_server_that_is_not_memcached(http_server: str) -> None:
    problem = bench_tiles.memcached_problem(http_server)
    assert problem is not None and "not memcached" in problem


def test_the_probe_reports_a_malformed_address() -> None:
    assert bench_tiles.memcached_problem("127.0.0.1:eleven") == "127.0.0.1:eleven: not host:port"
    assert bench_tiles.memcached_problem("") == "no server given"


def test_the_probe_accepts_a_running_memcached(memcached_servers: str) -> None:
    assert bench_tiles.memcached_problem(memcached_servers) is None


def test_the_benchmark_exits_non_zero_and_says_why_when_memcached_is_down(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench_tiles, "MEMCACHED", f"127.0.0.1:{closed_port()}")
    monkeypatch.setattr("sys.argv", ["bench/tiles.py"])

    assert bench_tiles.main() == 2
    err = capsys.readouterr().err
    assert "memcached is not available (BENCH_MEMCACHED=127.0.0.1:" in err


def test_the_benchmark_runs_uvicorn_as_the_tile_unit_does() -> None:
    argv = exec_start("scopecast-tiles@.service")
    options = bench_tiles.UVICORN_OPTIONS
    for i, option in enumerate(options):
        if "--log-level" in (option, options[i - 1]):
            continue  # the unit logs at the deployment's level
        if option.startswith("--"):
            assert option in argv
        else:  # the value of the option before it
            assert argv[argv.index(options[i - 1]) + 1] == option


def _workers(pid: int) -> list[int]:
    """uvicorn's worker processes (multiprocessing's resource tracker is not one)."""
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.parametrize("name", bench_tiles.SERVERS)
def test_the_benchmark_serves_one_port_from_several_server_processes(
    tmp_path: Path, name: str
) -> None:
    """``--processes 2``: two server processes share one listening socket, as deployed.

    daphne: two processes on one inherited socket; uvicorn: a supervisor and
    two workers (its ``--workers 2``).
    """
    env = bench_tiles.server_env(tmp_path / "db.sqlite3", tmp_path, "benchtest", local_mb=8)
    env["MEMCACHED_SERVERS"] = ""
    server = bench_tiles.Server(env, 2, name)
    try:
        serving = (
            [p.pid for p in server.procs] if name == "daphne" else _workers(server.procs[0].pid)
        )
        assert len(serving) == 2 and all(p.poll() is None for p in server.procs)
        for _ in range(40):  # each new connection is accepted by one of them
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
                conn.sendall(b"GET /slides/0_files/0/0_0.jpeg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert conn.recv(16).startswith(b"HTTP/1.1 4")
        assert all(p.poll() is None for p in server.procs)
        assert server.cpu_seconds() > 0  # summed over both
    finally:
        server.stop()
    assert all(p.poll() is not None for p in server.procs)
