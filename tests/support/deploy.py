"""Helpers for tests of the deployment files and real servers (see docs/deploy.md)."""

from __future__ import annotations

import ast
import configparser
import re
import shlex
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
ENV_READERS = {"envstr", "envbool", "envint", "envlist", "envpaths", "memcached_servers"}


def systemd_unit(name: str) -> configparser.RawConfigParser:
    """A unit file of deploy/systemd/, continuation lines joined."""
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((SYSTEMD / name).read_text().replace("\\\n", " "))
    return parser


def exec_start(name: str) -> list[str]:
    """The unit's ExecStart as an argv."""
    return shlex.split(systemd_unit(name)["Service"]["ExecStart"])


def settings_env_vars() -> set[str]:
    """Every variable scopecast/settings.py reads through the strict env helpers."""
    tree = ast.parse((ROOT / "scopecast" / "settings.py").read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ENV_READERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def env_example_vars() -> dict[str, bool]:
    """Variables named in deploy/env.example -> whether the line is active (not commented)."""
    found: dict[str, bool] = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        m = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=", line)
        if m:
            found[m.group(2)] = m.group(1) is None
    return found


# What a stand-in daphne answers to a GET: (path, headers) -> (content type, body).
Answer = Callable[[str, dict[str, str]], tuple[str, bytes]]


@contextmanager
def fake_upstream(answer: Answer) -> Iterator[int]:
    """An HTTP server on a free port standing in for daphne or a tile process; yields its port.

    Every GET gets a 200 with the content type and body ``answer`` gives.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            content_type, body = answer(self.path, dict(self.headers.items()))
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


def _error_log(prefix: Path) -> str:
    log = prefix / "error.log"
    return log.read_text() if log.exists() else "(no error.log)"


@contextmanager
def running_nginx(nginx: str, prefix: Path, conf: Path, port: int) -> Iterator[None]:
    """Runs ``nginx -p prefix -c conf`` until it accepts on ``port``; always terminates it.

    ``conf`` must run nginx in the foreground (``daemon off;``) and log errors
    to ``prefix/error.log``.
    """
    proc = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if proc.poll() is not None:
                pytest.fail(f"nginx exited: {_error_log(prefix)}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"nginx did not listen on port {port}: {_error_log(prefix)}")
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)
