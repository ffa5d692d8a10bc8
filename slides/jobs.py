"""Durable background jobs: slide conversion, imports, whole-slide prewarm.

See docs/slides.md ("Background jobs"). A job is a `Job` row; handlers are
registered by kind::

    @register_job("convert_slide")
    def convert(job: Job, progress: Progress) -> None: ...

The runner knows no job kind itself: modules register theirs when they are
imported, and each app imports its job modules in its ``AppConfig.ready()``
(slides: slides/apps.py), so every kind is known once Django is set up.
Periodic housekeeping (e.g. purging abandoned uploads) registers the same
way, with `@register_housekeeping`.

`enqueue_job(kind, payload)` inserts the row; the work starts only after the
surrounding transaction commits. Two runners exist:

* `manage.py run_worker` polls the table. On PostgreSQL a job is claimed
  with ``SELECT ... FOR UPDATE SKIP LOCKED`` so any number of workers can
  run; on SQLite (one writer at a time) a conditional UPDATE claims it.
* With ``SCOPECAST_INPROCESS_WORKER`` on (the embedded default) each commit
  hands the job to a bounded in-process thread pool, which then drains any
  other due jobs.

A handler that raises `PermanentJobError` fails the job at once; any other
exception is retried with exponential backoff until ``max_attempts``, then
the job fails and the kind's ``on_failure`` hook runs. A running job's
heartbeat is refreshed by a side thread; a job whose heartbeat is older than
`STALE_AFTER` (its worker crashed) is re-queued by the next runner.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from slides.models import Job

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)
HEARTBEAT_SECONDS = 20.0
PROGRESS_WRITE_SECONDS = 1.0
BACKOFF_BASE_SECONDS = 5.0
INPROCESS_WORKERS = 2


class PermanentJobError(Exception):
    """The job cannot succeed by retrying (bad input); fail it now."""


ProgressFn = Callable[[float, str | None], None]


class Progress:
    """Throttled progress reporting for one running job.

    Call it with a fraction 0..1 (and optionally a message). Database writes
    happen at most once a second (and always for 0 and 1); `listeners` get
    every call, so e.g. a Slide's progress can mirror the job's.
    """

    def __init__(self, job_id: int, listeners: list[ProgressFn] | None = None) -> None:
        self.job_id = job_id
        self.listeners = list(listeners or [])
        self._last_write = 0.0
        self._last_value = -1.0
        self._lock = threading.Lock()

    def __call__(self, fraction: float, message: str | None = None) -> None:
        value = min(1.0, max(0.0, float(fraction)))
        now = time.monotonic()
        with self._lock:
            due = (
                value in (0.0, 1.0)
                or message is not None
                or now - self._last_write >= PROGRESS_WRITE_SECONDS
            ) and value != self._last_value
            if not due:
                return
            self._last_write = now
            self._last_value = value
        fields: dict[str, Any] = {"progress": value, "heartbeat_at": timezone.now()}
        if message is not None:
            fields["message"] = message
        Job.objects.filter(pk=self.job_id).update(**fields)
        for listener in self.listeners:
            listener(value, message)


JobHandler = Callable[[Job, Progress], None]
FailureHook = Callable[[Job, str], None]


@dataclass(frozen=True)
class _Registration:
    handler: JobHandler
    on_failure: FailureHook | None


_registry: dict[str, _Registration] = {}


def register_job(
    kind: str, *, on_failure: FailureHook | None = None
) -> Callable[[JobHandler], JobHandler]:
    """Register the handler for `kind`; `on_failure` runs when it finally fails."""

    def decorator(handler: JobHandler) -> JobHandler:
        _registry[kind] = _Registration(handler, on_failure)
        return handler

    return decorator


def registered_kinds() -> list[str]:
    return sorted(_registry)


Housekeeping = Callable[[], object]
_housekeeping: list[Housekeeping] = []


def register_housekeeping(task: Housekeeping) -> Housekeeping:
    """Run `task` (no arguments) with the runners' periodic housekeeping."""
    if task not in _housekeeping:
        _housekeeping.append(task)
    return task


# --- enqueue ---------------------------------------------------------------------


def enqueue_job(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    slide_id: int | None = None,
    max_attempts: int = 3,
) -> Job:
    """Queue durable work; it starts only after the current transaction commits."""
    job = Job.objects.create(
        kind=kind, payload=payload or {}, slide_id=slide_id, max_attempts=max_attempts
    )
    if settings.SCOPECAST_INPROCESS_WORKER:
        job_id = job.pk
        transaction.on_commit(lambda: _inprocess_pool().submit(_inprocess_run, job_id))
    return job


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _inprocess_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=INPROCESS_WORKERS, thread_name_prefix="scopecast-job"
            )
        return _pool


def shutdown_inprocess_pool(*, wait: bool = True) -> None:
    """Stop the in-process pool (after its running jobs when `wait`); a later
    enqueue starts a new one. Queued jobs stay in the table."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=wait)


def _inprocess_run(job_id: int) -> None:
    """Run one job in a pool thread, then drain whatever else is due."""
    try:
        job = _claim(Job.objects.filter(pk=job_id), worker_id())
        if job is not None:
            run_job(job)
        run_pending_jobs()
    except Exception:
        logger.exception("in-process job runner failed")
    finally:
        close_old_connections()
        connection.close()


# --- claiming and running ------------------------------------------------------------


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _claim(candidates: Any, worker: str) -> Job | None:
    """Atomically move the first due, queued job in `candidates` to running."""
    now = timezone.now()
    with transaction.atomic():
        queue = candidates.filter(status=Job.Status.QUEUED, run_after__lte=now).order_by(
            "run_after", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            queue = queue.select_for_update(skip_locked=True)
        job: Job | None = queue.first()
        if job is None:
            return None
        claimed = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING,
            attempts=F("attempts") + 1,
            worker=worker,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
        )
        if not claimed:
            return None
    job.refresh_from_db()
    return job


def claim_next_job(worker: str | None = None) -> Job | None:
    return _claim(Job.objects.all(), worker or worker_id())


class _Heartbeat:
    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"job-hb-{job_id}")

    def _run(self) -> None:
        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:
            logger.exception("heartbeat of job %s failed", self.job_id)
        finally:
            connection.close()

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def run_job(job: Job) -> Job:
    """Run a claimed (running) job to done, retry or failure. Never raises."""
    registration = _registry.get(job.kind)
    if registration is None:
        _finish_failed(job, f"no handler registered for job kind {job.kind!r}", None)
        return job
    progress = Progress(job.pk)
    try:
        with _Heartbeat(job.pk):
            registration.handler(job, progress)
    except PermanentJobError as e:
        _finish_failed(job, str(e) or type(e).__name__, registration.on_failure)
    except Exception as e:
        logger.exception("job %s (%s) attempt %s failed", job.pk, job.kind, job.attempts)
        message = f"{type(e).__name__}: {e}"
        if job.attempts < job.max_attempts:
            delay = BACKOFF_BASE_SECONDS * (2 ** (job.attempts - 1))
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.QUEUED,
                message=f"attempt {job.attempts} failed: {message}",
                run_after=timezone.now() + timedelta(seconds=delay),
                worker="",
            )
        else:
            _finish_failed(job, message, registration.on_failure)
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE, progress=1.0, finished_at=timezone.now(), worker=""
        )
    job.refresh_from_db()
    return job


def _finish_failed(job: Job, message: str, hook: FailureHook | None) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, message=message, finished_at=timezone.now(), worker=""
    )
    if hook is not None:
        try:
            hook(job, message)
        except Exception:
            logger.exception("on_failure hook of job %s failed", job.pk)


def requeue_stale_jobs(*, stale_after: timedelta = STALE_AFTER) -> int:
    """Give jobs whose worker died (no heartbeat) back to the queue, or fail them."""
    cutoff = timezone.now() - stale_after
    stale = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
    count = 0
    for job in stale:
        note = f"worker {job.worker or '?'} stopped responding; "
        if job.attempts < job.max_attempts:
            count += Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.QUEUED, worker="", message=note + "re-queued"
            )
        else:
            registration = _registry.get(job.kind)
            hook = registration.on_failure if registration is not None else None
            _finish_failed(job, note + "no attempts left", hook)
            count += 1
    return count


def housekeeping() -> None:
    """Re-queue jobs of dead workers, then run the registered housekeeping tasks."""
    requeue_stale_jobs()
    for task in _housekeeping:
        task()


def run_pending_jobs(*, max_jobs: int | None = None, worker: str | None = None) -> int:
    """Run due jobs in this thread until none is left (or `max_jobs`). Returns the count."""
    housekeeping()
    done = 0
    while max_jobs is None or done < max_jobs:
        job = claim_next_job(worker)
        if job is None:
            break
        run_job(job)
        done += 1
    return done


def run_worker(
    *,
    poll_seconds: float = 1.0,
    stop: threading.Event | None = None,
    max_jobs: int | None = None,
    on_job: Callable[[Job], None] | None = None,
) -> int:
    """Poll for jobs until `stop` is set (or `max_jobs` ran). Returns the count."""
    stop = stop or threading.Event()
    me = worker_id()
    done = 0
    last_stale_check = 0.0
    while not stop.is_set() and (max_jobs is None or done < max_jobs):
        if time.monotonic() - last_stale_check > 30:
            housekeeping()
            last_stale_check = time.monotonic()
        job = claim_next_job(me)
        if job is None:
            if not connection.in_atomic_block:
                close_old_connections()  # CONN_MAX_AGE and health checks
            stop.wait(poll_seconds)
            continue
        finished = run_job(job)
        done += 1
        if on_job is not None:
            on_job(finished)
    return done
