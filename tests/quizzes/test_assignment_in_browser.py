"""A student answers a self-paced assignment in a real browser (Debian's
chromium via Playwright), including a click on the slide for a locate
question; the teacher's results count the answers. See docs/quizzes.md."""

from __future__ import annotations

import json
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
from tests.frontend.test_viewer_in_browser import CHROMIUM_ARGS, _free_port, _run, _server_env

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Server:
    url: str
    assignment_id: int
    log: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("quiz-server")
    env = _server_env(tmp_path)
    _run(["manage.py", "migrate", "--noinput", "-v0"], env)
    out = _run(["-m", "tests.quizzes.browser_seed", env["SLIDE_STORAGE_ROOT"]], env)
    ids = json.loads(out.splitlines()[-1])
    port = _free_port()
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
