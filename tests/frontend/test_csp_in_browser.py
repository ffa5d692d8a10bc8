"""Every page keeps to the strict Content-Security-Policy in Chromium (issue 12).

The policy (scopecast/csp.py) refuses inline scripts and styles; a page that
needs one breaks only in the browser. Each page is loaded as the person who
uses it, exercised a little (a chart drawn, the help dialog opened, the
projector's QR code), and any `securitypolicyviolation` event or CSP console
message fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import LiveServer, launch_chromium, log_in, seeded_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    seed = ["-m", "tests.frontend.browser_seed"]
    with seeded_server(tmp_path_factory.mktemp("csp"), seed) as live_server:
        yield live_server


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with launch_chromium(chromium_path) as chromium:
        yield chromium


def _watched(browser: Browser, server: LiveServer, username: str | None) -> tuple[Page, list[str]]:
    page = browser.new_context().new_page()
    page.add_init_script(WATCH)
    messages: list[str] = []
    page.on(
        "console",
        lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None,
    )
    if username:
        log_in(page, server.url, username)
    return page, messages


def _violations(page: Page, messages: list[str]) -> list[str]:
    found: list[str] = page.evaluate("() => window.__csp")
    return found + messages


def _pages(server: LiveServer) -> dict[str | None, list[str]]:
    s, slide, code = (
        server.seeded["session_id"],
        server.seeded["slide_id"],
        server.seeded["join_code"],
    )
    return {
        None: ["/", "/accounts/login/", "/join/", f"/join/{code}/"],
        "tess": [
            "/",
            f"/view/{slide}/",
            f"/sessions/{s}/teach",
            f"/sessions/{s}/project",
            f"/sessions/{s}/",
            "/slides/upload/",
            "/accounts/password_change/",
        ],
        "alice": ["/", f"/sessions/{s}/", "/quizzes/assignments/"],
    }


def test_no_page_breaks_the_policy(browser: Browser, server: LiveServer) -> None:
    problems: dict[str, list[str]] = {}
    for username, paths in _pages(server).items():
        page, messages = _watched(browser, server, username)
        for path in paths:
            response = page.goto(f"{server.url}{path}")
            assert response is not None and response.status < 400, path
            if "/sessions/" in path:
                page.wait_for_function(
                    "() => window.scopecastLive && window.scopecastLive.client.state.status === 'live'"
                )
            page.wait_for_load_state("networkidle")
            found = _violations(page, messages)
            if found:
                problems[f"{username or 'visitor'} {path}"] = found
            messages.clear()
        page.context.close()
    assert not problems, problems


def test_the_consoles_widgets_keep_to_it(browser: Browser, server: LiveServer) -> None:
    """What the console draws after loading: a chart, the help dialog, drawings."""
    page, messages = _watched(browser, server, "tess")
    page.goto(f"{server.url}/sessions/{server.seeded['session_id']}/teach")
    page.wait_for_function("() => window.scopecastLive.client.state.status === 'live'")
    page.get_by_role("button", name="1 Liver, H&E").click()
    page.wait_for_function("() => window.scopecastLive.viewer.tilesLoaded > 0")
    page.locator(".quiz-picker").select_option(str(server.seeded["choice_id"]))
    page.get_by_role("button", name="Push to the class").click()
    page.wait_for_selector(".bar-chart canvas")
    page.keyboard.press("?")
    page.wait_for_selector("#help-dialog[open]")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Take off screens").click()
    assert not _violations(page, messages)
    page.context.close()
