"""The teacher console and projector mode in real Chromium (issue 12, docs/frontend.md
"Teacher console and projector").

A teacher and two students, each in a browser context of their own: the agenda's
next and previous move the class, rotation reaches the students, the roster tells
following from roaming, the class map draws a roaming student's view (on the slide
and on the navigator, as boxes or a heatmap), the keyboard help opens with `?` and
closes with Esc, and the projector's QR code decodes (jsQR, a decoder independent of
uqr that drew it) to the join URL. Screenshots of the console at 1366x768 and at
1920x1080 and of the projector go to var/screenshots/.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import LiveServer, launch_chromium, run_python, seeded_server
from tests.support.lecture import (
    PROJECTOR,
    ROOT,
    drag,
    open_live,
    screenshot,
    session_path,
    settled_view,
    stage_centre,
    wait_converged,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JSQR = ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js"
FULLY_LOADED = "() => window.scopecastLive.viewer.fullyLoaded"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    seed = ["-m", "tests.frontend.browser_seed"]
    with seeded_server(tmp_path_factory.mktemp("console"), seed) as live_server:
        yield live_server


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with launch_chromium(chromium_path) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def lecture(browser: Browser, server: LiveServer) -> Iterator[dict[str, Page]]:
    """The console and two students, with agenda item 1 open."""
    teacher = open_live(browser, server, "tess", session_path(server, "teach"))
    alice = open_live(browser, server, "alice", session_path(server))
    bob = open_live(browser, server, "bob", session_path(server))
    teacher.get_by_role("button", name="1 Liver, H&E").click()
    for page in (teacher, alice, bob):
        page.wait_for_function("() => window.scopecastLive.viewer.slide !== null")
    yield {"teacher": teacher, "alice": alice, "bob": bob}
    for page in (teacher, alice, bob):
        page.context.close()


def agenda_index(page: Page) -> Any:
    return page.evaluate(
        "() => { const b = document.querySelector('.agenda-open[aria-current=step]');"
        " return b ? b.querySelector('.agenda-number').textContent : null; }"
    )


def test_next_and_previous_move_the_class_to_the_saved_views(
    lecture: dict[str, Page], server: LiveServer
) -> None:
    teacher, alice, bob = lecture["teacher"], lecture["alice"], lecture["bob"]
    slide = teacher.evaluate("() => window.scopecastLive.viewer.slide")
    teacher.get_by_role("button", name="Next →").click()
    teacher.wait_for_function(
        "() => document.querySelector('.agenda-item.current .agenda-number').textContent === '2'"
    )
    # Item 2's saved view (tests/frontend/browser_seed.py): centre at 30 %, 40 %, zoom 0.5.
    saved = {
        "slide_id": slide["id"],
        "x": slide["width"] * 0.3,
        "y": slide["height"] * 0.4,
        "zoom": 0.5,
    }
    for page in (teacher, alice, bob):
        wait_converged(page, saved)
    # The keyboard goes back (P), and the class with it.
    teacher.locator("body").click(position={"x": 5, "y": 5})
    teacher.keyboard.press("p")
    teacher.wait_for_function(
        "() => document.querySelector('.agenda-item.current .agenda-number').textContent === '1'"
    )
    target = settled_view(teacher)
    assert abs(target["zoom"] - 0.5) > 0.01  # item 1 is the whole slide, not item 2's view
    for student in (alice, bob):
        wait_converged(student, target)
    assert agenda_index(teacher) == "1"
    # Any slide of the course, from the folded list of thumbnails: the whole slide, for everyone.
    teacher.get_by_text("All slides of the course (1)").click()
    teacher.locator(".slide-pick", has_text="Liver, H&E").click()
    teacher.wait_for_selector(".agenda-open[aria-current=step]", state="detached")
    assert teacher.locator(".slide-pick.current").count() == 1
    whole = settled_view(teacher)
    for student in (alice, bob):
        wait_converged(student, whole)


def test_a_long_drag_goes_out_at_most_20_set_viewport_a_second(lecture: dict[str, Page]) -> None:
    teacher, alice = lecture["teacher"], lecture["alice"]
    teacher.evaluate(
        """() => {
          const send = WebSocket.prototype.send;
          window.sentViewports = [];
          WebSocket.prototype.send = function (data) {
            if (typeof data === 'string' && data.includes('"set_viewport"')) window.sentViewports.push(performance.now());
            return send.call(this, data);
          };
        }"""
    )
    x, y = stage_centre(teacher)
    teacher.mouse.move(x, y)
    teacher.mouse.down()
    for i in range(40):  # continuous movement: a mouse event every 16 ms plus the round trip
        teacher.mouse.move(x + 150 * math.sin(i / 6), y + 80 * math.cos(i / 6))
        teacher.wait_for_timeout(16)
    teacher.mouse.up()
    target = settled_view(teacher)
    wait_converged(alice, target)
    times = teacher.evaluate("() => window.sentViewports")
    span = (times[-1] - times[0]) / 1000
    rate = (len(times) - 1) / span
    print(f"set_viewport frames: {len(times)} over {span:.2f} s = {rate:.1f}/s")
    assert len(times) >= 10  # the class was driven all along, not at the end only
    assert rate <= 21
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 45  # 50 ms between frames, a few ms of timer slack


def test_rotation_from_the_console_reaches_the_students(lecture: dict[str, Page]) -> None:
    teacher, alice = lecture["teacher"], lecture["alice"]
    teacher.get_by_role("button", name="Rotate 90° clockwise (])").click()
    alice.wait_for_function(
        "() => Math.round(window.scopecastLive.viewer.getView().rotation) === 90"
    )
    teacher.wait_for_function(
        "() => document.querySelector('.rotation-angle').textContent === '90°'"
    )
    teacher.keyboard.press("0")
    alice.wait_for_function(
        "() => Math.round(window.scopecastLive.viewer.getView().rotation) % 360 === 0"
    )
    settled_view(teacher)


def test_the_roster_and_the_class_map_show_a_roaming_student(lecture: dict[str, Page]) -> None:
    teacher, alice = lecture["teacher"], lecture["alice"]
    entry = teacher.locator(".roster-entry", has_text="Alice")
    assert entry.get_attribute("data-following") == "true"
    assert "Following" in entry.inner_text()
    x, y = stage_centre(alice)
    alice.mouse.move(x, y)
    alice.mouse.wheel(0, -300)  # zoom in: her box is smaller than the teacher's screen
    drag(alice, (x, y), (x + 200, y + 100))
    teacher.wait_for_selector(".roster-entry[data-following=false] >> text=Alice")
    assert "Roaming" in entry.inner_text()
    assert "1 roaming" in teacher.locator(".roster-summary").inner_text()
    # Her view, as a named box on the slide and on the navigator.
    box = teacher.locator(".overlay-classmap g.class-view", has_text="Alice")
    box.wait_for()
    teacher.wait_for_selector(".navigator-classmap .class-view-box")
    mine = settled_view(alice)
    # class_views come at most once a second: wait for the box of her settled view.
    teacher.wait_for_function(
        """(mine) => {
          const box = document.querySelector('.overlay-classmap .class-view-box');
          if (!box) return false;
          const r = box.getBoundingClientRect();
          const viewer = window.scopecastLive.viewer;
          const c = viewer.imagePoint({clientX: r.x + r.width / 2, clientY: r.y + r.height / 2});
          const tolerance = 40 / viewer.getView().zoom;
          return c !== null && Math.abs(c[0] - mine.x) < tolerance && Math.abs(c[1] - mine.y) < tolerance;
        }""",
        arg=mine,
    )
    screenshot(teacher, "console-classmap-laptop")
    # As a heatmap: no names; off: nothing.
    teacher.get_by_role("button", name="Heatmap").click()
    teacher.wait_for_selector(".overlay-classmap.classmap-heat .class-view")
    assert teacher.locator(".overlay-classmap .class-view-name").count() == 0
    teacher.get_by_role("button", name="Heatmap").click()
    teacher.keyboard.press("c")
    teacher.wait_for_selector(".overlay-classmap .class-view", state="detached")
    teacher.keyboard.press("c")
    box.wait_for()
    alice.get_by_role("button", name="Back to the teacher").click()
    teacher.wait_for_selector(".roster-entry[data-following=true] >> text=Alice")
    teacher.wait_for_selector(".overlay-classmap .class-view", state="detached", timeout=500)


def test_the_keyboard_help_opens_with_a_question_mark_and_closes_with_escape(
    lecture: dict[str, Page],
) -> None:
    teacher = lecture["teacher"]
    teacher.locator("body").click(position={"x": 5, "y": 5})
    teacher.keyboard.press("?")
    dialog = teacher.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    assert "Next agenda item" in dialog.inner_text()
    assert "Rotate 90° clockwise" in dialog.inner_text()
    # A modal dialog keeps the focus inside it.
    for _ in range(4):
        teacher.keyboard.press("Tab")
        assert teacher.evaluate(
            "() => document.getElementById('help-dialog').contains(document.activeElement)"
        )
    teacher.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    # A shortcut typed into a field is text, not a command.
    field = teacher.get_by_placeholder("Label text")
    field.fill("")
    field.type("?l")
    assert field.input_value() == "?l"
    assert not dialog.is_visible()
    assert (
        teacher.get_by_role("button", name="Lock follow").get_attribute("aria-pressed") == "false"
    )
    field.fill("")
    teacher.locator("body").click(position={"x": 5, "y": 5})


def test_console_screenshots_on_a_laptop_and_a_1920_screen(
    browser: Browser, server: LiveServer, lecture: dict[str, Page]
) -> None:
    teacher = lecture["teacher"]
    teacher.get_by_role("button", name="1 Liver, H&E").click()
    settled_view(teacher)
    teacher.wait_for_function(FULLY_LOADED)
    screenshot(teacher, "console-laptop")
    wide = open_live(browser, server, "tess", session_path(server, "teach"), PROJECTOR)
    wide.wait_for_function(FULLY_LOADED)
    # Everything the teacher needs is on screen without scrolling the page.
    assert wide.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight")
    for name in ("Lock follow", "Next →", "Heatmap"):
        assert wide.get_by_role("button", name=name).is_visible()
    screenshot(wide, "console-1920")
    wide.context.close()


def test_the_projector_qr_code_decodes_to_the_join_url(
    browser: Browser, server: LiveServer, lecture: dict[str, Page]
) -> None:
    page = open_live(browser, server, "tess", session_path(server, "project"), PROJECTOR)
    code = server.seeded["join_code"]
    assert page.locator("#join-code").inner_text() == code
    page.wait_for_function(FULLY_LOADED)
    # A clean view: no navigator, no roster, no tools.
    assert page.locator(".navigator").count() == 0
    assert page.locator(".roster-entry, .drawing-tools").count() == 0
    screenshot(page, "projector")
    join_url = page.evaluate(
        "() => window.scopecastLive.page.join_url"
    )  # SITE_ROOT + /join/<code>/
    assert join_url.endswith(f"/join/{code}/")
    markup = page.locator("svg.qr-code").evaluate("(e) => new XMLSerializer().serializeToString(e)")
    page.keyboard.press("j")
    assert not page.locator("#join-card").is_visible()
    page.keyboard.press("j")
    assert page.locator("#join-card").is_visible()
    page.context.close()

    decoder = browser.new_page()  # about:blank: no CSP, so jsQR can be loaded as a script
    decoder.add_script_tag(path=str(JSQR))
    text = decoder.evaluate(
        """async (markup) => {
          const image = new Image();
          image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(markup);
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = canvas.height = 400;
          const g = canvas.getContext('2d');
          g.drawImage(image, 0, 0, 400, 400);
          const found = jsQR(g.getImageData(0, 0, 400, 400).data, 400, 400);
          return found ? found.data : null;
        }""",
        markup,
    )
    decoder.close()
    assert text == join_url, json.dumps(text)


def test_questions_come_newest_first_and_are_marked_answered(lecture: dict[str, Page]) -> None:
    teacher, bob = lecture["teacher"], lecture["bob"]
    for text in ("What stain is this?", "Where is the portal vein?"):
        bob.get_by_label("A question for the teacher").fill(text)
        bob.get_by_role("button", name="Ask").click()
        teacher.wait_for_selector(f".qa-item >> text={text}")
    items = teacher.locator(".qa-item")
    assert "portal vein" in items.nth(0).inner_text()
    assert "stain" in items.nth(1).inner_text()
    done = items.nth(0).get_by_role("button", name="Answered")
    done.click()
    assert "answered" in str(items.nth(0).get_attribute("class"))
    assert done.get_attribute("aria-pressed") == "true"


def test_a_scheduled_session_is_started_from_the_console(
    browser: Browser, server: LiveServer, lecture: dict[str, Page]
) -> None:
    made = run_python(
        [
            "manage.py",
            "shell",
            "-c",
            "from classroom.models import LiveSession; s = LiveSession.objects.get(pk="
            f"{server.seeded['session_id']}); print(LiveSession.objects.create(course=s.course, "
            "title='Kidney, later').pk)",
        ],
        server.env,
    )
    path = f"/sessions/{made.strip().splitlines()[-1]}/"
    teacher = open_live(browser, server, "tess", path + "teach")
    student = open_live(browser, server, "bob", path)
    assert teacher.locator("#session-state").inner_text().lower() == "not started"
    assert not teacher.get_by_role("button", name="End session").is_visible()
    teacher.get_by_role("button", name="Start session").click()
    teacher.wait_for_function(
        "() => document.getElementById('session-state').dataset.state === 'live'"
    )
    assert teacher.get_by_role("button", name="End session").is_visible()
    assert not teacher.get_by_role("button", name="Start session").is_visible()
    student.wait_for_function(
        "() => document.getElementById('live-app').dataset.session === 'live'"
    )
    teacher.context.close()
    student.context.close()


def test_ending_the_session_asks_first_then_ends_it_for_the_class(lecture: dict[str, Page]) -> None:
    """Last in this module: the session is over after it."""
    teacher, alice = lecture["teacher"], lecture["alice"]
    end = teacher.get_by_role("button", name="End session")
    teacher.once("dialog", lambda dialog: dialog.dismiss())
    end.click()
    teacher.wait_for_timeout(300)
    assert teacher.locator("#session-state").inner_text().lower() == "live"
    assert not alice.locator("#live-ended").is_visible()
    teacher.once("dialog", lambda dialog: dialog.accept())
    end.click()
    alice.locator("#live-ended").wait_for()
    teacher.locator("#live-ended").wait_for()
    assert teacher.locator("#session-state").inner_text().lower() == "ended"
