"""A student answers a self-paced assignment in a real browser (Debian's
chromium via Playwright), including a click on the slide for a locate
question; the teacher's results count the answers. See docs/quizzes.md."""

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
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(tmp_path: Path) -> dict[str, str]:
    """The embedded default (no services) with a private database and storage."""
    drop = {"DATABASE_URL", "REDIS_URL", "MEMCACHED_SERVERS", "SLIDE_IMPORT_ROOTS"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
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


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class Server:
    url: str
    assignment_id: int
    log: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("quiz-server")
    env = server_env(tmp_path)
    run(["manage.py", "migrate", "--noinput", "-v0"], env)
    out = run(["-m", "tests.quizzes.browser_seed", env["SLIDE_STORAGE_ROOT"]], env)
    ids = json.loads(out.splitlines()[-1])
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited early:\n{log.read_text()}")
            try:
                if httpx.get(url + "/accounts/login/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not answer:\n{log.read_text()}")
            time.sleep(0.3)
        yield Server(url=url, assignment_id=int(ids["assignment_id"]), log=log)
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
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def log_in(page: Page, server: Server, username: str) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/")


def test_a_student_answers_in_the_browser_and_the_teacher_sees_it(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    log_in(page, server, "alice")
    page.goto(f"{server.url}/quizzes/assignments/{server.assignment_id}/")

    first = page.locator(".quiz-question").nth(0)
    first.get_by_label("Kupffer cells").check()
    first.get_by_role("button", name="Save answer").click()
    first.locator(".quiz-status").filter(has_text="Answer saved at").wait_for()

    locate = page.locator(".quiz-question").filter(has_text="centre of the tissue")
    locate.scroll_into_view_if_needed()
    canvas = locate.locator(".quiz-osd canvas").first
    canvas.wait_for()
    page.wait_for_timeout(1500)  # let OpenSeadragon open and settle
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    locate.locator(".quiz-readout").filter(has_text="Your point").wait_for()
    locate.get_by_role("button", name="Save answer").click()
    locate.locator(".quiz-status").filter(has_text="Answer saved at").wait_for()
    page.screenshot(path=str(tmp_path / "assignment.png"), full_page=True)

    teacher = browser.new_page()
    log_in(teacher, server, "tess")
    r = teacher.goto(f"{server.url}/quizzes/assignments/{server.assignment_id}/results.json")
    assert r is not None and r.ok
    alice = next(s for s in r.json()["students"] if s["name"] == "Alice")
    assert alice["answered"] == 2
    assert alice["correct"] == 2, server.log.read_text()[-3000:]
