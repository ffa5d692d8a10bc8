"""The viewer in a real browser: Debian's chromium, driven by Playwright.

A student logs in and OpenSeadragon loads JPEG tiles from the ASGI server; an
outsider sees the error state and gets no tiles. The server is daphne
(`manage.py runserver`, the ASGI dev server that also serves static files)
in a subprocess, on a free port, with its own SQLite database under tmp_path.
See docs/deploy.md ("Trying it out").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Response

from tests.support.browser import LiveServer, launch_chromium, log_in, seeded_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def live_server_asgi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module: migrating and seeding take a while on 2 cores.

    Seeded with the personas, a small real slide (``slide_id``) and a live
    session (``join_code``).
    """
    seed = ["-m", "tests.frontend.browser_seed"]
    with seeded_server(tmp_path_factory.mktemp("asgi-server"), seed) as server:
        yield server


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Browser]:
    with launch_chromium(chromium_path) as browser:
        yield browser


def test_a_student_sees_the_slide_tiles_scale_bar_and_magnification(
    browser: Browser, live_server_asgi: LiveServer, tmp_path: Path
) -> None:
    server = live_server_asgi
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    tiles: list[Response] = []
    page.on("response", lambda r: tiles.append(r) if "_files/" in r.url else None)
    log_in(page, server.url, "alice")
    page.screenshot(path=str(tmp_path / "home.png"))
    assert page.get_by_role("link", name="Liver, H&E").count() == 1

    page.goto(f"{server.url}/view/{server.seeded['slide_id']}/")
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
    # The readout rounds while the rotation animates; wait for it to settle.
    page.wait_for_function("() => window.scopecastViewer.getView().rotation === 90")
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
    log_in(page, server.url, "olga")
    assert page.get_by_role("link", name="Liver, H&E").count() == 0

    page.goto(f"{server.url}/view/{server.seeded['slide_id']}/")
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

    page.get_by_label("Session code").fill(server.seeded["join_code"].lower())
    page.get_by_role("button", name="Join session").click()
    session_id = server.seeded["session_id"]
    page.wait_for_url(f"{server.url}/sessions/{session_id}/")  # the session's page opens
    page.screenshot(path=str(tmp_path / "joined.png"))
    stored = page.evaluate(
        f"() => JSON.parse(sessionStorage.getItem('scopecast.guest.{session_id}'))"
    )
    assert stored["name"] == "Gary"
    assert stored["ws_url"].startswith(f"/ws/sessions/{session_id}/")
    assert stored["token"]
