"""The viewer in a real browser: Debian's chromium, driven by Playwright.

A student logs in and OpenSeadragon loads JPEG tiles from the ASGI server; an
outsider sees the error state and gets no tiles. The server is daphne
(`manage.py runserver`, the ASGI dev server that also serves static files)
in a subprocess, on a free port, with its own SQLite database under tmp_path.
See docs/deploy.md ("Trying it out").
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Response, sync_playwright

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class LiveServer:
    url: str
    slide_id: int
    join_code: str
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # The embedded default: no services, an in-process tile cache.
        if k not in {"DATABASE_URL", "REDIS_URL", "MEMCACHED_SERVERS", "SLIDE_IMPORT_ROOTS"}
    }
    storage = tmp_path / "storage"
    storage.mkdir()
    (tmp_path / "var").mkdir()
    env.update(
        DJANGO_SETTINGS_MODULE="scopecast.settings",
        DEBUG="1",
        SCOPECAST_VAR_DIR=str(tmp_path / "var"),
        SLIDE_STORAGE_ROOT=str(storage),
        PYTHONPATH=str(ROOT),
        TILE_WORKERS="2",
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited early:\n{log.read_text()}")
        try:
            if httpx.get(url + "/accounts/login/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"server did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def live_server_asgi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module: migrating and seeding take a while on 2 cores."""
    tmp_path = tmp_path_factory.mktemp("asgi-server")
    env = _server_env(tmp_path)
    _run(["manage.py", "migrate", "--noinput", "-v0"], env)
    ids = json.loads(
        _run(["-m", "tests.frontend.browser_seed", env["SLIDE_STORAGE_ROOT"]], env).splitlines()[-1]
    )
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
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
        yield LiveServer(
            url=url, slide_id=int(ids["slide_id"]), join_code=str(ids["join_code"]), log=log
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def _log_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/")


def test_a_student_sees_the_slide_tiles_scale_bar_and_magnification(
    browser: Browser, live_server_asgi: LiveServer, tmp_path: Path
) -> None:
    server = live_server_asgi
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    tiles: list[Response] = []
    page.on("response", lambda r: tiles.append(r) if "_files/" in r.url else None)
    _log_in(page, server, "alice")
    page.screenshot(path=str(tmp_path / "home.png"))
    assert page.get_by_role("link", name="Liver, H&E").count() == 1

    page.goto(f"{server.url}/view/{server.slide_id}/")
    page.wait_for_function(
        "() => window.scopecastViewer && window.scopecastViewer.tilesLoaded >= 4"
    )
    page.wait_for_function("() => !document.getElementById('scale-bar').hidden")
    page.wait_for_timeout(800)  # let the opening animation settle before the screenshot
    page.screenshot(path=str(tmp_path / "viewer.png"))

    assert page.locator("#viewer-app").get_attribute("data-state") == "ready"
    assert page.locator("#slide-title").inner_text() == "Liver, H&E"
    ok = [r for r in tiles if r.status == 200]
    assert ok, f"no tile responses; server log:\n{server.log.read_text()}"
    assert all(r.headers["content-type"] == "image/jpeg" for r in ok)
    assert page.locator("#scale-bar-label").inner_text().endswith(("µm", "mm"))
    assert page.locator("#mag-readout").inner_text().endswith("\u00d7")  # e.g. 6.7x
    assert page.locator(".navigator").count() == 1

    page.locator("#btn-rotate-right").click()
    page.wait_for_function(
        "() => document.getElementById('rotation-readout').textContent === '90°'"
    )
    view = page.evaluate("() => window.scopecastViewer.getView()")
    assert view["rotation"] == 90
    assert 0 < view["x"] < 6000 and 0 < view["y"] < 4000

    # Tile URLs follow the current token: a spoilt one fails, a renewed one works.
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if "_files/" in r.url else None)
    source = "window.scopecastViewer.viewer.world.getItemAt(0).source"
    page.evaluate(f"() => {{ {source}.queryParams = '?v=1&t=0.spoilt'; }}")
    page.locator("#btn-zoom-in").click()
    page.wait_for_function("() => window.scopecastViewer.tilesFailed > 0")
    assert any("t=0.spoilt" in url for url in requested)
    page.evaluate("() => window.scopecastViewer.refreshToken()")
    page.wait_for_function(f"() => !{source}.queryParams.includes('spoilt')")
    loaded = page.evaluate("() => window.scopecastViewer.tilesLoaded")
    page.locator("#btn-zoom-in").click()
    page.wait_for_function(f"() => window.scopecastViewer.tilesLoaded > {loaded}")


def test_an_outsider_sees_the_error_state_and_gets_no_tiles(
    browser: Browser, live_server_asgi: LiveServer, tmp_path: Path
) -> None:
    server = live_server_asgi
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    tiles: list[str] = []
    page.on("request", lambda r: tiles.append(r.url) if "_files/" in r.url else None)
    _log_in(page, server, "olga")
    assert page.get_by_role("link", name="Liver, H&E").count() == 0

    page.goto(f"{server.url}/view/{server.slide_id}/")
    error = page.get_by_role("alert")
    error.wait_for(state="visible")
    page.screenshot(path=str(tmp_path / "outsider.png"))
    assert "Slide not found" in error.inner_text()
    assert page.locator("#viewer-app").get_attribute("data-state") == "error"
    assert tiles == []


def test_a_guest_joins_a_session_with_its_code_from_the_home_page(
    browser: Browser, live_server_asgi: LiveServer, tmp_path: Path
) -> None:
    server = live_server_asgi
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{server.url}/")
    page.get_by_label("Session code").fill("ZZZZZZ")
    page.get_by_label("Your name").fill("Gary")
    page.get_by_role("button", name="Join session").click()
    status = page.locator(".join-result")
    status.filter(has_text="No session has this join code.").wait_for()

    page.get_by_label("Session code").fill(server.join_code.lower())
    page.get_by_role("button", name="Join session").click()
    status.filter(has_text="You joined the session as Gary.").wait_for()
    page.screenshot(path=str(tmp_path / "joined.png"))
    session_id = page.locator("form.join-form").get_attribute("data-session-id")
    stored = page.evaluate(
        f"() => JSON.parse(sessionStorage.getItem('scopecast.guest.{session_id}'))"
    )
    assert stored["name"] == "Gary"
    assert stored["ws_url"].startswith(f"/ws/sessions/{session_id}/")
    assert stored["token"]
