"""daphne as the shipped systemd unit runs it, on a free port (see docs/deploy.md, "Processes").

The command line is the unit's own ExecStart (deploy/systemd/scopecast-daphne@.service)
with only the virtualenv path and the port (``%i``) replaced, so a test
exercises the options production runs with. The environment is
``tests.support.browser.server_env`` (a private SQLite database and slide storage),
seeded with ``tests.frontend.browser_seed``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import free_port, migrate_and_seed, server_env
from tests.support.deploy import ROOT, exec_start

UNIT = "scopecast-daphne@.service"


def daphne_argv(port: int) -> list[str]:
    """The unit's ExecStart for ``port``, with this virtualenv's daphne."""
    argv = exec_start(UNIT)
    assert argv[0].endswith("/daphne"), argv
    return [str(Path(sys.executable).parent / "daphne")] + [
        a.replace("%i", str(port)) for a in argv[1:]
    ]


@dataclass(frozen=True)
class Daphne:
    port: int
    log: Path
    env: dict[str, str]
    seeded: dict[str, Any]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def shipped_daphne(tmp_path: Path, extra_env: Mapping[str, str] | None = None) -> Iterator[Daphne]:
    """A seeded daphne started with the unit's options; stopped (SIGTERM) on exit."""
    env = server_env(tmp_path)
    env.update(extra_env or {})
    seeded = migrate_and_seed(env, ["-m", "tests.frontend.browser_seed", str(tmp_path / "storage")])
    port = free_port()
    log = tmp_path / "daphne.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            daphne_argv(port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"daphne exited during start-up:\n{log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"daphne did not listen within 60 s:\n{log.read_text()}")
                time.sleep(0.2)
        yield Daphne(port, log, env, seeded)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
