"""A student answers a self-paced assignment in a real browser (Debian's
chromium via Playwright), including a click on the slide for a locate
question; the teacher's results count the answers. See docs/quizzes.md."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog

from tests.support.browser import LiveServer, launch_chromium, log_in, seeded_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Browser]:
    with launch_chromium(chromium_path) as browser:
        yield browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The frontend seed plus the demo question set assigned (``assignment_id``)."""
    seed = ["-m", "tests.quizzes.browser_seed"]
    with seeded_server(tmp_path_factory.mktemp("quiz-server"), seed) as server:
        yield server


def test_a_student_answers_in_the_browser_and_the_teacher_sees_it(
    browser: Browser, server: LiveServer, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    log_in(page, server.url, "alice")
    page.goto(f"{server.url}/quizzes/assignments/{server.seeded['assignment_id']}/")

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
    log_in(teacher, server.url, "tess")
    r = teacher.goto(
        f"{server.url}/quizzes/assignments/{server.seeded['assignment_id']}/results.json"
    )
    assert r is not None and r.ok
    alice = next(s for s in r.json()["students"] if s["name"] == "Alice")
    assert alice["answered"] == 2
    assert alice["correct"] == 2, server.log.read_text()[-3000:]


def test_it_renders_markup_in_a_prompt_as_text_and_only_inline_markdown_as_elements(
    browser: Browser, server: LiveServer
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, server.url, "alice")
    page.goto(f"{server.url}/quizzes/assignments/{server.seeded['markup_assignment_id']}/")

    question = page.locator(".quiz-question").first
    prompt = question.locator(".quiz-prompt").first
    prompt.wait_for()
    assert question.locator("img").count() == 0
    assert prompt.locator("strong").count() == 1
    assert prompt.locator("strong").inner_text() == "b"
    assert prompt.inner_text().startswith("<img src=x onerror=alert(1)>")

    explanation = question.locator(".quiz-reveal .quiz-prompt")
    assert explanation.locator("script").count() == 0
    assert explanation.locator("em").inner_text() == "e"
    assert "<script>alert(2)</script>" in explanation.inner_text()

    page.wait_for_timeout(500)  # an onerror handler would have run by now
    assert dialogs == []
    assert not [url for url in requested if url.rstrip("/").endswith("/x")]
