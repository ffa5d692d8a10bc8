"""The measuring tool and the overlays in real Chromium (issue 12, live/measure.js).

A student measures a length in µm and an area in mm² on the live student view
with real mouse drags and clicks, and sees a note when the zoom passes the
scan's native magnification; the solo viewer page has the same tool; the
overlays stay under OpenSeadragon's navigator. The seeded slide is 6000 x
4000 px at 0.25 µm/px, scanned at 40x (tests/frontend/browser_seed.py).
Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute

from tests.support.browser import LiveServer, launch_chromium, log_in, seeded_server
from tests.support.lecture import (
    LAPTOP,
    LIVE,
    PROJECTOR,
    drag,
    open_live,
    screenshot,
    session_path,
    settled_view,
    stage_centre,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MPP = 0.25
NUMBER = re.compile(r"([\d.]+) (µm|mm)")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    seed = ["-m", "tests.frontend.browser_seed"]
    with seeded_server(tmp_path_factory.mktemp("measure"), seed) as live_server:
        yield live_server


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with launch_chromium(chromium_path) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def student(browser: Browser, server: LiveServer) -> Iterator[Page]:
    """Alice on the student view, with the teacher's agenda item 1 open."""
    teacher = open_live(browser, server, "tess", session_path(server, "teach"))
    alice = open_live(browser, server, "alice", session_path(server))
    teacher.get_by_role("button", name="1 Liver, H&E").click()
    alice.wait_for_function("() => window.scopecastLive.viewer.slide !== null")
    settled_view(alice)
    yield alice
    for page in (teacher, alice):
        page.context.close()


def _microns(text: str) -> float:
    match = NUMBER.search(text)
    assert match, text
    value = float(match.group(1))
    return value * 1000 if match.group(2) == "mm" else value


def test_a_line_shows_its_length_in_micrometres(student: Page) -> None:
    zoom = student.evaluate("() => window.scopecastLive.viewer.zoom")
    cx, cy = stage_centre(student)
    student.get_by_role("button", name="Length", exact=True).click()
    drag(student, (cx - 150, cy), (cx + 150, cy), steps=10)
    readout = student.locator(".measure-readout")
    expected = 300 / zoom * MPP
    measured = _microns(readout.text_content() or "")
    assert abs(measured / expected - 1) < 0.02, (measured, expected)
    assert student.locator(".overlay-measure .measure-line").count() == 1
    screenshot(student, "measure-length")
    student.keyboard.press("Escape")
    assert student.locator(".overlay-measure path").count() == 0


def test_a_polygon_shows_its_area_in_square_millimetres(student: Page) -> None:
    zoom = student.evaluate("() => window.scopecastLive.viewer.zoom")
    cx, cy = stage_centre(student)
    student.get_by_role("button", name="Area", exact=True).click()
    corners = [
        (cx - 100, cy - 100),
        (cx + 100, cy - 100),
        (cx + 100, cy + 100),
        (cx - 100, cy + 100),
    ]
    for corner in [*corners, corners[0]]:
        student.mouse.click(*corner)
        student.wait_for_timeout(120)
    text = student.locator(".measure-readout").text_content() or ""
    match = re.search(r"([\d.]+) (mm²|µm²)", text)
    assert match, text
    area_mm2 = float(match.group(1)) * (1 if match.group(2) == "mm²" else 1e-6)
    expected = (200 / zoom * MPP) ** 2 * 1e-6
    assert abs(area_mm2 / expected - 1) < 0.03, (area_mm2, expected, text)
    assert "outline" in text
    screenshot(student, "measure-area")
    student.keyboard.press("Escape")


def test_a_note_shows_past_the_scans_native_magnification(student: Page) -> None:
    note = student.locator(".native-note")
    assert note.is_hidden()
    student.evaluate(
        "() => { const v = window.scopecastLive.viewer; "
        "v.setView({ ...v.getView(), zoom: 1.8 }, { immediate: true }); }"
    )
    note.wait_for(state="visible")
    times = "\N{MULTIPLICATION SIGN}"
    assert f"40{times}" in (note.text_content() or "")
    assert f"72{times}" in (student.locator(".magnification").text_content() or "")
    screenshot(student, "measure-native-note")
    student.evaluate(
        "() => { const v = window.scopecastLive.viewer; "
        "v.setView({ ...v.getView(), zoom: 0.5 }, { immediate: true }); }"
    )
    note.wait_for(state="hidden")


def test_the_overlays_stay_under_the_navigator(student: Page) -> None:
    """Even made clickable, every overlay is below the navigator at its centre."""
    cx, cy = stage_centre(student)
    student.get_by_role("button", name="Length", exact=True).click()
    drag(student, (cx - 300, cy - 200), (cx + 600, cy + 400), steps=10)
    result = student.evaluate(
        """() => {
          const osd = window.scopecastLive.viewer.osd;
          const nav = osd.navigator.element;
          const box = nav.getBoundingClientRect();
          for (const svg of document.querySelectorAll('.slide-overlay')) svg.style.pointerEvents = 'all';
          const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          for (const svg of document.querySelectorAll('.slide-overlay')) svg.style.pointerEvents = '';
          return {
            onNavigator: Boolean(hit && nav.contains(hit)),
            hit: hit ? hit.tagName + '.' + hit.getAttribute('class') : null,
            layersInCanvas: [...document.querySelectorAll('.slide-overlay')]
              .every((svg) => osd.canvas.contains(svg) && !nav.contains(svg)),
            navVisible: box.width > 20 && box.height > 20,
          };
        }"""
    )
    assert result["navVisible"], result
    assert result["onNavigator"], result
    assert result["layersInCanvas"], result
    student.keyboard.press("Escape")


def test_a_measurement_follows_rotation_and_zoom_at_a_constant_width(student: Page) -> None:
    """The overlay is redrawn in screen pixels: a horizontal line turns upright
    with a quarter turn and doubles with the zoom, its stroke stays 2 px."""
    cx, cy = stage_centre(student)
    student.get_by_role("button", name="Length", exact=True).click()
    # Slightly off horizontal: a path with an empty box has no bounding box in Playwright.
    drag(student, (cx - 100, cy), (cx + 100, cy + 3), steps=8)

    def extent() -> tuple[float, float, str]:
        # Read in one go: the overlay replaces its paths on every frame it redraws.
        found: list[Any] = student.evaluate(
            """() => { const el = document.querySelector('.overlay-measure .measure-line');
                 if (!el) return null; const box = el.getBoundingClientRect();
                 return [box.width, box.height, getComputedStyle(el).strokeWidth]; }"""
        )
        assert found is not None
        return float(found[0]), float(found[1]), str(found[2])

    w0, h0, stroke0 = extent()
    assert w0 > 150 and h0 < 20, (w0, h0)
    student.evaluate(
        "() => { const v = window.scopecastLive.viewer; const view = v.getView(); "
        "v.setView({ ...view, rotation: 90, zoom: view.zoom * 2 }, { immediate: true }); }"
    )
    student.wait_for_timeout(300)
    w1, h1, stroke1 = extent()
    assert w1 < 20 and abs(h1 / w0 - 2) < 0.1, (w0, w1, h1)
    assert stroke0 == stroke1 == "2px"
    student.keyboard.press("Escape")
    student.evaluate(
        "() => { const v = window.scopecastLive.viewer; const view = v.getView(); "
        "v.setView({ ...view, rotation: 0, zoom: view.zoom / 2 }, { immediate: true }); }"
    )


def test_the_solo_viewer_page_has_the_measuring_tool(browser: Browser, server: LiveServer) -> None:
    page = browser.new_context(viewport=LAPTOP).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, server.url, "alice")
    page.goto(f"{server.url}/view/{server.seeded['slide_id']}/")
    page.wait_for_function(
        "() => window.scopecastViewer && window.scopecastViewer.state === 'ready'"
    )
    page.wait_for_timeout(800)  # the opening animation
    zoom = page.evaluate(
        "() => { const v = window.scopecastViewer.viewer; "
        "return v.world.getItemAt(0).viewportToImageZoom(v.viewport.getZoom(true)); }"
    )
    box = page.locator("#osd").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.get_by_role("button", name="Length", exact=True).click()
    drag(page, (cx - 100, cy - 50), (cx + 100, cy - 50), steps=10)
    measured = _microns(page.locator(".measure-readout").text_content() or "")
    assert abs(measured / (200 / zoom * MPP) - 1) < 0.02, (measured, zoom)
    # The drag measured instead of panning.
    assert abs(page.evaluate("() => window.scopecastViewer.getView().x") - 3000) < 5
    screenshot(page, "measure-solo-viewer")
    assert errors == []
    page.context.close()


def test_a_refused_drawing_says_so_on_the_teachers_toolbar(
    browser: Browser, server: LiveServer, student: Page
) -> None:
    """The server refuses a point (moved off the slide on its way, as a
    stale or tampered client might send it); the teacher reads why, and
    nobody sees a drawing."""
    page = browser.new_context(viewport=LAPTOP).new_page()
    log_in(page, server.url, "tess")

    def tamper(ws: WebSocketRoute) -> None:
        upstream = ws.connect_to_server()

        def forward(message: str | bytes) -> None:
            if isinstance(message, str) and '"annotation_create"' in message:
                frame = json.loads(message)
                frame["annotation"]["points"] = [[-5000, -5000]]
                message = json.dumps(frame)
            upstream.send(message)

        ws.on_message(forward)

    page.route_web_socket(re.compile(r"/ws/sessions/"), tamper)
    page.goto(f"{server.url}{session_path(server, 'teach')}")
    page.wait_for_function(LIVE)
    page.wait_for_function("() => window.scopecastLive.viewer.slide !== null")
    settled_view(page)
    page.get_by_role("button", name="Point", exact=True).click()
    cx, cy = stage_centre(page)
    page.mouse.click(cx, cy)
    status = page.locator(".drawing-status")
    status.wait_for(state="visible")
    text = status.text_content() or ""
    assert text.startswith("The point was not saved: "), text
    assert page.locator(".overlay-annotations .drawing").count() == 0
    assert student.locator(".overlay-annotations .drawing").count() == 0
    screenshot(page, "drawing-refused")
    page.context.close()


def test_the_projector_has_the_measuring_tool(
    browser: Browser, server: LiveServer, student: Page
) -> None:
    page = open_live(browser, server, "tess", session_path(server, "project"), PROJECTOR)
    page.wait_for_function("() => window.scopecastLive.viewer.slide !== null")
    settled_view(page)
    zoom = page.evaluate("() => window.scopecastLive.viewer.zoom")
    cx, cy = stage_centre(page)
    page.get_by_role("button", name="Length", exact=True).click()
    drag(page, (cx - 200, cy + 100), (cx + 200, cy + 100), steps=10)
    measured = _microns(page.locator(".measure-readout").text_content() or "")
    assert abs(measured / (400 / zoom * MPP) - 1) < 0.02, (measured, zoom)
    screenshot(page, "measure-projector")
    page.context.close()
