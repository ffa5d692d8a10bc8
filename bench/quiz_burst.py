"""Quiz answer burst benchmark (see docs/quizzes.md, "Benchmark").

Usage::

    .venv/bin/python bench/quiz_burst.py --ws [--students 500 1000]
    .venv/bin/python bench/quiz_burst.py --service [--database-url postgres://...]

With no mode flag it runs ``--ws`` when PostgreSQL and Redis answer on
127.0.0.1 (what ``make bench`` does), else ``--service`` on SQLite.

``--ws`` (websocket level, production-like): a private PostgreSQL database
(``scopecast_bench_quiz``, created, migrated and dropped), the Redis channel
layer and state store, and a real daphne process with DEBUG off. N guests
(signed guest tokens) connect over real websockets; the teacher (session
cookie) pushes a question; every student answers within one second of
receiving it and waits for its ``quiz_ack``. Two designs, each on its own
daphne process, in the same run:

- ``naive`` (``BENCH_ANSWERS=naive`` in the bench-only bench/_quiz_asgi.py):
  one transaction per answer on Django's sync thread and one teacher
  ``quiz_aggregate`` per answer;
- ``batched``: the group-commit writer and the throttled publisher (<= 5/s).

It reports the time from the first answer sent until every answer is
committed and acknowledged, ack latency p50/p99, the teacher's aggregate
lag (last ack received -> the teacher's aggregate counting all N), teacher
messages, commits (distinct commit timestamps of the receipts) and lost
answers, with batched/naive ratios, and writes JSON to bench/results/.
"Lost" is every student who did not end with an acknowledged answer that is
in the database, shown in three parts: never connected, connected but never
acked (no reply in time, or an error frame instead of ``quiz_ack``), and
acked but not in the database. It must be 0: the exit status is 1 otherwise.

``--service`` (service layer, in process):

N simulated students (500, then 1,000) all answer one live question within
one second (uniformly spread). Two designs run in the same process, on the
same database, one after the other, for each N:

- ``baseline``: what a naive consumer does: one ``do_submit_answer`` call
  (one transaction) per answer on Django's single sync thread
  (``database_sync_to_async``), then one teacher message per answer carrying
  the aggregate.
- ``batched``: ``asubmit_answer``: the group-commit writer (one transaction
  per batch on its own thread) and the throttled teacher publisher (<= 5/s).

A "teacher message" is the JSON-encoded ``quiz_aggregate`` event handed to
the event loop, where a teacher task decodes it (the websocket hop itself
comes with the realtime layer's benchmark).

For each run it prints: time until every answer is committed and
acknowledged, ack latency p50/p99, the teacher's aggregate lag (from the last
ack until the teacher has seen all N answers), teacher messages, commits
(batches), and lost answers (acknowledged but not in the database, or never
acknowledged; must be 0), then the batched/baseline ratios.

Without ``--database-url`` it uses a fresh SQLite file under var/bench/.
A PostgreSQL database named in the URL is created when missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))


def configure(database_url: str | None) -> str:
    if database_url is None:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path = BENCH_DIR / f"quiz_burst-{uuid.uuid4().hex[:8]}.sqlite3"
        database_url = f"sqlite:///{path}"
    elif database_url.startswith(("postgres://", "postgresql://")):
        ensure_pg_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scopecast.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return database_url


def ensure_pg_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


@dataclass
class RunResult:
    mode: str
    students: int
    all_acked_s: float
    ack_p50_ms: float
    ack_p99_ms: float
    aggregate_lag_ms: float
    teacher_messages: int
    commits: int
    lost: int


class Teacher:
    """Receives aggregate messages on the event loop, as a consumer would."""

    def __init__(self, loop: asyncio.AbstractEventLoop, expected: int) -> None:
        self.loop = loop
        self.expected = expected
        self.messages = 0
        self.seen_all = asyncio.Event()
        self.seen_all_at = 0.0

    def sink(self, session_id: int, event: Any, audience: str) -> None:
        if event.type != "quiz_aggregate":
            return
        text = event.model_dump_json()  # encoded once, as the transport would
        self.loop.call_soon_threadsafe(self.receive, text)

    def receive(self, text: str) -> None:
        self.messages += 1
        event = json.loads(text)
        if event["aggregate"]["answered"] >= self.expected and not self.seen_all.is_set():
            self.seen_all_at = time.perf_counter()
            self.seen_all.set()


def setup_class(n: int) -> tuple[Any, Any, Any, list[Any]]:
    from django.contrib.auth.models import User

    from classroom.models import Course, LiveSession, Membership
    from quizzes.models import Choice, Question

    tag = uuid.uuid4().hex[:8]
    course = Course.objects.create(title="Burst", code=f"BURST-{tag}")
    teacher = User.objects.create(username=f"teacher-{tag}")
    Membership.objects.create(course=course, user=teacher, role=Membership.Role.TEACHER)
    students = User.objects.bulk_create(User(username=f"s{i}-{tag}") for i in range(n))
    Membership.objects.bulk_create(
        Membership(course=course, user=s, role=Membership.Role.STUDENT) for s in students
    )
    question = Question.objects.create(
        course=course, type=Question.Type.SINGLE, prompt="Which?", time_limit=600
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=i, text=t, is_correct=i == 0)
        for i, t in enumerate("ABCD")
    )
    session = LiveSession.objects.create(course=course, title="Burst", state="live")
    return session, question, teacher, students


async def run(mode: str, n: int, spread: float) -> RunResult:
    from channels.db import database_sync_to_async

    from quizzes import events, runtime
    from quizzes.actions.live import asubmit_answer, do_push_question, do_submit_answer
    from quizzes.aggregation import CoalescingPublisher
    from quizzes.answers import get_writer
    from quizzes.domain import Participant
    from quizzes.models import LiveAnswer

    session, question, teacher_user, students = await database_sync_to_async(setup_class)(n)
    loop = asyncio.get_running_loop()
    teacher = Teacher(loop, n)
    previous_sink = events.set_sink(teacher.sink)
    lq = await database_sync_to_async(do_push_question)(session, question, by=teacher_user)
    choice_ids = await database_sync_to_async(
        lambda: [str(c.pk) for c in question.choices.order_by("position")]
    )()
    real_publisher = runtime.publisher
    if mode == "baseline":
        runtime.publisher = CoalescingPublisher(lambda key, final: None)  # replaced below

    def submit_and_tell_teacher(p: Participant, payload: Any, cid: str) -> Any:
        ack = do_submit_answer(lq.pk, p, payload, cid)
        runtime.publish_aggregate(lq.pk, False)  # one teacher message per answer
        return ack

    baseline_submit = database_sync_to_async(submit_and_tell_teacher)
    writer = get_writer()
    batches_before = writer.batches
    rng = random.Random(n)
    latencies: list[float] = []
    acked: set[str] = set()

    async def student(i: int, user: Any) -> None:
        await asyncio.sleep(rng.random() * spread)
        p = Participant("user", user.pk)
        payload = {"choice": choice_ids[rng.randrange(4)]}
        cid = f"{mode}-{i}"
        t0 = time.perf_counter()
        if mode == "baseline":
            await baseline_submit(p, payload, cid)
        else:
            await asubmit_answer(lq.pk, p, payload, cid)
        latencies.append(time.perf_counter() - t0)
        acked.add(p.key)

    start = time.perf_counter()
    await asyncio.gather(*(student(i, u) for i, u in enumerate(students)))
    last_ack = time.perf_counter()
    try:
        await asyncio.wait_for(teacher.seen_all.wait(), timeout=10)
        lag = (teacher.seen_all_at - last_ack) * 1000
    except TimeoutError:
        lag = float("inf")
    committed = await database_sync_to_async(
        lambda: set(
            LiveAnswer.objects.filter(live_question=lq).values_list("participant_key", flat=True)
        )
    )()
    events.set_sink(previous_sink)
    runtime.publisher = real_publisher
    runtime.deadlines.cancel(lq.pk)
    latencies.sort()
    return RunResult(
        mode=mode,
        students=n,
        all_acked_s=last_ack - start,
        ack_p50_ms=statistics.median(latencies) * 1000,
        ack_p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        aggregate_lag_ms=max(0.0, lag),
        teacher_messages=teacher.messages,
        commits=n if mode == "baseline" else writer.batches - batches_before,
        lost=(n - len(acked)) + len(acked - committed),
    )


def print_table(results: list[RunResult]) -> None:
    head = (
        f"{'N':>5} {'design':>9} {'all acked s':>12} {'ack p50 ms':>11} {'ack p99 ms':>11} "
        f"{'agg lag ms':>11} {'teacher msgs':>13} {'commits':>8} {'lost':>5}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.students:>5} {r.mode:>9} {r.all_acked_s:>12.3f} {r.ack_p50_ms:>11.1f} "
            f"{r.ack_p99_ms:>11.1f} {r.aggregate_lag_ms:>11.1f} {r.teacher_messages:>13} "
            f"{r.commits:>8} {r.lost:>5}"
        )
    print()
    by = {(r.students, r.mode): r for r in results}
    for n in sorted({r.students for r in results}):
        base, ours = by[(n, "baseline")], by[(n, "batched")]
        print(
            f"N={n}: batched/baseline  all-acked time x{ours.all_acked_s / base.all_acked_s:.2f}, "
            f"ack p99 x{ours.ack_p99_ms / base.ack_p99_ms:.2f}, "
            f"teacher messages x{ours.teacher_messages / max(1, base.teacher_messages):.3f}, "
            f"commits x{ours.commits / base.commits:.3f}"
        )


async def main_async(students: list[int], spread: float) -> list[RunResult]:
    results = []
    for n in students:
        for mode in ("baseline", "batched"):
            results.append(await run(mode, n, spread))
    return results


# ==========================================================================
# --ws: through daphne, Redis and real websockets

HOST = "127.0.0.1"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "scopecast_bench_quiz"
WS_DB_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
RESULTS_DIR = ROOT / "bench" / "results"
WS_SECRET = "bench-quiz-" + uuid.uuid4().hex
WS_PREFIX = "bq" + uuid.uuid4().hex[:6]
CONNECT_CONCURRENCY = 64
# Clients ack every half send window (docs/protocol.md, "Ack cadence").
ACK_EVERY = 32
ACK_BOUND_S = 75.0  # per run: keeps the whole benchmark within ~6 minutes


def services_up() -> bool:
    import socket

    for port in (5432, 6379):
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                pass
        except OSError:
            return False
    return True


def ws_env() -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "scopecast.settings",
        "DEBUG": "0",
        "SECRET_KEY": WS_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": WS_DB_URL,
        "REDIS_URL": REDIS_URL,
        "REALTIME_PREFIX": WS_PREFIX,
        "SCOPECAST_INPROCESS_WORKER": "0",
        "LOG_LEVEL": "WARNING",
    }


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.encode())


def raise_fd_limit() -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Daphne:
    """One daphne process on a free port (logs under var/bench/)."""

    def __init__(self, mode: str) -> None:
        import socket
        import subprocess

        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = int(sock.getsockname()[1])
        env = {
            **os.environ,
            **ws_env(),
            "BENCH_ANSWERS": mode,
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
        }
        self.log = BENCH_DIR / f"quiz_burst-daphne-{mode}.log"
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "daphne"),
                *("-b", HOST, "-p", str(self.port), "-v", "0"),
                "_quiz_asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("daphne did not listen in time")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        import signal
        import subprocess

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class WsResult:
    design: str
    students: int
    connected: int
    all_acked_s: float
    ack_p50_ms: float
    ack_p99_ms: float
    aggregate_lag_ms: float
    teacher_messages: int
    commits: int
    acked: int
    in_database: int
    never_connected: int
    never_acked: int
    acked_not_stored: int
    lost: int  # the three above: did not end with a committed, acked answer
    errors: int
    server_cpu_s: float


def ws_world(n: int) -> dict[str, Any]:
    """A course, its teacher (logged in), a live session with a question and N guests."""
    from django.contrib.auth.models import User
    from django.test import Client

    from classroom.guests import make_guest_token
    from classroom.models import Course, Guest, LiveSession, Membership
    from quizzes.models import Choice, Question

    tag = uuid.uuid4().hex[:8]
    course = Course.objects.create(title="Quiz burst", code=f"QB-{tag}")
    teacher = User.objects.create_user(f"qb-teacher-{tag}", first_name="Tess")
    Membership.objects.create(course=course, user=teacher, role=Membership.Role.TEACHER)
    question = Question.objects.create(
        course=course, type=Question.Type.SINGLE, prompt="Which?", time_limit=600
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=i, text=t, is_correct=i == 0)
        for i, t in enumerate("ABCD")
    )
    session = LiveSession.objects.create(
        course=course, title="Burst", state="live", created_by=teacher, allow_guests=True
    )
    guests = Guest.objects.bulk_create(
        Guest(session=session, display_name=f"Student {i}") for i in range(n)
    )
    client = Client()
    client.force_login(teacher)
    return {
        "session_id": session.pk,
        "question_id": question.pk,
        "choices": [str(c.pk) for c in question.choices.order_by("position")],
        "tokens": [make_guest_token(session.pk, g.pk) for g in guests],
        "cookie": "sessionid=" + client.cookies["sessionid"].value,
    }


def ws_counts(lq_id: int) -> tuple[set[str], int]:
    """(client ids of the answers in the database, distinct commits) for one question."""
    from quizzes.models import AnswerReceipt, LiveAnswer

    rows = set(
        LiveAnswer.objects.filter(live_question_id=lq_id).values_list("client_id", flat=True)
    )
    commits = (
        AnswerReceipt.objects.filter(live_question_id=lq_id)
        .values("accepted_at")
        .distinct()
        .count()
    )
    return rows, commits


class WsStudent:
    def __init__(self, index: int, token: str) -> None:
        self.index = index
        self.token = token
        self.ws: Any = None
        self.question = asyncio.get_event_loop().create_future()
        self.acked = asyncio.get_event_loop().create_future()
        self.last_seq = 0
        self.acked_seq = 0
        self.sent_at = 0.0
        self.acked_at = 0.0
        self.error: str | None = None

    async def reader(self) -> None:
        with contextlib.suppress(Exception):
            await self._read()

    async def ping(self) -> None:
        """The 5 s heartbeat ack; acks every ``ACK_EVERY`` seqs go out as frames arrive."""
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(5)
                await self.ws.send(
                    json.dumps({"type": "ping", "seq": self.last_seq, "ref": "ping"})
                )

    async def _read(self) -> None:
        async for text in self.ws:
            frame = json.loads(text)
            seq = frame.get("seq")
            if isinstance(seq, int):
                self.last_seq = max(self.last_seq, seq)
            if self.last_seq - self.acked_seq >= ACK_EVERY:
                self.acked_seq = self.last_seq
                await self.ws.send(
                    json.dumps({"type": "ping", "seq": self.last_seq, "ref": "ping"})
                )
            kind = frame["type"]
            if kind == "quiz_question" and not self.question.done():
                self.question.set_result(frame)
            elif kind in ("quiz_ack", "error") and frame.get("ref") != "ping":
                if kind == "error":
                    self.error = f"{frame['code']}: {frame['message']}"
                if not self.acked.done():
                    self.acked_at = time.perf_counter()
                    self.acked.set_result(frame)


async def ws_run(design: str, n: int, spread: float, server: Daphne) -> WsResult:
    from channels.db import database_sync_to_async
    from websockets.asyncio.client import connect

    world = await database_sync_to_async(ws_world)(n)
    base = f"ws://{HOST}:{server.port}/ws/sessions/{world['session_id']}/"
    from websockets.typing import Origin

    origin = Origin(f"http://{HOST}:{server.port}")
    students = [WsStudent(i, t) for i, t in enumerate(world["tokens"])]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    tasks: list[asyncio.Task[None]] = []

    async def join(st: WsStudent) -> None:
        async with gate:
            try:
                st.ws = await connect(
                    f"{base}?guest={st.token}",
                    origin=origin,
                    compression=None,
                    max_size=2**20,
                )
            except Exception as e:
                st.error = f"connect: {e}"
                return
            tasks.append(asyncio.create_task(st.reader()))
            tasks.append(asyncio.create_task(st.ping()))

    t0 = time.perf_counter()
    await asyncio.gather(*(join(s) for s in students))
    connected = [s for s in students if s.ws is not None]
    print(
        f"  {design}: {len(connected)}/{n} connected in {time.perf_counter() - t0:.1f}s", flush=True
    )

    teacher = await connect(
        base,
        origin=origin,
        additional_headers={"Cookie": world["cookie"]},
        compression=None,
        max_size=2**24,
    )
    teacher_msgs = 0
    teacher_seq = 0
    teacher_acked = 0
    seen_all_at = 0.0
    seen_all = asyncio.Event()
    lq_holder: dict[str, int] = {}
    pushed = asyncio.Event()

    async def teacher_reader() -> None:
        nonlocal teacher_msgs, seen_all_at, teacher_seq, teacher_acked
        async for text in teacher:
            frame = json.loads(text)
            teacher_seq = max(teacher_seq, frame.get("seq") or 0)
            if teacher_seq - teacher_acked >= ACK_EVERY:
                teacher_acked = teacher_seq
                await teacher.send(json.dumps({"type": "ping", "seq": teacher_seq, "ref": "ping"}))
            if frame["type"] == "quiz_question":
                lq_holder["id"] = frame["live_question_id"]
                pushed.set()
            elif frame["type"] == "quiz_aggregate":
                teacher_msgs += 1
                if frame["aggregate"]["answered"] >= len(connected) and not seen_all.is_set():
                    seen_all_at = time.perf_counter()
                    seen_all.set()
            elif frame["type"] == "error":
                print(f"  teacher got an error: {frame}")

    async def teacher_pinger() -> None:
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(5)
                await teacher.send(json.dumps({"type": "ping", "seq": teacher_seq, "ref": "ping"}))

    tasks.append(asyncio.create_task(teacher_reader()))
    tasks.append(asyncio.create_task(teacher_pinger()))
    rng = random.Random(n)
    cpu0 = server.cpu_seconds()

    async def answer(st: WsStudent) -> None:
        question = await st.question
        await asyncio.sleep(rng.random() * spread)
        st.sent_at = time.perf_counter()
        await st.ws.send(
            json.dumps(
                {
                    "type": "quiz_answer",
                    "live_question_id": question["live_question_id"],
                    "client_id": f"{design}-{st.index}",
                    "answer": {"choice": world["choices"][rng.randrange(4)]},
                }
            )
        )
        await asyncio.shield(st.acked)

    await teacher.send(json.dumps({"type": "quiz_push", "question_id": world["question_id"]}))
    await asyncio.wait_for(pushed.wait(), 30)
    try:
        await asyncio.wait_for(asyncio.gather(*(answer(s) for s in connected)), ACK_BOUND_S)
    except TimeoutError:
        print(f"  not every answer was acknowledged within {ACK_BOUND_S:.0f} s", flush=True)
    acks = [
        s
        for s in connected
        if s.acked.done() and not s.acked.cancelled() and s.acked.result()["type"] == "quiz_ack"
    ]
    last_ack = max((s.acked_at for s in acks), default=time.perf_counter())
    first_sent = min((s.sent_at for s in connected if s.sent_at), default=last_ack)
    try:
        await asyncio.wait_for(seen_all.wait(), 30 if len(acks) == len(connected) else 0.1)
        lag_ms = max(0.0, (seen_all_at - last_ack) * 1000)
    except TimeoutError:
        lag_ms = float("inf")
    cpu = server.cpu_seconds() - cpu0
    await teacher.send(json.dumps({"type": "quiz_close", "live_question_id": lq_holder["id"]}))
    await asyncio.sleep(0.5)
    stored, commits = await database_sync_to_async(ws_counts)(lq_holder["id"])
    for task in tasks:
        task.cancel()
    closing = asyncio.Semaphore(32)  # no disconnect storm

    async def close(ws: Any) -> None:
        async with closing:
            with contextlib.suppress(Exception):
                await ws.close()

    await asyncio.gather(*(close(s.ws) for s in connected), close(teacher))
    acked_ids = {s.acked.result()["client_id"] for s in acks}
    rows = len(stored)
    never_connected = n - len(connected)
    never_acked = len(connected) - len(acks)
    acked_not_stored = len(acked_ids - stored)
    latencies = sorted(s.acked_at - s.sent_at for s in acks)
    errors = [s.error for s in students if s.error]
    if errors:
        print(f"  {len(errors)} errors, e.g. {errors[:3]}")
    return WsResult(
        design=design,
        students=n,
        connected=len(connected),
        all_acked_s=last_ack - first_sent,
        ack_p50_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        ack_p99_ms=(
            latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
            if latencies
            else float("nan")
        ),
        aggregate_lag_ms=lag_ms,
        teacher_messages=teacher_msgs,
        commits=commits,
        acked=len(acks),
        in_database=rows,
        never_connected=never_connected,
        never_acked=never_acked,
        acked_not_stored=acked_not_stored,
        # Every student without a committed, acknowledged answer.
        lost=never_connected + never_acked + acked_not_stored,
        errors=len(errors),
        server_cpu_s=cpu,
    )


def ws_print(results: list[WsResult]) -> None:
    head = (
        f"{'N':>5} {'design':>8} {'all acked s':>12} {'ack p50 ms':>11} {'ack p99 ms':>11} "
        f"{'agg lag ms':>11} {'teacher msgs':>13} {'commits':>8} {'acked':>6} {'in DB':>6} "
        f"{'no conn':>8} {'no ack':>7} {'not in DB':>10} {'lost':>5} {'cpu s':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.students:>5} {r.design:>8} {r.all_acked_s:>12.3f} {r.ack_p50_ms:>11.1f} "
            f"{r.ack_p99_ms:>11.1f} {r.aggregate_lag_ms:>11.1f} {r.teacher_messages:>13} "
            f"{r.commits:>8} {r.acked:>6} {r.in_database:>6} {r.never_connected:>8} "
            f"{r.never_acked:>7} {r.acked_not_stored:>10} {r.lost:>5} {r.server_cpu_s:>6.1f}"
        )
    print(
        "lost = no conn (never connected) + no ack (connected, no quiz_ack) "
        "+ not in DB (acked, missing from the database); must be 0"
    )
    print()
    by = {(r.students, r.design): r for r in results}
    for n in sorted({r.students for r in results}):
        base, ours = by.get((n, "naive")), by.get((n, "batched"))
        if base is None or ours is None:
            continue
        print(
            f"N={n}: batched/naive  all-acked time x{ours.all_acked_s / base.all_acked_s:.2f}, "
            f"ack p99 x{ours.ack_p99_ms / base.ack_p99_ms:.2f}, "
            f"teacher messages x{ours.teacher_messages / max(1, base.teacher_messages):.3f}, "
            f"commits x{ours.commits / max(1, base.commits):.3f}, "
            f"server CPU x{ours.server_cpu_s / max(1e-9, base.server_cpu_s):.2f}"
        )


async def ws_main_async(students: list[int], spread: float) -> list[WsResult]:
    results: list[WsResult] = []
    for design in ("naive", "batched"):
        server = Daphne(design)
        try:
            server.wait_ready()
            for n in students:
                results.append(await ws_run(design, n, spread, server))
        finally:
            server.stop()
    return results


def ws_main(students: list[int], spread: float) -> int:
    raise_fd_limit()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.update(ws_env())
    pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{PG_DB}"')
    results: list[WsResult] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        load = os.getloadavg()
        print(
            f"websocket burst: daphne + Redis ({REDIS_URL}) + PostgreSQL ({PG_DB}); "
            f"spread {spread}s; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        results = asyncio.run(ws_main_async(students, spread))
        connections.close_all()
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        cleanup_redis()
    ws_print(results)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"quiz_burst-ws-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "quiz_burst --ws",
                "spread_s": spread,
                "loadavg": list(load),
                "results": [r.__dict__ for r in results],
            },
            indent=2,
        )
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 1 if any(r.lost for r in results) or not results else 0


def cleanup_redis() -> None:
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{WS_PREFIX}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def service_main(database_url: str | None, students: list[int], spread: float) -> int:
    url = configure(database_url)
    from django.db import connection

    print(f"database: {connection.vendor} ({url.split('@')[-1]}); spread {spread}s")
    try:
        results = asyncio.run(main_async(students, spread))
    finally:
        if database_url is None:  # our private SQLite file
            connection.close()
            Path(url.removeprefix("sqlite://")).unlink(missing_ok=True)
    print_table(results)
    return 1 if any(r.lost for r in results) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--ws", action="store_true", help="through daphne and real websockets")
    mode.add_argument("--service", action="store_true", help="the service layer, in process")
    parser.add_argument("--database-url", default=None, help="--service only")
    parser.add_argument("--students", type=int, nargs="+", default=[500, 1000])
    parser.add_argument("--spread", type=float, default=1.0, help="seconds the burst spans")
    args = parser.parse_args()
    use_ws = args.ws or (not args.service and args.database_url is None and services_up())
    if use_ws:
        return ws_main(args.students, args.spread)
    return service_main(args.database_url, args.students, args.spread)


if __name__ == "__main__":
    sys.exit(main())
