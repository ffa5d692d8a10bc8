"""A job module for tests/slides/test_jobs.py: imported only through SCOPECAST_JOB_MODULES."""

from __future__ import annotations

from slides.jobs import Progress, register_job
from slides.models import Job


@register_job("test_from_job_modules")
def _from_job_modules(job: Job, progress: Progress) -> None:
    pass
