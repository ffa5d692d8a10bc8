"""The job queue: workers pick jobs up, retry, record failures, recover stale jobs."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from slides import jobs
from slides.jobs import PermanentJobError, enqueue_job, register_job, run_pending_jobs, run_worker
from slides.models import Job

calls: list[tuple[str, dict[str, Any]]] = []
failures: list[tuple[int, str]] = []


@register_job("test_echo")
def _echo(job: Job, progress: jobs.Progress) -> None:
    progress(0.5, "half way")
    calls.append(("echo", job.payload))


@register_job("test_flaky", on_failure=lambda job, message: failures.append((job.pk, message)))
def _flaky(job: Job, progress: jobs.Progress) -> None:
    raise RuntimeError("disk on fire")


@register_job("test_bad_input", on_failure=lambda job, message: failures.append((job.pk, message)))
def _bad_input(job: Job, progress: jobs.Progress) -> None:
    raise PermanentJobError("that is not a slide")


@pytest.fixture(autouse=True)
def _queue(settings):
    settings.SCOPECAST_INPROCESS_WORKER = False
    calls.clear()
    failures.clear()


@pytest.mark.django_db
def test_the_worker_picks_up_a_queued_job_and_marks_it_done():
    job = enqueue_job("test_echo", {"n": 1})

    assert run_worker(max_jobs=1, poll_seconds=0.01) == 1

    job.refresh_from_db()
    assert calls == [("echo", {"n": 1})]
    assert job.status == Job.Status.DONE
    assert job.progress == 1.0
    assert job.message == "half way"
    assert job.attempts == 1
    assert job.started_at is not None and job.finished_at is not None


@pytest.mark.django_db
def test_the_worker_stops_when_asked_and_runs_nothing_when_the_queue_is_empty():
    stop = threading.Event()
    timer = threading.Timer(0.2, stop.set)
    timer.start()

    assert run_worker(poll_seconds=0.05, stop=stop) == 0
    timer.cancel()


@pytest.mark.django_db
def test_it_retries_a_failing_job_with_backoff_and_then_records_the_failure():
    job = enqueue_job("test_flaky", max_attempts=2)

    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.attempts == 1
    assert "disk on fire" in job.message
    assert job.run_after > timezone.now()  # backoff: not due yet
    assert run_pending_jobs() == 0

    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 2
    assert job.message == "RuntimeError: disk on fire"
    assert failures == [(job.pk, "RuntimeError: disk on fire")]


@pytest.mark.django_db
def test_it_fails_bad_input_at_once_without_retrying():
    job = enqueue_job("test_bad_input")

    run_pending_jobs()

    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == (
        Job.Status.FAILED,
        1,
        "that is not a slide",
    )
    assert failures == [(job.pk, "that is not a slide")]


@pytest.mark.django_db
def test_it_fails_a_job_of_an_unknown_kind():
    job = enqueue_job("no_such_kind")

    run_pending_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "no handler registered" in job.message


@pytest.mark.django_db
def test_it_requeues_a_running_job_whose_worker_died():
    long_ago = timezone.now() - timedelta(hours=1)
    job = Job.objects.create(
        kind="test_echo", status=Job.Status.RUNNING, attempts=1, heartbeat_at=long_ago
    )
    fresh = Job.objects.create(
        kind="test_echo", status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )

    assert jobs.requeue_stale_jobs() == 1

    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert "stopped responding" in job.message
    assert fresh.status == Job.Status.RUNNING
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.attempts == 2


@pytest.mark.django_db
def test_it_fails_a_stale_job_that_has_no_attempts_left():
    job = Job.objects.create(
        kind="test_flaky",
        status=Job.Status.RUNNING,
        attempts=3,
        max_attempts=3,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )

    jobs.requeue_stale_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert failures and failures[0][0] == job.pk


@pytest.mark.django_db
def test_a_job_is_claimed_only_once():
    enqueue_job("test_echo")

    first = jobs.claim_next_job("worker-a")
    second = jobs.claim_next_job("worker-b")

    assert first is not None and first.status == Job.Status.RUNNING
    assert first.worker == "worker-a"
    assert second is None


@pytest.mark.django_db
def test_in_process_dispatch_waits_for_the_commit(settings, django_capture_on_commit_callbacks):
    settings.SCOPECAST_INPROCESS_WORKER = True

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = enqueue_job("test_echo")

    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # nothing ran before the commit


@pytest.mark.django_db(transaction=True)
def test_in_process_workers_run_the_job_after_commit(settings):
    settings.SCOPECAST_INPROCESS_WORKER = True

    try:
        job = enqueue_job("test_echo", {"n": 2})  # autocommit: dispatched at once
        deadline = timezone.now() + timedelta(seconds=20)
        while timezone.now() < deadline:
            job.refresh_from_db()
            if job.status == Job.Status.DONE:
                break
            threading.Event().wait(0.05)
    finally:
        jobs.shutdown_inprocess_pool(wait=True)  # nothing may outlive the test
    assert job.status == Job.Status.DONE
    assert ("echo", {"n": 2}) in calls


@pytest.mark.django_db
def test_the_run_worker_command_runs_due_jobs_and_reports_them():
    import io

    from django.core.management import call_command

    enqueue_job("test_echo", {"n": 3})
    enqueue_job("test_bad_input")
    out = io.StringIO()

    call_command("run_worker", "--max-jobs", "2", "--poll", "0.01", stdout=out)

    text = out.getvalue()
    assert "worker ready; handles:" in text and "convert_slide" in text
    assert "test_echo: done" in text
    assert "test_bad_input: failed (that is not a slide)" in text
    assert "worker stopped after 2 job(s)" in text


@pytest.mark.django_db
def test_run_worker_once_drains_the_queue_and_exits():
    import io

    from django.core.management import call_command

    enqueue_job("test_echo")
    out = io.StringIO()

    call_command("run_worker", "--once", stdout=out)

    assert "ran 1 job(s)" in out.getvalue()
    assert Job.objects.get().status == Job.Status.DONE


def test_the_slides_app_registers_its_job_kinds_when_django_starts():
    # SlidesConfig.ready() imports the modules that register them; the
    # runner (slides.jobs) imports none of its clients.
    assert {"import_slide", "convert_slide", "prewarm_slide"} <= set(jobs.registered_kinds())


@pytest.mark.django_db
def test_the_runners_housekeeping_runs_the_registered_tasks(monkeypatch: pytest.MonkeyPatch):
    ran: list[str] = []
    monkeypatch.setattr(jobs, "_housekeeping", list(jobs._housekeeping))
    task = jobs.register_housekeeping(lambda: ran.append("swept"))
    jobs.register_housekeeping(task)  # registering twice runs it once

    assert run_pending_jobs() == 0

    assert ran == ["swept"]
