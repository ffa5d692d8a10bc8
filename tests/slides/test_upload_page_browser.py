"""The upload page in a real browser (Debian's chromium via Playwright).

A teacher uploads a slide in 64 KiB chunks through daphne (`runserver`, the
embedded default with its in-process job pool); the test cuts the network for
a few chunks and, separately, reloads the page mid-upload. The upload must
resume from the server's offset and end with a ready slide whose bytes match.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
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


@dataclass
class Server:
    url: str
    session: str
    storage: Path
    env: dict[str, str]
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _python(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, f"{args[:2]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("upload-server")
    storage = tmp / "storage"
    storage.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "MEMCACHED_SERVERS", "SLIDE_IMPORT_ROOTS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="scopecast.settings",
        DEBUG="1",
        SCOPECAST_VAR_DIR=str(tmp / "var"),
        SLIDE_STORAGE_ROOT=str(storage),
        SLIDE_UPLOAD_CHUNK_BYTES=str(CHUNK),
        PYTHONPATH=str(ROOT),
    )
    (tmp / "var").mkdir()
    _python(["manage.py", "migrate", "--noinput", "-v0"], env)
    session = json.loads(_python(["-c", SEED], env))["session"]
    port = _free_port()
    log = tmp / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited:\n{log.read_text()}")
            try:
                httpx.get(url + "/slides/upload/", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    pytest.fail(f"server did not start:\n{log.read_text()}")
                time.sleep(0.3)
        yield Server(url=url, session=session, storage=storage, env=env, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def context(chromium_path: str, server: Server) -> Iterator[BrowserContext]:
    with sync_playwright() as pw:
        browser: Browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": server.session, "url": server.url}])
        try:
            yield context
        finally:
            browser.close()


def _uploads(server: Server) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(_python(["-c", REPORT], server.env))
    return rows


def test_the_page_uploads_through_dropped_connections_and_imports_the_slide(
    context: BrowserContext, server: Server, slide_templates, tmp_path: Path
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
    context: BrowserContext, server: Server, slide_templates
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
