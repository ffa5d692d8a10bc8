"""manage.py prewarm_slide fills the cache for a slide or a region (see docs/tiles.md)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from slides.jobs import run_pending_jobs
from slides.models import Job, Slide
from slides.prewarm import enqueue_slide_prewarm

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("prewarm_slide", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_it_prewarms_a_region_on_some_levels_and_reports_tiles_per_second(
    course_slide: Slide, read_counter: Callable[[], int]
) -> None:
    output = run(str(course_slide.pk), "--region", "0,0,600,300", "--levels", "11-12")
    # level 12: 3 x 2 tiles, level 11: 2 x 1 tiles
    assert "8 tiles on levels 11-12" in output
    assert "tiles/s" in output and "8 rendered" in output
    assert read_counter() == 8


def test_it_prewarms_a_whole_slide(course_slide: Slide) -> None:
    output = run(str(course_slide.pk))
    assert "tiles on levels 0-12" in output
    assert "0 failed" in output


@pytest.mark.parametrize(
    "args",
    [
        ["--region", "1,2,3"],
        ["--region", "0,0,0,10"],
        ["--region", "a,b,c,d"],
        ["--levels", "5"],
        ["--levels", "9-3"],
        ["--levels", "0-40"],
    ],
)
def test_it_rejects_bad_arguments(course_slide: Slide, args: list[str]) -> None:
    with pytest.raises(CommandError):
        run(str(course_slide.pk), *args)


def test_it_rejects_an_unknown_slide(db: None) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        run("987654")


def test_a_prewarm_job_warms_the_slide_and_reports_progress(
    course_slide: Slide, settings: Any, read_counter: Callable[[], int]
) -> None:
    settings.SCOPECAST_INPROCESS_WORKER = False
    job = enqueue_slide_prewarm(course_slide.pk, region=(0, 0, 600, 300), levels=(11, 12))
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 1.0
    assert job.message.startswith("8 tiles, 8 rendered")
    assert read_counter() == 8


@pytest.mark.parametrize(
    "payload",
    [{"slide_id": "seven"}, {"slide_id": 1, "levels": [1]}, {"slide": 1}, {"slide_id": 987654}],
)
def test_a_prewarm_job_with_a_bad_payload_fails_at_once(
    settings: Any, payload: dict[str, Any]
) -> None:
    settings.SCOPECAST_INPROCESS_WORKER = False
    job = Job.objects.create(kind="prewarm_slide", payload=payload)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1
