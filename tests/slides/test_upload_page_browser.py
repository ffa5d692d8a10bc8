"""The upload page in a real browser (Debian's chromium via Playwright).

A teacher uploads a slide in 64 KiB chunks through daphne (`runserver`, the
embedded default with its in-process job pool); the test cuts the network for
a few chunks and, separately, reloads the page mid-upload. The upload must
resume from the server's offset and end with a ready slide whose bytes match.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Route

from tests.support.browser import LiveServer, launch_chromium, run_python, seeded_server

CHUNK = 64 * 1024
pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEED = """
import json, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from classroom.models import Course, Membership
teacher = User.objects.create_user("tess", password="x")
course = Course.objects.create(title="Histopathology 101", code="PATH101")
Membership.objects.create(course=course, user=teacher, role=Membership.Role.TEACHER)
session = SessionStore()
session["_auth_user_id"] = str(teacher.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = teacher.get_session_auth_hash()
session.create()
print(json.dumps({"session": session.session_key}))
"""

REPORT = """
import json, sys
import django
django.setup()
from slides.models import Slide, Upload
print(json.dumps([
    {"status": u.status, "message": u.message, "slide_status": u.slide and u.slide.status,
     "file": u.slide and u.slide.file_path, "format": u.slide and u.slide.format}
    for u in Upload.objects.order_by("created_at")
]))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A teacher and a logged-in session for it (``session``); uploads in CHUNK-byte chunks."""
    tmp = tmp_path_factory.mktemp("upload-server")
    chunk = {"SLIDE_UPLOAD_CHUNK_BYTES": str(CHUNK)}
    with seeded_server(tmp, ["-c", SEED], chunk) as server:
        yield server


@pytest.fixture
def context(chromium_path: str, server: LiveServer) -> Iterator[BrowserContext]:
    with launch_chromium(chromium_path) as browser:
        context = browser.new_context()
        context.add_cookies(
            [{"name": "sessionid", "value": server.seeded["session"], "url": server.url}]
        )
        yield context


def _uploads(server: LiveServer) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(run_python(["-c", REPORT], server.env).splitlines()[-1])
    return rows


def test_the_page_uploads_through_dropped_connections_and_imports_the_slide(
    context: BrowserContext, server: LiveServer, slide_templates, tmp_path: Path
) -> None:
    page = context.new_page()
    puts: list[str] = []
    failures = {"left": 3}

    def flaky(route: Route) -> None:
        request = route.request
        if request.method == "PUT":
            puts.append(request.headers.get("content-range", ""))
            if len(puts) == 4 and failures["left"] > 0:  # the network drops mid-upload
                failures["left"] -= 1
                puts.pop()
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/slides/uploads/**", flaky)
    page.goto(f"{server.url}/slides/upload/")
    page.set_input_files("#files", str(slide_templates["svs"]))
    page.fill("#title", "Liver from the browser")
    page.click("button[type=submit]")

    page.wait_for_selector(".item.done, .item.failed", timeout=120_000)
    page.screenshot(path=str(tmp_path / "upload.png"))
    status = page.inner_text(".item .status")
    assert status.startswith("ready: slide #"), f"{status}\n{server.log.read_text()[-3000:]}"
    assert failures["left"] == 0  # the drops really happened
    size = slide_templates["svs"].stat().st_size
    assert len(puts) == -(-size // CHUNK)  # every chunk sent once successfully
    [upload] = [u for u in _uploads(server) if u["status"] == "done"][-1:]
    assert (upload["slide_status"], upload["format"]) == ("ready", "aperio")
    stored = server.storage / upload["file"]
    assert stored.read_bytes() == slide_templates["svs"].read_bytes()


def test_choosing_the_same_file_after_a_reload_resumes_the_upload(
    context: BrowserContext, server: LiveServer, slide_templates
) -> None:
    page = context.new_page()
    ranges: list[str] = []
    blocked = {"on": True}

    def stall_after_three(route: Route) -> None:
        if route.request.method == "PUT":
            if blocked["on"] and len(ranges) >= 3:
                route.abort("internetdisconnected")
                return
            ranges.append(route.request.headers.get("content-range", ""))
        route.continue_()

    page.route("**/slides/uploads/**", stall_after_three)
    page.goto(f"{server.url}/slides/upload/")
    page.set_input_files("#files", str(slide_templates["tiff"]))
    page.click("button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('.item .status')?.textContent.includes('connection lost')",
        timeout=30_000,
    )

    blocked["on"] = False
    page.reload()
    page.wait_for_selector("#pending:not([hidden])")
    assert "kidney.tif" in page.inner_text("#pending-list")
    page.set_input_files("#files", str(slide_templates["tiff"]))
    page.click("button[type=submit]")
    page.wait_for_selector(".item.done, .item.failed", timeout=120_000)

    assert page.inner_text(".item .status").startswith("ready: slide #")
    assert ranges[3].startswith(f"bytes {3 * CHUNK}-"), ranges[:5]  # resumed, not restarted
