"""Quiz answer burst benchmark, service layer (see docs/quizzes.md, "Benchmark").

Usage::

    .venv/bin/python bench/quiz_burst.py [--database-url postgres://...] [--students 500 1000]

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
        if event["type"] != "quiz_aggregate":
            return
        text = json.dumps(event)  # encoded once, as the transport would
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
    from quizzes.actions import asubmit_answer, do_push_question, do_submit_answer
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--students", type=int, nargs="+", default=[500, 1000])
    parser.add_argument("--spread", type=float, default=1.0, help="seconds the burst spans")
    args = parser.parse_args()
    url = configure(args.database_url)
    from django.db import connection

    print(f"database: {connection.vendor} ({url.split('@')[-1]}); spread {args.spread}s")
    try:
        results = asyncio.run(main_async(args.students, args.spread))
    finally:
        if args.database_url is None:  # our private SQLite file
            connection.close()
            Path(url.removeprefix("sqlite://")).unlink(missing_ok=True)
    print_table(results)
    return 1 if any(r.lost for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
