"""Helpers for the live lecture's browser tests (tests/frontend/test_live_lecture_*.py).

Each person gets a browser context of their own on the real pages: the
teacher console, the student view, the projector. The pages expose their
context as ``window.scopecastLive`` (frontend/static/frontend/live/page.js),
which the helpers read: the viewer's view, the client's state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize

from tests.support.browser import LiveServer, log_in

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
PROJECTOR: ViewportSize = {"width": 1920, "height": 1080}
LIVE = "() => window.scopecastLive && window.scopecastLive.client.state.status === 'live'"
VIEW = "() => window.scopecastLive.viewer.getView()"
# The student's view is the target's: same slide and centre within 3 % of the
# screen, zoom within 3 %.
CONVERGED = """([target, width]) => {
  const v = window.scopecastLive.viewer.getView();
  if (!v || v.slide_id !== target.slide_id) return false;
  const tolerance = 0.03 * width / target.zoom;
  return Math.abs(v.x - target.x) < tolerance && Math.abs(v.y - target.y) < tolerance
    && Math.abs(v.zoom / target.zoom - 1) < 0.03;
}"""


def open_live(
    browser: Browser,
    server: LiveServer,
    username: str | None,
    path: str,
    viewport: ViewportSize = LAPTOP,
) -> Page:
    """A new context with ``username`` logged in (None: nobody), on ``path``, connected."""
    page = browser.new_context(viewport=viewport).new_page()
    if username:
        log_in(page, server.url, username)
    page.goto(f"{server.url}{path}")
    page.wait_for_function(LIVE)
    return page


def session_path(server: LiveServer, page: str = "") -> str:
    return f"/sessions/{server.seeded['session_id']}/{page}"


def view(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(VIEW)
    return found


def settled_view(page: Page) -> dict[str, Any]:
    """The view once the viewer stopped animating."""
    page.wait_for_function(
        "() => { const o = window.scopecastLive.viewer.osd; return o.world.getItemCount() > 0 "
        "&& Math.abs(o.viewport.getZoom(true) / o.viewport.getZoom() - 1) < 1e-3 "
        "&& o.viewport.getCenter(true).distanceTo(o.viewport.getCenter()) < 1e-6; }"
    )
    return view(page)


def wait_converged(page: Page, target: dict[str, Any], timeout: float = 10_000) -> None:
    width = page.viewport_size["width"] if page.viewport_size else LAPTOP["width"]
    page.wait_for_function(CONVERGED, arg=[target, width], timeout=timeout)


def stage_centre(page: Page) -> tuple[float, float]:
    box = page.locator("#live-stage").bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page: Page, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
