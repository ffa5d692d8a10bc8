"""End to end: real server processes serve tiles through scopecast.asgi (see docs/tiles.md).

Both the deployment's tile process (uvicorn, run with the command line of
deploy/systemd/scopecast-tiles@.service) and daphne, which serves the pages
and websockets and serves tiles too where no proxy splits them (``make demo``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.browser import free_port
from tests.support.deploy import exec_start

ROOT = Path(__file__).resolve().parents[2]
SECRET = "daphne-test-secret-" + "q" * 50

pytestmark = pytest.mark.slow


@dataclass
class Running:
    base: str
    slide_id: int
    version: int
    token: str


def tile_unit_command(port: int) -> list[str]:
    """The tile unit's ExecStart, with this virtualenv's uvicorn and ``port``."""
    argv = [str(port) if arg == "%i" else arg for arg in exec_start("scopecast-tiles@.service")]
    return [str(Path(sys.executable).parent / "uvicorn"), *argv[1:]]


def server_command(name: str, port: int) -> list[str]:
    if name == "uvicorn":
        return tile_unit_command(port)
    daphne = str(Path(sys.executable).parent / "daphne")
    return [daphne, "-v", "0", "-b", "127.0.0.1", "-p", str(port), "scopecast.asgi:application"]


@pytest.fixture(params=["uvicorn", "daphne"])
def server(
    request: pytest.FixtureRequest, tmp_path: Path, slide_files: dict[str, Path]
) -> Iterator[Running]:
    storage = tmp_path / "storage"
    storage.mkdir()
    shutil.copyfile(slide_files["generic"], storage / "g.tiff")
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "scopecast.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "SLIDE_STORAGE_ROOT": str(storage),
            "SECRET_KEY": SECRET,
            "DEBUG": "1",
            "MEMCACHED_SERVERS": "",
            "SCOPECAST_INPROCESS_WORKER": "0",
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    script = (
        "import django; django.setup()\n"
        "from slides.models import Slide\n"
        "from slides.tokens import issue_tile_token\n"
        "s = Slide.objects.create(title='g', file_path='g.tiff', status='ready', width=3000,"
        " height=2000, level_count=5)\n"
        "print(s.pk, s.version, issue_tile_token(s.pk, s.version))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    port = free_port()
    proc = subprocess.Popen(server_command(request.param, port), cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{request.param} did not start") from None
                time.sleep(0.1)
        yield Running(f"http://127.0.0.1:{port}", int(out[0]), int(out[1]), out[2])
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_server_serves_tiles_304s_and_403s_and_leaves_the_rest_to_django(
    server: Running,
) -> None:
    tile = f"{server.base}/slides/{server.slide_id}_files/12/3_2.jpeg"
    query = {"v": str(server.version), "t": server.token}
    with httpx.Client(timeout=10) as client:
        ok = client.get(tile, params=query)
        assert ok.status_code == 200
        assert ok.content[:2] == b"\xff\xd8"
        assert ok.headers["cache-control"] == "private, max-age=31536000, immutable"
        assert ok.headers["x-content-type-options"] == "nosniff"

        again = client.get(tile, params=query, headers={"If-None-Match": ok.headers["etag"]})
        assert again.status_code == 304

        forged = client.get(tile, params={"v": str(server.version), "t": "abc.def"})
        assert forged.status_code == 403
        assert "error" in forged.json()

        # Not a tile: Django answers (session-authenticated metadata).
        info = client.get(f"{server.base}/slides/{server.slide_id}/info.json")
        assert info.status_code == 401

        # What a monitoring agent asks each process (docs/deploy.md, "Health checks").
        health = client.get(f"{server.base}/healthz", headers={"X-Forwarded-Proto": "https"})
        assert health.status_code == 200 and health.json()["status"] == "ok"
