"""``manage.py run_worker``: run background jobs (see docs/slides.md, "Background jobs").

Polls the job table and runs due jobs one at a time; start several for more
parallelism (on PostgreSQL they claim jobs with SKIP LOCKED). SIGTERM or
Ctrl-C lets the current job finish, then exits.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from slides.jobs import registered_kinds, run_pending_jobs, run_worker
from slides.models import Job


class Command(BaseCommand):
    help = "Run background jobs (slide conversion, imports, prewarm) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the jobs due now, then exit")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--max-jobs", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            count = run_pending_jobs(max_jobs=options["max_jobs"])
            self.stdout.write(f"ran {count} job(s)")
            return
        stop = threading.Event()

        def request_stop(signum: int, _frame: FrameType | None) -> None:
            self.stdout.write(f"signal {signum}: finishing the current job, then exiting")
            stop.set()

        previous = {
            sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.stdout.write(f"worker ready; handles: {', '.join(registered_kinds())}")
            count = run_worker(
                poll_seconds=options["poll"],
                stop=stop,
                max_jobs=options["max_jobs"],
                on_job=self._report,
            )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"worker stopped after {count} job(s)")

    def _report(self, job: Job) -> None:
        line = f"job #{job.pk} {job.kind}: {job.status}"
        if job.status != Job.Status.DONE and job.message:
            line += f" ({job.message})"
        self.stdout.write(line)
