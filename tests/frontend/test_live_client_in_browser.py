"""The live client (frontend/static/frontend/live/client.js) against the real server.

Its unit tests (tests/js) drive a fake socket; here Chromium's own WebSocket
talks to daphne: a teacher's viewports and lock reach a logged-in student
and a guest who joined with the code, and refusals arrive as typed states
(an outsider, a session that does not exist).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import LiveServer, launch_chromium, log_in, seeded_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Starts a client in the page and records its states and frames in window.live.
START = """async ({sessionId, guestToken}) => {
  const { SessionClient } = await import("/static/frontend/live/client.js");
  const client = new SessionClient({ sessionId, guestToken });
  const live = { client, states: [], frames: [] };
  window.live = live;
  client.onState((state) => live.states.push(state));
  for (const type of ["snapshot", "hello", "slide_opened", "viewport", "lock"]) {
    client.on(type, (frame) => live.frames.push(frame));
  }
  client.connect();
}"""
STATUS = "() => window.live.client.state.status"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    seed = ["-m", "tests.frontend.browser_seed"]
    with seeded_server(tmp_path_factory.mktemp("live-client"), seed) as live_server:
        yield live_server


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Browser]:
    with launch_chromium(chromium_path) as chromium:
        yield chromium


def _start(page: Page, session_id: int, guest_token: str | None = None) -> None:
    page.evaluate(START, {"sessionId": session_id, "guestToken": guest_token})


def _member(browser: Browser, server: LiveServer, username: str) -> Page:
    page = browser.new_context().new_page()
    log_in(page, server.url, username)
    _start(page, server.seeded["session_id"])
    return page


def _guest(browser: Browser, server: LiveServer) -> Page:
    """Joins with the code through the home page's form, as a person would."""
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/")
    page.get_by_label("Session code").fill(server.seeded["join_code"])
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_role("button", name="Join session").click()
    page.wait_for_url(f"{server.url}/sessions/{server.seeded['session_id']}/")
    key = f"scopecast.guest.{server.seeded['session_id']}"
    token = page.evaluate(f"() => JSON.parse(sessionStorage.getItem({key!r})).token")
    _start(page, server.seeded["session_id"], token)
    return page


def _frames(page: Page, kind: str) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = page.evaluate(
        f"() => window.live.frames.filter((f) => f.type === {kind!r})"
    )
    return frames


def test_the_teachers_view_and_lock_reach_a_student_and_a_guest(
    browser: Browser, server: LiveServer
) -> None:
    teacher = _member(browser, server, "tess")
    student = _member(browser, server, "alice")
    guest = _guest(browser, server)
    for page in (teacher, student, guest):
        page.wait_for_function(f"{STATUS} === 'live'")
        assert _frames(page, "snapshot")[0]["session"]["id"] == server.seeded["session_id"]
    assert _frames(guest, "snapshot")[0]["you"]["role"] == "guest"

    slide_id = server.seeded["slide_id"]
    assert teacher.evaluate(f"() => live.client.send({{type: 'open_slide', slide_id: {slide_id}}})")
    for page in (student, guest):
        page.wait_for_function("() => live.frames.some((f) => f.type === 'slide_opened')")
    # A pan streamed faster than frames: latest value wins, the last one arrives.
    teacher.evaluate(
        """async (slideId) => {
             for (let i = 0; i <= 40; i += 1) {
               live.client.send({type: "set_viewport", slide_id: slideId,
                                 x: 1000 + 50 * i, y: 2000, zoom: 0.25, rotation: 0});
               await new Promise((resolve) => setTimeout(resolve, 5));
             }
           }""",
        slide_id,
    )
    teacher.evaluate("() => live.client.send({type: 'lock', locked: true})")
    for page in (student, guest):
        page.wait_for_function("() => live.frames.some((f) => f.type === 'lock' && f.locked)")
        # The stream is paced (a token bucket per stream), so the lock may
        # overtake the last viewport; the last value still arrives.
        page.wait_for_function(
            "() => live.frames.filter((f) => f.type === 'viewport').at(-1)?.viewport.x === 3000"
        )
        views = _frames(page, "viewport")
        assert len(views) < 41  # coalesced on the way
        seqs = [f["seq"] for f in page.evaluate("() => live.frames") if "seq" in f]
        assert seqs == sorted(seqs)
        assert page.evaluate("() => live.client.lastSeq") == seqs[-1]


def test_refusals_arrive_as_states_and_are_not_retried(
    browser: Browser, server: LiveServer
) -> None:
    outsider = _member(browser, server, "olga")
    outsider.wait_for_function(f"{STATUS} === 'refused'")
    assert outsider.evaluate("() => live.client.state") == {
        "status": "refused",
        "reason": "forbidden",
        "code": 4403,
    }
    nowhere = browser.new_context().new_page()
    log_in(nowhere, server.url, "alice")
    _start(nowhere, 999999)
    nowhere.wait_for_function(f"{STATUS} === 'refused'")
    assert nowhere.evaluate("() => live.client.state.reason") == "not_found"
    nowhere.wait_for_timeout(1500)  # nothing reconnects
    assert nowhere.evaluate("() => live.states.map((s) => s.status)") == [
        "idle",
        "connecting",
        "refused",
    ]
