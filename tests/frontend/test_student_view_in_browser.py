"""The student view in real Chromium, beyond the lecture's main flows
(tests/frontend/test_live_lecture_in_browser.py): a reload lands back in the
same state, and a student on a touch phone roams and taps back to the teacher
(issue 12, "Student view"; docs/frontend.md). Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import LiveServer, launch_chromium, log_in, seeded_server
from tests.support.lecture import (
    LIVE,
    PHONE,
    drag,
    open_live,
    screenshot,
    session_path,
    settled_view,
    stage_centre,
    view,
    wait_converged,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FOLLOW = "() => document.getElementById('live-app').dataset.follow"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    seed = ["-m", "tests.frontend.browser_seed"]
    with seeded_server(tmp_path_factory.mktemp("student"), seed) as live_server:
        yield live_server


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with launch_chromium(chromium_path) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def teacher(browser: Browser, server: LiveServer) -> Iterator[Page]:
    """The console with agenda item 2 (a zoomed view) open."""
    page = open_live(browser, server, "tess", session_path(server, "teach"))
    page.get_by_role("button", name="2 Liver, H&E").click()
    page.wait_for_function("() => window.scopecastLive.viewer.slide !== null")
    yield page
    page.context.close()


def test_a_reload_lands_in_the_same_state(
    browser: Browser, server: LiveServer, teacher: Page
) -> None:
    alice = open_live(browser, server, "alice", session_path(server))
    wait_converged(alice, settled_view(teacher))
    teacher.get_by_role("button", name="Lock follow").click()
    alice.wait_for_function("() => document.getElementById('live-app').dataset.locked === 'true'")
    alice.reload()
    alice.wait_for_function(LIVE)
    # Same slide, the teacher's view, still locked: the chip says so and a drag
    # does not move the view.
    wait_converged(alice, view(teacher))
    assert "locked" in alice.locator("#follow-chip").inner_text()
    before = settled_view(alice)
    x, y = stage_centre(alice)
    drag(alice, (x, y), (x + 200, y + 100))
    alice.wait_for_timeout(400)
    after = settled_view(alice)
    assert abs(after["x"] - before["x"]) < 1 and abs(after["y"] - before["y"]) < 1
    assert alice.evaluate(FOLLOW) == "following"
    teacher.get_by_role("button", name="Locked: everyone follows").click()  # unlock
    alice.wait_for_function("() => document.getElementById('live-app').dataset.locked === 'false'")
    alice.context.close()


def test_a_student_on_a_touch_phone_roams_and_taps_back(
    browser: Browser, server: LiveServer, teacher: Page
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    bob = context.new_page()
    log_in(bob, server.url, "bob")
    bob.goto(f"{server.url}{session_path(server)}")
    bob.wait_for_function(LIVE)
    wait_converged(bob, settled_view(teacher))
    # A one-finger drag pans: the student roams.
    x, y = stage_centre(bob)
    cdp = context.new_cdp_session(bob)  # real touch input (OpenSeadragon reads pointer events)
    for kind, dy in [("touchStart", 0)] + [("touchMove", d) for d in range(10, 130, 10)]:
        points = [{"x": x, "y": y + dy, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    bob.wait_for_function(f"() => ({FOLLOW})() === 'roaming'")
    back = bob.get_by_role("button", name="Back to the teacher")
    box = back.bounding_box()
    assert box is not None and box["height"] >= 44, (
        box
    )  # a finger can hit it (live.css, pointer: coarse)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    screenshot(bob, "student-phone-roaming")
    settled_view(bob)  # the flick has ended
    back.tap()
    wait_converged(bob, view(teacher))
    assert bob.evaluate(FOLLOW) == "following"
    context.close()


def test_a_slide_that_cannot_be_loaded_says_what_to_do(
    browser: Browser, server: LiveServer, teacher: Page
) -> None:
    context = browser.new_context()
    page = context.new_page()
    log_in(page, server.url, "alice")
    # The tile server cannot describe the slide (still preparing, or gone).
    page.route(re.compile(r"\.dzi(\?|$)"), lambda route: route.fulfill(status=503, body="busy"))
    page.goto(f"{server.url}{session_path(server)}")
    page.wait_for_function(LIVE)
    waiting = page.locator("#live-waiting")
    waiting.get_by_text("The slide could not be loaded").wait_for()
    assert "Reload the page in a moment" in waiting.inner_text()
    page.wait_for_function(
        "() => document.getElementById('live-announcer').textContent.includes('could not be loaded')"
    )
    context.close()
