"""Two daphne processes on Redis behave as one session (see docs/protocol.md, "Fan-out").

Runs two real servers (subprocesses on random free ports) sharing a SQLite
file database and Redis, with the teacher on one and the students on the
other, and checks that viewport, annotation, lock and hand events cross
over with one shared seq.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from websockets.asyncio.client import ClientConnection, connect

pytestmark = [pytest.mark.services, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SETUP = """
import json
from django.contrib.auth.models import User
from django.test import Client
from classroom.actions.sessions import AgendaSpec, do_create_session
from classroom.models import Course, LiveSession, Membership
from slides.models import Slide

course = Course.objects.create(title="Histopathology 101", code="PATH101")
out = {}
for name, role in (("tess", "teacher"), ("alice", "student"), ("bob", "student")):
    user = User.objects.create_user(name, first_name=name.title())
    Membership.objects.create(course=course, user=user, role=role)
    client = Client()
    client.force_login(user)
    out[name] = "sessionid=" + client.cookies["sessionid"].value
slide = Slide.objects.create(title="Liver", width=50000, height=40000, status="ready")
session = do_create_session(course, title="Two servers", agenda=[AgendaSpec(slide)])
LiveSession.objects.filter(pk=session.pk).update(state="live")
out["session"] = session.pk
out["slide"] = slide.pk
print("SETUP " + json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"daphne exited early:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"daphne did not listen on {port}:\n{log.read_text()}")


@pytest.fixture
def two_servers(redis_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scopecast.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        "REALTIME_PREFIX": prefix,
        "SCOPECAST_VAR_DIR": str(tmp_path / "var"),
        "SCOPECAST_INPROCESS_WORKER": "0",
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    result = subprocess.run(
        [python, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("SETUP "))
    info: dict[str, Any] = json.loads(line[len("SETUP ") :])
    procs: list[subprocess.Popen[bytes]] = []
    ports = []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = tmp_path / f"daphne-{name}.log"
            proc = subprocess.Popen(
                [
                    python,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "scopecast.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            procs.append(proc)
            _wait_for_port(port, proc, log)
            ports.append(port)
        info["ports"] = ports

        def stop() -> None:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=20)

        info["stop"] = stop
        info["db"] = tmp_path / "db.sqlite3"
        yield info
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


async def _socket(port: int, session: int, cookie: str) -> ClientConnection:
    return await connect(
        f"ws://127.0.0.1:{port}/ws/sessions/{session}/",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": cookie},
        open_timeout=20,
    )


async def _next(ws: ClientConnection, type_name: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await ws.recv(decode=True))
        if frame["type"] == type_name:
            return frame


async def test_teacher_and_students_on_two_servers_share_one_session(two_servers):
    port_a, port_b = two_servers["ports"]
    session = two_servers["session"]
    teacher = await _socket(port_a, session, two_servers["tess"])
    alice = await _socket(port_b, session, two_servers["alice"])
    bob = await _socket(port_a, session, two_servers["bob"])
    try:
        for ws in (teacher, alice, bob):
            assert (await _next(ws, "snapshot"))["protocol"] == 1

        await teacher.send(json.dumps({"type": "open_item", "index": 0}))
        opened = await _next(alice, "slide_opened")
        assert (opened["seq"], opened["slide"]["id"]) == (1, two_servers["slide"])

        await teacher.send(
            json.dumps(
                {
                    "type": "set_viewport",
                    "slide_id": two_servers["slide"],
                    "x": 123.0,
                    "y": 456.0,
                    "zoom": 0.25,
                }
            )
        )
        viewport = await _next(alice, "viewport")
        assert (viewport["seq"], viewport["viewport"]["x"]) == (2, 123.0)

        await teacher.send(
            json.dumps(
                {
                    "type": "annotation_create",
                    "slide_id": two_servers["slide"],
                    "annotation": {"kind": "point", "points": [[10, 20]]},
                }
            )
        )
        created = await _next(alice, "annotation_created")
        assert (created["seq"], created["annotation"]["points"]) == (3, [[10.0, 20.0]])

        await teacher.send(json.dumps({"type": "lock", "locked": True}))
        assert (await _next(alice, "lock"))["seq"] == 4

        await alice.send(json.dumps({"type": "hand", "raised": True}))
        hand = await _next(teacher, "hand")
        assert (hand["seq"], hand["raised"]) == (5, True)  # one seq across both servers

        for type_name, seq in (("slide_opened", 1), ("viewport", 2), ("lock", 4)):
            assert (await _next(bob, type_name))["seq"] == seq

        late = await _socket(port_b, session, two_servers["bob"])
        snapshot = await _next(late, "snapshot")
        assert snapshot["last_seq"] == 5 and snapshot["locked"] is True
        assert snapshot["viewport"]["x"] == 123.0
        assert [a["id"] for a in snapshot["annotations"]] == [created["annotation"]["id"]]
        await late.close()
    finally:
        for ws in (teacher, alice, bob):
            await ws.close()

    # After a clean shutdown of both servers, the event log holds every event once.
    two_servers["stop"]()
    with sqlite3.connect(two_servers["db"]) as db:
        rows = db.execute(
            "SELECT seq, type FROM classroom_sessionevent WHERE seq IS NOT NULL ORDER BY seq"
        ).fetchall()
    assert rows == [
        (1, "slide_opened"),
        (2, "viewport"),
        (3, "annotation_created"),
        (4, "lock"),
        (5, "hand"),
    ]
