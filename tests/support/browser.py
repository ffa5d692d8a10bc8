"""Shared plumbing for the tests that run a real server and a real browser.

The server is daphne (`manage.py runserver`, the ASGI dev server that also
serves static files) in a subprocess on a free port, in the embedded default
(no services) with its own SQLite database and slide storage under a tmp
folder. The browser is Debian's chromium driven by Playwright.
See docs/deploy.md ("Trying it out").
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.personas import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 60
# The embedded default: no services, an in-process tile cache.
SERVICE_VARS = {"DATABASE_URL", "REDIS_URL", "MEMCACHED_SERVERS", "SLIDE_IMPORT_ROOTS"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(tmp_path: Path) -> dict[str, str]:
    """This process's environment for a server with a private database and storage.

    Creates ``tmp_path/var`` (the SQLite database) and ``tmp_path/storage``.
    """
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    (tmp_path / "storage").mkdir()
    (tmp_path / "var").mkdir()
    env.update(
        DJANGO_SETTINGS_MODULE="scopecast.settings",
        DEBUG="1",
        SCOPECAST_VAR_DIR=str(tmp_path / "var"),
        SLIDE_STORAGE_ROOT=str(tmp_path / "storage"),
        PYTHONPATH=str(ROOT),
        TILE_WORKERS="2",
    )
    return env


def run_python(args: list[str], env: dict[str, str]) -> str:
    """Runs ``python *args`` in the repository with ``env``; fails the test unless it succeeds."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def migrate_and_seed(env: dict[str, str], seed: list[str]) -> Any:
    """Migrates the server's database, runs the ``seed`` script and parses its last line as JSON."""
    run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
    return json.loads(run_python(seed, env).splitlines()[-1])


def server_log(tmp_path: Path) -> Path:
    """Where `running_server(tmp_path, ...)` writes the server's output."""
    return tmp_path / "server.log"


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited early:\n{log.read_text()}")
        try:
            if httpx.get(url + "/accounts/login/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"server did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()}")


@contextmanager
def running_server(tmp_path: Path, env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """Runs `manage.py runserver` (daphne) on a free port (or ``port``: a restart
    on the same address); yields its base URL.

    Waits until /accounts/login/ answers 200 and always terminates the server.
    Its output goes to `server_log(tmp_path)` (appended).
    """
    port = port or free_port()
    log = server_log(tmp_path)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL, log, environment, slide storage and seeded ids."""

    url: str
    log: Path
    env: dict[str, str]
    storage: Path
    seeded: dict[str, Any]


@contextmanager
def seeded_server(
    tmp_path: Path, seed: list[str], extra_env: Mapping[str, str] | None = None
) -> Iterator[LiveServer]:
    """`server_env` (plus ``extra_env``), `migrate_and_seed` and `running_server` in one.

    ``seed`` gets the storage folder as its last argument (``python *seed <storage>``).
    """
    env = server_env(tmp_path)
    env.update(extra_env or {})
    storage = tmp_path / "storage"
    seeded = migrate_and_seed(env, [*seed, str(storage)])
    with running_server(tmp_path, env) as url:
        yield LiveServer(url=url, log=server_log(tmp_path), env=env, storage=storage, seeded=seeded)


@contextmanager
def launch_chromium(chromium_path: str) -> Iterator[Browser]:
    """Headless chromium with the flags this machine needs; closed on exit."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def log_in(page: Page, base_url: str, username: str) -> None:
    """Logs ``username`` (a persona, with the shared password) in through the login form."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
