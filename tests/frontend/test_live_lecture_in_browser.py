"""The live lecture in real Chromium: a teacher and two students, each in a
browser context of their own, on the real pages (issue 12, docs/frontend.md).

The teacher pans and zooms and the students converge; a student roams, sees
the indicator and comes back; the lock snaps a roaming student back; every
annotation kind, an edit and a delete reach the students; a raised hand and a
question reach the teacher; a guest on a phone follows, and a member who
types the code enters as themselves. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import LiveServer, launch_chromium, log_in, seeded_server
from tests.support.lecture import (
    PHONE,
    PROJECTOR,
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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    seed = ["-m", "tests.frontend.browser_seed"]
    with seeded_server(tmp_path_factory.mktemp("lecture"), seed) as live_server:
        yield live_server


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with launch_chromium(chromium_path) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def lecture(browser: Browser, server: LiveServer) -> Iterator[dict[str, Page]]:
    """The teacher's console and two students, with agenda item 1 open and no lock."""
    teacher = open_live(browser, server, "tess", session_path(server, "teach"))
    alice = open_live(browser, server, "alice", session_path(server))
    bob = open_live(browser, server, "bob", session_path(server))
    teacher.get_by_role("button", name="1 Liver, H&E").click()
    for page in (teacher, alice, bob):
        page.wait_for_function("() => window.scopecastLive.viewer.slide !== null")
    yield {"teacher": teacher, "alice": alice, "bob": bob}
    for page in (teacher, alice, bob):
        page.context.close()


def test_the_students_follow_the_teachers_pans_and_zooms(lecture: dict[str, Page]) -> None:
    teacher, alice, bob = lecture["teacher"], lecture["alice"], lecture["bob"]
    x, y = stage_centre(teacher)
    teacher.mouse.move(x, y)
    teacher.mouse.wheel(0, -400)  # zoom in
    drag(teacher, (x, y), (x - 180, y - 90))  # pan
    target = settled_view(teacher)
    for student in (alice, bob):
        wait_converged(student, target)
        assert student.locator("#follow-chip").inner_text() == "Following the teacher"
    screenshot(alice, "lecture-student-laptop")
    screenshot(teacher, "lecture-teacher-console")


def test_a_student_roams_sees_the_indicator_and_comes_back(lecture: dict[str, Page]) -> None:
    teacher, alice = lecture["teacher"], lecture["alice"]
    x, y = stage_centre(alice)
    drag(alice, (x, y), (x + 250, y + 120))
    alice.wait_for_function(
        "() => document.getElementById('live-app').dataset.follow === 'roaming'"
    )
    assert alice.locator("#follow-chip").inner_text() == "Roaming on your own"
    back = alice.get_by_role("button", name="Back to the teacher")
    assert back.is_visible()
    # The teacher's roster shows her roaming, and the class map her view.
    teacher.wait_for_selector(".roster-entry[data-following='false'] >> text=Alice")
    teacher.wait_for_selector(".class-view >> text=Alice")
    screenshot(teacher, "lecture-teacher-class-map")
    back.click()
    wait_converged(alice, view(teacher))
    assert not back.is_visible()


def test_the_lock_snaps_a_roaming_student_back(lecture: dict[str, Page]) -> None:
    teacher, bob = lecture["teacher"], lecture["bob"]
    x, y = stage_centre(bob)
    drag(bob, (x, y), (x - 200, y + 150))
    bob.wait_for_function("() => document.getElementById('live-app').dataset.follow === 'roaming'")
    teacher.get_by_role("button", name="Lock follow").click()
    bob.wait_for_function(
        "() => document.getElementById('live-app').dataset.follow === 'following'"
    )
    wait_converged(bob, view(teacher))
    assert "locked" in bob.locator("#follow-chip").inner_text()
    teacher.get_by_role("button", name="Locked: everyone follows").click()  # unlock
    bob.wait_for_function("() => document.getElementById('live-app').dataset.locked === 'false'")


DRAWINGS = {
    # kind: (tool button, gesture) with offsets from the stage centre
    "point": ("Point", "click", [(-300, -150)]),
    "text": ("Text", "click", [(-200, -150)]),
    "arrow": ("Arrow", "drag", [(-100, -150), (-20, -80)]),
    "line": ("Line", "drag", [(0, -150), (80, -80)]),
    "rectangle": ("Box", "drag", [(100, -150), (180, -80)]),
    "ellipse": ("Ellipse", "drag", [(-300, 20), (-200, 90)]),
    "polygon": ("Polygon", "clicks", [(-120, 20), (-40, 30), (-60, 100), (-120, 20)]),
    "freehand": ("Freehand", "path", [(40, 20), (70, 60), (100, 30), (130, 80), (160, 40)]),
}
# A colour per kind (by the swatches' names), so the screenshot tells them apart.
COLOURS = ["yellow", "cyan", "green", "pink", "white", "cyan", "green", "pink"]


def _draw(teacher: Page, tool: str, gesture: str, offsets: list[tuple[int, int]]) -> None:
    teacher.get_by_role("button", name=tool, exact=True).click()
    cx, cy = stage_centre(teacher)
    points = [(cx + dx, cy + dy) for dx, dy in offsets]
    if gesture == "click":
        teacher.mouse.click(*points[0])
    elif gesture == "drag":
        drag(teacher, points[0], points[1])
    elif gesture == "path":
        teacher.mouse.move(*points[0])
        teacher.mouse.down()
        for point in points[1:]:
            teacher.mouse.move(*point, steps=6)
        teacher.mouse.up()
    else:
        for point in points:
            teacher.mouse.click(*point)
            teacher.wait_for_timeout(150)


def test_every_annotation_kind_an_edit_and_a_delete_reach_the_students(
    lecture: dict[str, Page],
) -> None:
    teacher, alice, bob = lecture["teacher"], lecture["alice"], lecture["bob"]
    teacher.get_by_label("Text of the label or of the selected drawing").fill("Portal triad")
    for (kind, (tool, gesture, offsets)), colour in zip(DRAWINGS.items(), COLOURS, strict=True):
        teacher.get_by_role("radio", name=colour).click()
        _draw(teacher, tool, gesture, offsets)
        for student in (alice, bob):
            student.wait_for_selector(f".overlay-annotations .drawing[data-kind='{kind}']")
    assert alice.locator(".drawing-text .label").text_content() == "Portal triad"
    assert alice.locator(".overlay-annotations .label").count() == 1  # only the text tool labels
    freehand = alice.locator(".drawing-freehand .stroke").get_attribute("d") or ""
    assert freehand.count("L") >= 4, freehand  # its four bends, not a straight line
    screenshot(alice, "lecture-student-annotations")

    # Edit the text: select the label, retype it; move the ellipse by dragging it.
    teacher.get_by_role("button", name="Select", exact=True).click()
    cx, cy = stage_centre(teacher)
    teacher.mouse.click(cx - 200, cy - 150)  # the text's anchor
    label = teacher.get_by_label("Text of the label or of the selected drawing")
    label.fill("Central vein")
    label.press("Enter")
    for student in (alice, bob):
        student.wait_for_function(
            "() => document.querySelector('.drawing-text .label')?.textContent === 'Central vein'"
        )
    before = alice.locator(".drawing-ellipse .stroke").get_attribute("d")
    drag(teacher, (cx - 250, cy + 55), (cx - 250, cy + 155))  # inside the ellipse
    alice.wait_for_function(
        "(d) => document.querySelector('.drawing-ellipse .stroke')?.getAttribute('d') !== d",
        arg=before,
    )

    # Edit: select the rectangle and recolour it; delete the line.
    teacher.mouse.click(cx + 100, cy - 115)  # on the rectangle's left edge
    teacher.get_by_role("radio", name="cyan").click()
    alice.wait_for_selector(".drawing[data-kind='rectangle'][stroke='#00e5ff']")
    teacher.mouse.click(cx + 40, cy - 115)  # on the line
    teacher.keyboard.press("Delete")
    for student in (alice, bob):
        student.wait_for_selector(".drawing[data-kind='line']", state="detached")
    assert alice.locator(".overlay-annotations .drawing").count() == len(DRAWINGS) - 1

    # The laser pointer shows on the students' screens while the teacher points.
    teacher.get_by_role("button", name="Laser", exact=True).click()
    teacher.mouse.move(cx + 10, cy + 10)
    teacher.mouse.move(cx + 30, cy + 20)
    alice.wait_for_selector(".laser.laser-on")
    screenshot(alice, "lecture-student-laser")
    teacher.keyboard.press("Escape")


def test_a_raised_hand_and_a_question_reach_the_teacher(lecture: dict[str, Page]) -> None:
    teacher, alice = lecture["teacher"], lecture["alice"]
    alice.get_by_role("button", name="Raise hand").click()
    teacher.wait_for_selector(".roster-entry.hand >> text=Alice")
    alice.get_by_label("A question for the teacher").fill("Is that a bile duct?")
    alice.get_by_role("button", name="Ask").click()
    teacher.wait_for_selector(".qa-item >> text=Is that a bile duct?")
    assert "Alice" in teacher.locator(".qa-item .qa-meta").first.inner_text()
    alice.get_by_role("button", name="Lower your hand").click()
    teacher.wait_for_selector(".roster-entry.hand", state="detached")


def test_an_empty_question_is_refused_with_a_message(lecture: dict[str, Page]) -> None:
    alice = lecture["alice"]
    alice.get_by_role("button", name="Ask").click()
    assert "Type your question first" in alice.locator(".toast-error").last.inner_text()


def test_a_spotlight_shows_the_class_a_students_view(lecture: dict[str, Page]) -> None:
    teacher, alice, bob = lecture["teacher"], lecture["alice"], lecture["bob"]
    x, y = stage_centre(alice)
    drag(alice, (x, y), (x + 120, y - 100))
    teacher.get_by_role("button", name="Spotlight Alice").click()
    bob.wait_for_function(
        "() => document.getElementById('follow-chip').textContent.includes(\"Alice's view\")"
    )
    wait_converged(bob, settled_view(alice))
    teacher.get_by_role("button", name="End spotlight (Alice)").click()
    wait_converged(bob, view(teacher))
    alice.get_by_role("button", name="Back to the teacher").click()


def test_a_guest_on_a_phone_joins_by_code_and_follows(
    browser: Browser, server: LiveServer, lecture: dict[str, Page]
) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{server.url}/")
    page.get_by_label("Session code").fill(server.seeded["join_code"])
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_role("button", name="Join session").click()
    page.wait_for_url(f"{server.url}{session_path(server)}")
    page.wait_for_function("() => window.scopecastLive.client.state.status === 'live'")
    page.wait_for_function("() => window.scopecastLive.viewer.tilesLoaded > 0")
    assert page.evaluate("() => window.scopecastLive.you.role") == "guest"
    teacher = lecture["teacher"]
    cx, cy = stage_centre(teacher)
    drag(teacher, (cx, cy), (cx + 60, cy + 40))
    wait_converged(page, settled_view(teacher))
    screenshot(page, "lecture-student-phone")
    page.context.close()


def test_a_member_who_types_the_code_enters_as_themselves(
    browser: Browser, server: LiveServer, lecture: dict[str, Page]
) -> None:
    page = browser.new_context().new_page()
    log_in(page, server.url, "bob")
    page.get_by_label("Session code").fill(server.seeded["join_code"])
    page.get_by_role("button", name="Join session").click()
    page.wait_for_url(f"{server.url}{session_path(server)}")
    page.wait_for_function("() => window.scopecastLive.client.state.status === 'live'")
    you = page.evaluate("() => window.scopecastLive.you")
    assert you["role"] == "student" and you["name"].startswith("Bob")
    page.context.close()


def test_the_projector_shows_the_code_and_a_qr_code_of_the_join_url(
    browser: Browser, server: LiveServer, lecture: dict[str, Page]
) -> None:
    page = open_live(browser, server, "tess", session_path(server, "project"), PROJECTOR)
    assert page.locator("#join-code").inner_text() == server.seeded["join_code"]
    qr = page.locator("svg.qr-code")
    assert str(qr.get_attribute("data-text")).endswith(f"/join/{server.seeded['join_code']}/")
    page.wait_for_function("() => window.scopecastLive.viewer.tilesLoaded > 0")
    screenshot(page, "lecture-projector")
    page.keyboard.press("j")
    assert not page.locator("#join-card").is_visible()
    page.context.close()
