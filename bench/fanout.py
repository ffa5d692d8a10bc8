"""Websocket fan-out benchmark: one teacher, N students, real daphne + Redis.

See docs/protocol.md, "Fan-out and state" and "Delivery: latest value wins".

Usage::

    .venv/bin/python bench/fanout.py [--students 500 1000] [--seconds 30] [--rate 20]
                                     [--servers 1] [--no-baseline] [--profile]

What it does, bounded (about 6 minutes with the defaults):

1. A production-like setup: a private PostgreSQL database
   (``scopecast_bench_fanout``, dropped and re-created, migrated with
   ``manage.py migrate`` in a subprocess, dropped at the end; a SQLite file
   under var/bench/fanout/ when PostgreSQL is down), Redis for the channel
   layer (pub/sub), the live state store and presence (a fresh
   ``REALTIME_PREFIX``, its keys deleted at the end), and ``--servers`` real
   ``daphne`` processes with DEBUG off (SECRET_KEY and ALLOWED_HOSTS set).
2. Per measured run: a live session of one course with guests allowed and a
   one-slide agenda (a small synthetic generic TIFF, so that the server's
   prewarm has something real to read), created through ``classroom.actions``;
   N guests join through ``do_join_as_guest`` (the service behind
   ``POST /courses/join``, whose per-IP rate limit would refuse a whole class
   from one address).
3. The teacher connects with a Django session cookie, starts the session and
   opens agenda item 0. A SEPARATE process then connects the N students (the
   ``websockets`` library's sans-I/O protocol on raw asyncio, so the client
   costs little of the shared 2 cores), each with its guest token, spread
   over the servers; every socket acks with ``ping`` every 32 seqs and at least every 5 s,
   as clients must (docs/protocol.md, "Ack cadence").
4. The teacher sends ``set_viewport`` at ``--rate`` Hz for ``--seconds``. Update
   ``i`` carries ``x = 100 + i/4`` as its marker; the driver records the send
   time (``time.time()``, system-wide), the students record the receive time of
   every viewport frame. Afterwards the students wait (``--converge-timeout``)
   until every one shows exactly the teacher's last view.
5. Server CPU seconds come from /proc/<pid>/stat of the daphne process(es), RSS
   per connection from VmRSS before and after the students connected.
   ``--profile`` samples the servers with py-spy while the updates flow
   (bench/results/profile-*.txt, py-spy's raw collapsed stacks).

Figures per run: latency p50/p99/max over every delivered update; updates
delivered per student (latest value wins may drop superseded ones for a slow
client); whether every student ended on the teacher's last view; server CPU
from the first update until convergence, per socket and update (us/frame) and
as the cores the design needs at the teacher's rate; RSS per connection. To
show where a backlog sits, it also reports how many updates the server had
accepted (taken a seq for) when the last one was sent, and per update the
latency of the first student (teacher -> store -> hub) apart from the
first-to-last spread (the fan-out itself).

Each N runs twice, in the same run: the ``hub`` design as shipped (one layer
subscription per process, JSON encoded once) and the ``naive`` baseline
(``BENCH_FANOUT=naive`` in bench/_fanout_asgi.py: every socket in the
channel-layer group, JSON encoded per socket); the baseline is
skipped at a larger N when it did not complete at a smaller one. It prints a
table with the ratios and writes bench/results/fanout-<time>.json.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from websockets.client import ClientProtocol
from websockets.frames import Close, Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.typing import Origin
from websockets.uri import parse_uri

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
BENCH_DIR = ROOT / "var" / "bench" / "fanout"
RESULTS_DIR = ROOT / "bench" / "results"
SLIDE_FILE = BENCH_DIR / "fanout-slide.tiff"
SLIDE_SIZE = (4096, 3072)
DAPHNE_UNIT = ROOT / "deploy" / "systemd" / "scopecast-daphne@.service"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "scopecast_bench_fanout"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "bench-fanout-" + secrets.token_hex(24)
HOST = "127.0.0.1"
CONNECT_CONCURRENCY = 20
PING_SECONDS = 5.0
# Ack as soon as the seq seen is half the server's send window past the last ack
# (docs/protocol.md, "Ack cadence"; REALTIME_SEND_WINDOW defaults to 64).
ACK_EVERY = 32
X0 = 100.0  # marker i is sent as x = X0 + i / 4 (exact in binary floating point)


def marker_x(i: int) -> float:
    return X0 + i / 4


def x_marker(x: float) -> int:
    return round((x - X0) * 4)


def teacher_view(slide_id: int, i: int) -> dict[str, Any]:
    return {
        "slide_id": slide_id,
        "x": marker_x(i),
        "y": 1000.0 + (i % 50) * 10,
        "zoom": 0.25 + (i % 8) * 0.05,
        "rotation": float((i % 4) * 90),
    }


def lecture_annotation(slide_id: int, i: int) -> dict[str, Any]:
    """One of the drawings a teacher makes while talking (inside the bench slide)."""
    x, y = 200.0 + (i * 37) % 3000, 200.0 + (i * 53) % 2000
    kinds = [
        {"kind": "arrow", "points": [[x, y], [x + 150, y + 90]]},
        {"kind": "rectangle", "points": [[x, y], [x + 300, y + 200]]},
        {"kind": "text", "points": [[x, y]], "text": f"note {i}"},
    ]
    annotation = {"colour": "#ff3366", **kinds[i % len(kinds)]}
    return {"type": "annotation_create", "slide_id": slide_id, "annotation": annotation}


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ==========================================================================
# The students (a separate process: ``fanout.py --students-worker CONFIG``)


class Student(asyncio.Protocol):
    """One student's websocket: records (marker, receive time) per viewport frame."""

    def __init__(self, index: int, world: StudentWorld, uri: str, origin: str) -> None:
        self.index = index
        self.world = world
        self.ws = ClientProtocol(parse_uri(uri), origin=Origin(origin), max_size=2**22)
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.markers = array.array("i")
        self.times = array.array("d")
        self._view: dict[str, Any] | None = None
        self._view_text: str | None = None
        self.last_seq = 0
        self.acked_seq = 0
        self.close_code: int | None = None
        self.frames = 0
        self.errors: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self.flush()

    def flush(self) -> None:
        data = self.ws.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(data))

    def send_text(self, text: str) -> None:
        if self.ws.state is State.OPEN:
            self.ws.send_text(text.encode())
            self.flush()

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if self.ws.handshake_exc is not None and not self.opened.done():
                    self.opened.set_exception(self.ws.handshake_exc)
                continue
            if not isinstance(event, Frame):
                continue
            if event.opcode is Opcode.TEXT:
                self.on_text(bytes(event.data).decode(), now)
            elif event.opcode is Opcode.CLOSE:
                self.close_code = Close.parse(event.data).code if event.data else 1005
        if self.last_seq - self.acked_seq >= ACK_EVERY:
            self.ping()
        self.flush()
        if self.ws.close_expected() and self.transport is not None:
            self.transport.close()

    @property
    def last_view(self) -> dict[str, Any] | None:
        if self._view_text is not None:  # parsed lazily: most viewports are superseded
            view: dict[str, Any] = json.loads(self._view_text)["viewport"]
            self._view, self._view_text = view, None
        return self._view

    def on_text(self, text: str, now: float) -> None:
        self.frames += 1
        if text.startswith('{"seq":') and '"type":"viewport"' in text[:40]:
            # The hot path, without a full JSON parse (the client shares the
            # 2 cores with the server it measures): the seq and the x marker.
            self.last_seq = max(self.last_seq, int(text[7 : text.index(",", 7)]))
            start = text.index('"x":') + 4
            self.markers.append(x_marker(float(text[start : text.index(",", start)])))
            self.times.append(now)
            self._view_text = text
            return
        frame = json.loads(text)
        kind = frame.get("type")
        seq = frame.get("seq")
        if isinstance(seq, int) and seq > self.last_seq:
            self.last_seq = seq
        if kind == "viewport":
            view = frame["viewport"]
            self.markers.append(x_marker(view["x"]))
            self.times.append(now)
            self._view, self._view_text = view, None
        elif kind in ("snapshot", "slide_opened"):
            self._view, self._view_text = frame.get("viewport"), None
            if kind == "snapshot":
                self.last_seq = max(self.last_seq, int(frame.get("last_seq") or 0))
                if not self.opened.done():
                    self.opened.set_result(None)
        elif kind == "error" and len(self.errors) < 5:
            self.errors.append(text[:200])

    def connection_lost(self, exc: Exception | None) -> None:
        self.world.lost += 1
        if self.close_code is None:
            self.close_code = 1006
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"closed before the snapshot: {exc}"))

    def ping(self) -> None:
        self.acked_seq = self.last_seq
        self.send_text(json.dumps({"type": "ping", "seq": self.last_seq}))


@dataclass
class StudentWorld:
    lost: int = 0
    students: list[Student] = field(default_factory=list)


async def _connect_students(config: dict[str, Any], world: StudentWorld) -> tuple[int, list[str]]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    failures: list[str] = []

    async def one(index: int, token: str) -> None:
        port = config["ports"][index % len(config["ports"])]
        uri = f"ws://{HOST}:{port}/ws/sessions/{config['session_id']}/?guest={token}"
        student = Student(index, world, uri, f"http://{HOST}:{port}")
        async with gate:
            try:
                await loop.create_connection(lambda: student, HOST, port)
                await asyncio.wait_for(student.opened, 60)
            except Exception as e:  # any failure is reported, the others go on
                failures.append(f"student {index}: {e.__class__.__name__}: {e}")
                if student.transport is not None:
                    student.transport.close()
                return
        world.students.append(student)

    await asyncio.gather(*(one(i, t) for i, t in enumerate(config["tokens"])))
    world.students.sort(key=lambda s: s.index)
    return len(world.students), failures


async def _pinger(world: StudentWorld) -> None:
    """Every student also acks about every 5 s (spread out): the heartbeat.

    Acks on the seq cadence (``ACK_EVERY``) are sent as frames arrive.

    Each ping has a due time on the clock: when this process's loop is busy,
    overdue pings go out at once instead of stretching the cycle (a fixed
    sleep per student made a 1,000-socket cycle exceed the server's 30 s ack
    timeout on a loaded machine, and healthy clients were closed with 4408).
    """
    while True:
        students = list(world.students)
        start = time.monotonic()
        for i, student in enumerate(students):
            delay = start + PING_SECONDS * i / max(1, len(students)) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            student.ping()
        await asyncio.sleep(max(0.0, start + PING_SECONDS - time.monotonic()))


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def students_main(config: dict[str, Any]) -> int:
    world = StudentWorld()
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    started = time.monotonic()
    connected, failures = await _connect_students(config, world)
    connect_seconds = time.monotonic() - started
    pinger = asyncio.create_task(_pinger(world))
    cpu0 = _cpu_self()
    print(
        "READY "
        + json.dumps(
            {"connected": connected, "failures": failures[:10], "seconds": connect_seconds}
        ),
        flush=True,
    )

    line = (await reader.readline()).decode()
    if not line.startswith("FINAL "):
        return 2
    final = json.loads(line[len("FINAL ") :])
    final_at = float(final.pop("sent_at"))
    deadline = time.monotonic() + float(config["converge_timeout"])
    converged_at = 0.0
    while True:
        pending = [s for s in world.students if s.last_view != final]
        if not pending:
            converged_at = time.time()
            break
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.02)
    cpu1 = _cpu_self()
    pinger.cancel()

    sizes = [len(s.markers) for s in world.students]
    student_ids = array.array("i")
    for s in world.students:
        student_ids.extend([s.index] * len(s.markers))
    out = Path(config["out"])
    import numpy as np

    np.savez(
        out,
        student=np.frombuffer(student_ids, dtype=np.int32),
        connected=np.array([s.index for s in world.students], dtype=np.int32),
        marker=np.concatenate([np.frombuffer(s.markers, dtype=np.int32) for s in world.students])
        if world.students
        else np.zeros(0, np.int32),
        recv=np.concatenate([np.frombuffer(s.times, dtype=np.float64) for s in world.students])
        if world.students
        else np.zeros(0, np.float64),
    )
    close_codes: dict[str, int] = {}
    for s in world.students:
        if s.close_code is not None:
            close_codes[str(s.close_code)] = close_codes.get(str(s.close_code), 0) + 1
    not_converged = [s for s in world.students if s.last_view != final]
    report = {
        "connected": connected,
        "converged": connected - len(not_converged),
        "not_converged_examples": [
            {"student": s.index, "last_view": s.last_view} for s in not_converged[:3]
        ],
        "converge_seconds": (converged_at - final_at) if converged_at else None,
        "close_codes": close_codes,
        "errors": [e for s in world.students for e in s.errors][:5],
        "frames": sum(s.frames for s in world.students),
        "viewports": sum(sizes),
        "client_cpu_run": cpu1 - cpu0,
    }
    print("DONE " + json.dumps(report), flush=True)
    for s in world.students:
        if s.transport is not None:
            s.transport.close()
    await asyncio.sleep(0.2)
    return 0


# ==========================================================================
# The driver: database, world, servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def choose_database() -> tuple[str, str]:
    """(DATABASE_URL, label): a fresh private PostgreSQL database, else SQLite."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
        return f"postgres://postgres@127.0.0.1:5432/{PG_DB}", f"PostgreSQL ({PG_DB})"
    except Exception as e:
        print(f"  PostgreSQL unavailable ({e.__class__.__name__}: {e}); using SQLite")
    db = BENCH_DIR / "fanout.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{db}", f"SQLite ({db})"


def drop_database(url: str) -> None:
    if not url.startswith("postgres://"):
        return
    with contextlib.suppress(Exception):
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def base_env(database_url: str, prefix: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "scopecast.settings",
            "DEBUG": "0",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "REALTIME_PREFIX": prefix,
            "SCOPECAST_INPROCESS_WORKER": "0",
            "SLIDE_IMPORT_ROOTS": str(BENCH_DIR),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def ensure_slide_file() -> Path:
    if not SLIDE_FILE.exists():
        from slides.synthetic import write_generic_tiff

        write_generic_tiff(SLIDE_FILE, *SLIDE_SIZE)
    return SLIDE_FILE


@dataclass
class World:
    course_id: int
    slide_id: int
    teacher_cookie: str


def build_world() -> World:
    """Course, teacher (with a logged-in session) and the agenda slide."""
    import openslide
    from django.contrib.auth.models import User
    from django.test import Client

    from classroom.models import Course, Membership
    from slides.models import Slide

    path = ensure_slide_file()
    osr = openslide.OpenSlide(path)
    slide = Slide.objects.create(
        title="Fan-out bench slide",
        file_path=str(path),
        status=Slide.Status.READY,
        reader="openslide",
        width=osr.dimensions[0],
        height=osr.dimensions[1],
        level_count=osr.level_count,
        level_dimensions=[list(d) for d in osr.level_dimensions],
    )
    course = Course.objects.create(title="Fan-out bench", code="BENCH1")
    course.slides.add(slide)
    teacher = User.objects.create_user("bench-teacher", first_name="Tess")
    Membership.objects.create(course=course, user=teacher, role="teacher")
    client = Client()
    client.force_login(teacher)
    return World(course.pk, slide.pk, "sessionid=" + client.cookies["sessionid"].value)


def new_session(world: World, students: int, label: str) -> tuple[int, list[str]]:
    """A session with guests allowed, and ``students`` guests with their tokens."""
    from classroom.actions.guests import do_join_as_guest
    from classroom.actions.sessions import AgendaSpec, do_create_session
    from classroom.models import Course
    from slides.models import Slide

    course = Course.objects.get(pk=world.course_id)
    slide = Slide.objects.get(pk=world.slide_id)
    session = do_create_session(
        course,
        title=f"bench {label}",
        agenda=[AgendaSpec(slide, {"x": X0, "y": 1000.0, "zoom": 0.25, "rotation": 0.0})],
        allow_guests=True,
    )
    tokens = [do_join_as_guest(session.join_code, f"Student {i}")[1] for i in range(students)]
    return session.pk, tokens


def unit_argv(port: int, app: str) -> list[str]:
    """daphne's command line as deploy/systemd/scopecast-daphne@.service runs it.

    Only the virtualenv's path, the port (``%i``) and, for the baseline and
    experiments, the ASGI application differ.
    """
    import configparser
    import shlex

    unit = configparser.RawConfigParser(strict=False, interpolation=None)
    unit.read_string(DAPHNE_UNIT.read_text().replace("\\\n", " "))
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert argv[0].endswith("/daphne") and argv[-1] == "scopecast.asgi:application", argv
    middle = [a.replace("%i", str(port)) for a in argv[1:-1]]
    return [str(Path(sys.executable).parent / "daphne"), *middle, app]


class Server:
    """One daphne process on a free port, started as the systemd unit starts it."""

    def __init__(self, env: dict[str, str], log: Path, experiments: str = "") -> None:
        bench_module = bool(experiments) or env.get("BENCH_FANOUT") == "naive"
        if bench_module:
            env = {
                **env,
                "BENCH_EXPERIMENTS": experiments,
                "PYTHONPATH": f"{ROOT}{os.pathsep}{SCRIPT.parent}",
            }
        self.port = free_port()
        self.log = log
        self.profiler: subprocess.Popen[bytes] | None = None
        app = "_fanout_asgi:application" if bench_module else "scopecast.asgi:application"
        self.proc = subprocess.Popen(
            unit_argv(self.port, app),
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited during start-up:\n{self.log_tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"daphne did not listen within {timeout:.0f} s")

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def cpu_seconds(self) -> float:
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return 0.0

    def rss_bytes(self) -> int:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def profile(self, out: Path) -> None:
        """Sample this server with py-spy until it stops (``--profile``)."""
        self.profiler = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--nonblocking",
                "--threads",
                "-r",
                "50",
                "-f",
                "raw",
                "-p",
                str(self.proc.pid),
                "-o",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop_profile(self) -> None:
        if self.profiler is not None and self.profiler.poll() is None:
            self.profiler.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.profiler.wait(30)

    def stop(self) -> None:
        self.stop_profile()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ==========================================================================
# One measured run


@dataclass
class RunResult:
    design: str
    students: int
    servers: int
    rate: float
    updates_sent: int = 0
    annotations_sent: int = 0
    locks_sent: int = 0
    accepted_at_end: int = 0  # updates the server had taken a seq for when the last was sent
    accepted: int = 0  # ... when the students converged or gave up
    connected: int = 0
    connect_seconds: float = 0.0
    connect_failures: list[str] = field(default_factory=list)
    p50_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    first_p50_ms: float | None = None
    first_p99_ms: float | None = None
    spread_p50_ms: float | None = None
    spread_p99_ms: float | None = None
    gap_p50_ms: float | None = None
    gap_p99_ms: float | None = None
    gap_max_ms: float | None = None
    delivered_mean: float = 0.0
    delivered_min: int = 0
    converged: int = 0
    all_converged: bool = False
    converge_seconds: float | None = None
    close_codes: dict[str, int] = field(default_factory=dict)
    teacher_errors: list[str] = field(default_factory=list)
    student_errors: list[str] = field(default_factory=list)
    server_cpu_connect: float = 0.0
    server_cpu_send: float = 0.0  # while the teacher was sending
    server_cpu_run: float = 0.0  # from the first update until every student converged
    server_cpu_total: float = 0.0
    client_cpu_run: float = 0.0
    send_seconds: float = 0.0
    rss_before_mib: float = 0.0
    rss_after_mib: float = 0.0
    rss_per_conn_kib: float = 0.0
    failure: str = ""
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def cpu_ms_per_update(self) -> float:
        """Server CPU per update it handled (a backlogged server has not handled them all)."""
        handled = min(self.accepted, self.updates_sent) or self.updates_sent
        return self.server_cpu_run * 1000 / handled if handled else 0.0

    @property
    def cpu_us_per_frame(self) -> float:
        return self.cpu_ms_per_update * 1000 / self.connected if self.connected else 0.0

    @property
    def cores_at_rate(self) -> float:
        """Server cores this fan-out needs at the teacher's rate (CPU per update x rate)."""
        return self.cpu_ms_per_update * self.rate / 1000

    @property
    def ok(self) -> bool:
        """Completed: (nearly) everyone connected, and every connected student converged."""
        return not self.failure and self.all_converged and self.connected >= 0.95 * self.students


class Teacher:
    """The teacher's socket (websockets asyncio client): commands and a drain."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.last_seq = 0
        self.acked_seq = 0
        self.errors: list[str] = []
        self.waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self._read())
        self.pinger = asyncio.create_task(self._ping())

    @classmethod
    async def connect(cls, port: int, session_id: int, cookie: str) -> Teacher:
        from websockets.asyncio.client import connect

        ws = await connect(
            f"ws://{HOST}:{port}/ws/sessions/{session_id}/",
            origin=f"http://{HOST}:{port}",  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie},
            open_timeout=30,
            ping_interval=None,
            max_size=2**24,
        )
        teacher = cls(ws)
        await teacher.expect("snapshot", None)
        return teacher

    def expect(self, kind: str, command: dict[str, Any] | None) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiters[kind] = future
        return future

    async def command(self, command: dict[str, Any], reply: str) -> dict[str, Any]:
        future = self.expect(reply, command)
        await self.ws.send(json.dumps(command))
        return await asyncio.wait_for(future, 30)

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                frame = json.loads(raw)
                seq = frame.get("seq")
                if isinstance(seq, int):
                    self.last_seq = max(self.last_seq, seq)
                kind = frame.get("type")
                if kind == "snapshot":
                    self.last_seq = max(self.last_seq, int(frame.get("last_seq") or 0))
                if self.last_seq - self.acked_seq >= ACK_EVERY:
                    await self._ack()
                if kind == "error" and len(self.errors) < 10:
                    self.errors.append(str(raw)[:200])
                future = self.waiters.pop(kind, None)
                if future is not None and not future.done():
                    future.set_result(frame)

    async def _ping(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(PING_SECONDS)
                await self._ack()

    async def _ack(self) -> None:
        self.acked_seq = self.last_seq
        await self.ws.send(json.dumps({"type": "ping", "seq": self.last_seq}))

    async def close(self) -> None:
        self.pinger.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)
        self.reader.cancel()
        with contextlib.suppress(BaseException):
            await self.reader


async def _read_line(stream: asyncio.StreamReader, prefix: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no {prefix!r} line from the students within {seconds:.0f} s")
        raw = await asyncio.wait_for(stream.readline(), remaining)
        if not raw:
            raise RuntimeError(f"the students process ended before {prefix!r}")
        line = raw.decode()
        if line.startswith(prefix + " "):
            parsed: dict[str, Any] = json.loads(line[len(prefix) + 1 :])
            return parsed
        sys.stdout.write("    students: " + line)


async def measure(
    result: RunResult,
    servers: list[Server],
    world: World,
    session_id: int,
    tokens: list[str],
    args: argparse.Namespace,
    workdir: Path,
) -> tuple[dict[str, float], Path | None]:
    """Run one measurement; returns the teacher's send times and the students' data file."""
    teacher = await Teacher.connect(servers[0].port, session_id, world.teacher_cookie)
    sent: dict[str, float] = {}
    out = workdir / f"students-{result.design}-{result.students}.npz"
    proc: asyncio.subprocess.Process | None = None
    try:
        await teacher.command({"type": "session_start"}, "session_state")
        await teacher.command({"type": "open_item", "index": 0}, "slide_opened")
        await asyncio.sleep(1.0)  # prewarm of the opened view, roster debounce
        cpu0 = sum(s.cpu_seconds() for s in servers)
        rss0 = sum(s.rss_bytes() for s in servers)

        config = workdir / f"students-{result.design}-{result.students}.json"
        config.write_text(
            json.dumps(
                {
                    "ports": [s.port for s in servers],
                    "session_id": session_id,
                    "tokens": tokens,
                    "out": str(out),
                    "converge_timeout": args.converge_timeout,
                }
            )
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--students-worker",
            str(config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        assert proc.stdout is not None and proc.stdin is not None
        ready = await _read_line(proc.stdout, "READY", args.connect_timeout)
        result.connected = int(ready["connected"])
        result.connect_seconds = float(ready["seconds"])
        result.connect_failures = list(ready["failures"])
        await asyncio.sleep(2.0)  # the last presence announcements go out
        cpu1 = sum(s.cpu_seconds() for s in servers)
        result.rss_before_mib = rss0 / 2**20
        result.rss_after_mib = sum(s.rss_bytes() for s in servers) / 2**20
        result.rss_per_conn_kib = (
            (result.rss_after_mib - result.rss_before_mib) * 1024 / max(1, result.connected)
        )
        result.server_cpu_connect = cpu1 - cpu0
        if args.profile:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            for k, server in enumerate(servers):
                name = f"profile-{result.design}-{result.students}-{k}.txt"
                server.profile(RESULTS_DIR / name)
            await asyncio.sleep(1.0)  # py-spy attaches
            cpu1 = sum(s.cpu_seconds() for s in servers)

        # Where a backlog sits: the store's seq counts the updates the server
        # has accepted from the teacher (one seq each), before any fan-out.
        import redis.asyncio as aioredis

        redis_client = aioredis.Redis.from_url(REDIS_URL)
        seq_key = f"{os.environ['REALTIME_PREFIX']}:s:{session_id}:seq"
        seq_start = int(await redis_client.get(seq_key) or 0)

        # 20 Hz on an absolute schedule: a late tick does not shift the rest.
        # As in a lecture, annotations and locks go out between the viewports.
        count = max(1, round(args.seconds * args.rate))
        annotate_every = max(1, round(args.annotate_every * args.rate))
        lock_every = max(1, round(args.lock_every * args.rate))
        start = time.time() + 0.05
        view: dict[str, Any] = {}
        for i in range(1, count + 1):
            delay = start + (i - 1) / args.rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            view = teacher_view(world.slide_id, i)
            text = json.dumps({"type": "set_viewport", **view})
            sent[str(i)] = time.time()
            await teacher.ws.send(text)
            if args.annotate_every and i % annotate_every == 0:
                await teacher.ws.send(json.dumps(lecture_annotation(world.slide_id, i)))
                result.annotations_sent += 1
            if args.lock_every and i % lock_every == 0:
                locked = (i // lock_every) % 2 == 1
                await teacher.ws.send(json.dumps({"type": "lock", "locked": locked}))
                result.locks_sent += 1
        result.send_seconds = time.time() - start
        result.accepted_at_end = int(await redis_client.get(seq_key) or 0) - seq_start
        result.updates_sent = count
        cpu2 = sum(s.cpu_seconds() for s in servers)
        result.server_cpu_send = cpu2 - cpu1

        final = json.loads(json.dumps(view))
        final["sent_at"] = sent[str(count)]
        proc.stdin.write(("FINAL " + json.dumps(final) + "\n").encode())
        await proc.stdin.drain()
        done = await _read_line(proc.stdout, "DONE", args.converge_timeout + 60)
        result.converged = int(done["converged"])
        result.all_converged = result.connected > 0 and result.converged == result.connected
        result.converge_seconds = done["converge_seconds"]
        result.close_codes = dict(done["close_codes"])
        result.student_errors = list(done["errors"])
        result.client_cpu_run = float(done["client_cpu_run"])
        if done["not_converged_examples"]:
            result.student_errors.append(
                "not converged: " + json.dumps(done["not_converged_examples"])[:300]
            )
        cpu3 = sum(s.cpu_seconds() for s in servers)
        result.accepted = int(await redis_client.get(seq_key) or 0) - seq_start
        await redis_client.aclose()
        result.server_cpu_run = cpu3 - cpu1
        result.server_cpu_total = cpu3 - cpu0
        for server in servers:
            server.stop_profile()
        await asyncio.wait_for(proc.wait(), 30)
        return sent, out
    finally:
        result.teacher_errors = list(teacher.errors)
        await teacher.close()
        if proc is not None and proc.returncode is None:
            proc.kill()
            await proc.wait()


def latency_stats(result: RunResult, sent: dict[str, float], out: Path) -> None:
    import numpy as np

    data = np.load(out)
    markers = data["marker"]
    recv = data["recv"]
    students = data["student"]
    send_times = np.full(result.updates_sent + 1, np.nan)
    for key, t in sent.items():
        send_times[int(key)] = t
    valid = (markers >= 1) & (markers <= result.updates_sent)
    latencies = (recv[valid] - send_times[markers[valid]]) * 1000
    if latencies.size:
        p50, p90, p99 = np.percentile(latencies, [50, 90, 99])
        result.p50_ms, result.p90_ms, result.p99_ms = float(p50), float(p90), float(p99)
        result.max_ms = float(latencies.max())
        # Per update: when the first and the last student got it. The first
        # delivery is the teacher -> server -> hub path; the spread is fan-out.
        order = np.argsort(markers[valid], kind="stable")
        m_sorted = markers[valid][order]
        l_sorted = latencies[order]
        starts = np.flatnonzero(np.r_[True, m_sorted[1:] != m_sorted[:-1]])
        first = np.minimum.reduceat(l_sorted, starts)
        last = np.maximum.reduceat(l_sorted, starts)
        result.first_p50_ms = float(np.percentile(first, 50))
        result.first_p99_ms = float(np.percentile(first, 99))
        result.spread_p50_ms = float(np.percentile(last - first, 50))
        result.spread_p99_ms = float(np.percentile(last - first, 99))
    # Smoothness: the gaps between one student's successive viewports while
    # the teacher streams (a viewer animates across each gap). Even 50 ms
    # gaps at 20 Hz, or 100 ms at 10 Hz, look alike; a backlog shows as
    # bursts of short gaps after long ones.
    order = np.lexsort((recv[valid], students[valid]))
    s_sorted, t_sorted = students[valid][order], recv[valid][order]
    same = s_sorted[1:] == s_sorted[:-1]
    gaps = np.diff(t_sorted)[same] * 1000
    if gaps.size:
        result.gap_p50_ms = float(np.percentile(gaps, 50))
        result.gap_p99_ms = float(np.percentile(gaps, 99))
        result.gap_max_ms = float(gaps.max())
    per_student = np.bincount(students[valid], minlength=result.students)[data["connected"]]
    result.delivered_mean = float(per_student.mean()) if per_student.size else 0.0
    result.delivered_min = int(per_student.min()) if per_student.size else 0


def run_one(
    design: str,
    students: int,
    world: World,
    env: dict[str, str],
    args: argparse.Namespace,
    workdir: Path,
) -> RunResult:
    result = RunResult(design, students, args.servers, args.rate, load_before=os.getloadavg())
    print(f"\n== {design}, {students} students, {args.servers} daphne process(es)", flush=True)
    session_id, tokens = new_session(world, students, f"{design}-{students}")
    server_env = {**env, "BENCH_FANOUT": design}
    servers = [
        Server(server_env, workdir / f"daphne-{design}-{students}-{k}.log", args.experiment)
        for k in range(args.servers)
    ]
    try:
        for server in servers:
            server.wait_ready()
        sent, out = asyncio.run(measure(result, servers, world, session_id, tokens, args, workdir))
        if out is not None and out.exists():
            latency_stats(result, sent, out)
    except Exception as e:
        result.failure = f"{e.__class__.__name__}: {e}"
        print(f"  FAILED: {result.failure}")
        for server in servers:
            tail = server.log_tail(10)
            if tail:
                print("  daphne log tail:\n" + tail)
    finally:
        for server in servers:
            server.stop()
    print_run(result)
    return result


# ==========================================================================
# Reporting


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_run(r: RunResult) -> None:
    print(
        f"  connected {r.connected}/{r.students} in {r.connect_seconds:.1f} s; "
        f"sent {r.updates_sent} updates in {r.send_seconds:.1f} s; "
        f"the server had accepted {r.accepted_at_end} of them when the last was sent"
    )
    print(
        f"  latency p50 {_ms(r.p50_ms)} ms, p99 {_ms(r.p99_ms)} ms, max {_ms(r.max_ms)} ms; "
        f"delivered per student mean {r.delivered_mean:.1f}, min {r.delivered_min}"
    )
    print(
        f"  per update: first student p50 {_ms(r.first_p50_ms)} ms, p99 {_ms(r.first_p99_ms)} ms;"
        f" first-to-last spread p50 {_ms(r.spread_p50_ms)} ms, p99 {_ms(r.spread_p99_ms)} ms"
    )
    print(
        f"  smoothness: gaps between a student's viewports p50 {_ms(r.gap_p50_ms)} ms, "
        f"p99 {_ms(r.gap_p99_ms)} ms, max {_ms(r.gap_max_ms)} ms"
    )
    converge = "-" if r.converge_seconds is None else f"{r.converge_seconds * 1000:.0f} ms"
    print(
        f"  converged {r.converged}/{r.connected} (last student {converge} after the last send); "
        f"server CPU {r.server_cpu_run:.1f} s for the updates ({r.server_cpu_send:.1f} s while "
        f"sending; {r.cores_at_rate:.2f} cores at the teacher's rate), "
        f"{r.server_cpu_connect:.1f} s connecting; "
        f"RSS {r.rss_per_conn_kib:.0f} KiB/conn"
    )
    extra = r.teacher_errors + r.student_errors + r.connect_failures[:3]
    if r.close_codes:
        extra.append(f"close codes: {r.close_codes}")
    for line in extra:
        print(f"  ! {line}")


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


def print_table(results: list[RunResult], args: argparse.Namespace) -> None:
    print()
    print(
        f"Fan-out: teacher set_viewport at {args.rate:g} Hz for {args.seconds:g} s; "
        f"{args.servers} daphne process(es) as the systemd unit starts them; Redis pub/sub layer; "
        f"an annotation every {args.annotate_every:g} s and a lock toggle every "
        f"{args.lock_every:g} s during the stream"
        + (f"; experiment: {args.experiment}" if args.experiment else "")
    )
    header = (
        f"{'design':<6} {'N':>5} {'conn':>5} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'deliv mean/min':>15} {'final=teacher':>13} {'conv ms':>8} "
        f"{'gap p50/p99':>11} {'srv cpu s':>9} {'us/frame':>8} {'cores':>5} {'KiB/conn':>8} "
        f"{'cli cpu s':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        final = "yes" if r.all_converged else f"NO {r.converged}/{r.connected}"
        conv = "-" if r.converge_seconds is None else f"{r.converge_seconds * 1000:.0f}"
        deliv = f"{r.delivered_mean:.0f}/{r.delivered_min} of {r.updates_sent}"
        print(
            f"{r.design:<6} {r.students:>5} {r.connected:>5} {_ms(r.p50_ms):>7} "
            f"{_ms(r.p99_ms):>7} {_ms(r.max_ms):>7} {deliv:>15} {final:>13} {conv:>8} "
            f"{_ms(r.gap_p50_ms) + '/' + _ms(r.gap_p99_ms):>11} {r.server_cpu_run:>9.1f} {r.cpu_us_per_frame:>8.0f} {r.cores_at_rate:>5.2f} "
            f"{r.rss_per_conn_kib:>8.0f} "
            f"{r.client_cpu_run:>9.1f}"
        )
        if r.failure:
            print(f"       FAILED: {r.failure}")
    print()
    by_key = {(r.design, r.students): r for r in results}
    for n in args.students:
        hub, naive = by_key.get(("hub", n)), by_key.get(("naive", n))
        if hub is None or naive is None:
            continue
        print(
            f"N={n}: naive / hub  p50 {_ratio(naive.p50_ms, hub.p50_ms)}, "
            f"p99 {_ratio(naive.p99_ms, hub.p99_ms)}, "
            f"server CPU per update {_ratio(naive.cpu_ms_per_update, hub.cpu_ms_per_update)}, "
            f"RSS/conn {_ratio(naive.rss_per_conn_kib, hub.rss_per_conn_kib)}"
        )
    for r in results:
        if r.design == "hub" and r.students == 500 and r.p99_ms is not None:
            verdict = "met" if r.p99_ms < 100 and r.all_converged else "MISSED"
            print(f"target N=500 hub p99 < 100 ms: {verdict} ({r.p99_ms:.1f} ms)")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def write_json(results: list[RunResult], args: argparse.Namespace, db_label: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"fanout-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    payload = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "rate_hz": args.rate,
        "seconds": args.seconds,
        "servers": args.servers,
        "experiment": args.experiment,
        "database": db_label,
        "redis": REDIS_URL,
        "cpus": os.cpu_count(),
        "load_end": os.getloadavg(),
        "runs": [
            {
                **asdict(r),
                "cpu_ms_per_update": r.cpu_ms_per_update,
                "cpu_us_per_frame": r.cpu_us_per_frame,
                "cores_at_rate": r.cores_at_rate,
                "ok": r.ok,
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(payload, indent=2))
    return path


def cleanup_redis(prefix: str) -> None:
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[500, 1000])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=20.0, help="teacher updates per second")
    parser.add_argument(
        "--annotate-every",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="the teacher draws an annotation this often during the stream (0: never)",
    )
    parser.add_argument(
        "--lock-every",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="the teacher locks or unlocks follow this often during the stream (0: never)",
    )
    parser.add_argument("--servers", type=int, default=1, help="daphne processes")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive design")
    parser.add_argument("--connect-timeout", type=float, default=180.0)
    parser.add_argument("--converge-timeout", type=float, default=20.0)
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the servers (bench/results/profile-*)"
    )
    parser.add_argument(
        "--experiment",
        default="",
        help="comma-separated ideas to measure (bench/_fanout_asgi.py), e.g. no-dispatch-db-hop",
    )
    parser.add_argument("--students-worker", metavar="CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    raise_fd_limit()
    if args.students_worker:
        return asyncio.run(students_main(json.loads(Path(args.students_worker).read_text())))
    if not 0 < args.seconds <= 600 or not 0 < args.rate <= 30:
        parser.error("--seconds must be in (0, 600] and --rate in (0, 30] (the set_viewport limit)")
    if min(args.students) < 1 or args.servers < 1:
        parser.error("--students and --servers must be positive")

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print("Scopecast fan-out benchmark")
    load = os.getloadavg()
    print(f"  {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"  open files limit {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}")
    database_url, db_label = choose_database()
    prefix = f"bfan{uuid.uuid4().hex[:8]}"
    env = base_env(database_url, prefix)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    print(f"  database: {db_label}; Redis {REDIS_URL}, prefix {prefix}")
    results: list[RunResult] = []
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        import django

        django.setup()
        world = build_world()
        designs = ["hub"] if args.no_baseline else ["hub", "naive"]
        naive_collapsed = False
        with tempfile.TemporaryDirectory(dir=BENCH_DIR) as tmp:
            for n in args.students:
                for design in designs:
                    if design == "naive" and naive_collapsed:
                        print(f"\n== naive, {n} students: skipped (it collapsed at a smaller N)")
                        continue
                    result = run_one(design, n, world, env, args, Path(tmp))
                    results.append(result)
                    if design == "naive" and not result.ok:
                        naive_collapsed = True
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(database_url)
        cleanup_redis(prefix)
    print_table(results, args)
    print(f"results: {write_json(results, args, db_label)}")
    return 0 if results and all(r.ok for r in results if r.design == "hub") else 1


if __name__ == "__main__":
    sys.exit(main())
