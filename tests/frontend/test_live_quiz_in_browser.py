"""Live quizzes in real Chromium (issue 12): the teacher pushes a choice
question and a locate question from the console, two students answer (one
by clicking on the slide), the teacher's chart and click heatmap update, and
the reveal reaches each student with their own result. Then the server
restarts mid-question: the students reconnect by themselves, resync, and an
answer sent while the server was down is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import (
    LiveServer,
    launch_chromium,
    migrate_and_seed,
    running_server,
    seeded_server,
    server_env,
    server_log,
)
from tests.support.lecture import PHONE, open_live, screenshot, session_path, stage_centre

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SEED = ["-m", "tests.frontend.browser_seed"]


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with launch_chromium(chromium_path) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with seeded_server(tmp_path_factory.mktemp("quiz"), SEED) as live_server:
        yield live_server


def _class(browser: Browser, server: LiveServer) -> tuple[Page, Page, Page]:
    teacher = open_live(browser, server, "tess", session_path(server, "teach"))
    alice = open_live(browser, server, "alice", session_path(server))
    bob = open_live(browser, server, "bob", session_path(server), PHONE)
    teacher.get_by_role("button", name="1 Liver, H&E").click()
    for page in (teacher, alice, bob):
        page.wait_for_function("() => window.scopecastLive.viewer.tilesLoaded > 0")
    return teacher, alice, bob


def _push(teacher: Page, question_id: int) -> None:
    teacher.locator(".quiz-picker").select_option(str(question_id))
    teacher.get_by_role("button", name="Push to the class").click()


def _click_on_slide(page: Page, fx: float, fy: float) -> None:
    """Click the student's viewer where the slide's point (fx, fy) of its size is."""
    x, y = page.evaluate(
        """([fx, fy]) => { const v = window.scopecastLive.viewer;
             const [x, y] = v.screenPoint(v.slide.width * fx, v.slide.height * fy);
             const box = document.getElementById('live-stage').getBoundingClientRect();
             return [box.left + x, box.top + y]; }""",
        [fx, fy],
    )
    page.mouse.click(x, y)


def test_a_choice_and_a_locate_question_from_push_to_reveal(
    browser: Browser, server: LiveServer
) -> None:
    teacher, alice, bob = _class(browser, server)
    _push(teacher, server.seeded["choice_id"])
    for student in (alice, bob):
        student.wait_for_selector(".quiz-card >> text=Which cells line the sinusoids?")
    # Sending nothing is refused with a message, and nothing is sent.
    alice.get_by_role("button", name="Send answer").click()
    assert alice.locator(".quiz-status.error").inner_text() == "Choose an answer first."
    alice.get_by_text("Kupffer cells").click()
    alice.get_by_role("button", name="Send answer").click()
    bob.get_by_text("Hepatocytes").click()
    bob.get_by_role("button", name="Send answer").click()
    for student in (alice, bob):
        student.wait_for_selector(".quiz-status.saved")
    teacher.wait_for_selector(".quiz-count >> text=2 of 2 students answered")
    chart = teacher.locator(".chart-text")
    assert "Kupffer cells: 1 (50 %)" in chart.inner_text()
    assert teacher.locator(".bar-chart canvas").count() == 1
    screenshot(teacher, "quiz-teacher-chart")
    screenshot(bob, "quiz-student-phone")
    teacher.get_by_role("button", name="Reveal", exact=True).click()
    alice.wait_for_selector(".quiz-result.right")
    bob.wait_for_selector(".quiz-result.wrong")
    assert "Kupffer cells" in bob.locator(".quiz-key").inner_text()
    teacher.get_by_role("button", name="Take off screens").click()
    alice.wait_for_selector(".quiz-card", state="hidden")

    _push(teacher, server.seeded["locate_id"])
    for student in (alice, bob):
        student.wait_for_selector(".quiz-card >> text=Click anywhere in the left half")
    _click_on_slide(alice, 0.3, 0.5)  # inside the target (the left half)
    alice.wait_for_selector(".overlay-locate .locate-ring")
    alice.get_by_role("button", name="Send answer").click()
    bob.get_by_role("button", name="Hide").click()  # the phone's card gives way to the slide
    # The phone shows less around the same centre (the slide's): right of it is outside.
    x, y = stage_centre(bob)
    bob.mouse.click(x + 120, y - 100)
    bob.get_by_role("button", name="Show question").click()
    bob.get_by_role("button", name="Send answer").click()
    teacher.wait_for_selector(".quiz-count >> text=2 of 2 students answered")
    teacher.wait_for_selector(".overlay-clicks .heat-cell")
    screenshot(alice, "quiz-student-locate")
    teacher.get_by_role("button", name="Reveal", exact=True).click()
    alice.wait_for_selector(".quiz-result.right")
    bob.wait_for_selector(".quiz-result.wrong")
    teacher.wait_for_selector(".overlay-clicks .target-region")
    screenshot(teacher, "quiz-teacher-locate-heatmap")
    for page in (teacher, alice, bob):
        page.context.close()


def test_the_class_reconnects_after_a_restart_and_keeps_an_answer(
    browser: Browser, tmp_path: Path
) -> None:
    folder = tmp_path
    env = server_env(folder)
    seeded = migrate_and_seed(env, [*SEED, str(folder / "storage")])
    with running_server(folder, env) as url:
        port = int(url.rsplit(":", 1)[1])
        server = LiveServer(url=url, log=server_log(folder), env=env, storage=folder, seeded=seeded)
        teacher, alice, bob = _class(browser, server)
        _push(teacher, seeded["choice_id"])
        alice.wait_for_selector(".quiz-card >> text=Which cells line the sinusoids?")
        bob.wait_for_selector(".quiz-card >> text=Which cells line the sinusoids?")
    # The server is down: the pages say so, and an answer waits to be sent.
    for page in (alice, bob):
        page.wait_for_selector("#live-banner >> text=Connection lost")
    alice.get_by_text("Kupffer cells").click()
    alice.get_by_role("button", name="Send answer").click()
    assert alice.locator(".quiz-status").inner_text() == "Sending your answer…"
    with running_server(folder, env, port=port):
        for page in (teacher, alice, bob):
            page.wait_for_function(
                "() => window.scopecastLive.client.state.status === 'live'", timeout=60_000
            )
            assert page.locator("#live-banner").is_hidden()
        alice.wait_for_selector(".quiz-status.saved")
        teacher.wait_for_selector(".quiz-count >> text=1 of 2 students answered")
        bob.wait_for_selector(".quiz-card >> text=Which cells line the sinusoids?")
        assert bob.evaluate("() => window.scopecastLive.viewer.slide.id") == seeded["slide_id"]
        for page in (teacher, alice, bob):
            page.context.close()
