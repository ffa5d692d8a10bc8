"""``manage.py make_demo_slides``: generate and import the synthetic demo slides.

See docs/slides.md ("Demo slides"). Files go to SLIDE_STORAGE_ROOT/demo and
are cached: an existing file with the right format and size that reads
cleanly is kept (``--force`` regenerates). Imports are idempotent: a slide
already imported from the same file is left alone (or refreshed, with a new
version, if the file changed). Prints what it did and how long it took.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from slides.demo import (
    DEMO_OWNER,
    DEMO_SLIDES,
    demo_path,
    ensure_demo_slide,
    is_valid_demo_file,
    write_demo_file,
)
from slides.importer import ImportRefused


class Command(BaseCommand):
    help = "Generate (cached) and import the synthetic H&E demo slides."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="regenerate every file")
        parser.add_argument(
            "--skip-large",
            action="store_true",
            help="leave out the 50,000 x 40,000 px benchmark slide",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="scale every slide's size (e.g. 0.1 for quick tests)",
        )
        parser.add_argument("--no-import", action="store_true", help="only write the files")

    def handle(self, *args: Any, **options: Any) -> None:
        scale: float = options["scale"]
        if not 0 < scale <= 1:
            raise CommandError("--scale must be in (0, 1]")
        try:
            owner = get_user_model().objects.filter(username=DEMO_OWNER).first()
        except DatabaseError as e:
            raise CommandError(
                f"the database is not ready ({e}): run `manage.py migrate` first"
            ) from e
        started = time.monotonic()
        for spec in DEMO_SLIDES:
            if spec.large and options["skip_large"]:
                continue
            path = demo_path(spec)
            width, height = spec.size(scale)
            t0 = time.monotonic()
            if not options["force"] and is_valid_demo_file(spec, path, scale):
                self.stdout.write(f"{spec.title}: cached {path}")
            else:
                self.stdout.write(f"{spec.title}: writing {width:,} x {height:,} px to {path}")
                write_demo_file(spec, path, scale, progress=_Percent(self.stdout, spec.title))
                size_mb = path.stat().st_size / 1e6
                self.stdout.write(
                    f"{spec.title}: wrote {size_mb:,.0f} MB in {time.monotonic() - t0:.1f} s"
                )
            if options["no_import"]:
                continue
            t1 = time.monotonic()
            try:
                slide, action = ensure_demo_slide(spec, path, owner)
            except ImportRefused as e:
                raise CommandError(f"{spec.title}: import failed: {e}") from e
            self.stdout.write(
                f"{spec.title}: {action} as slide #{slide.pk} ({slide.format}, "
                f"{slide.level_count} levels) in {time.monotonic() - t1:.1f} s"
            )
        if owner is None and not options["no_import"]:
            self.stdout.write(f"(no user {DEMO_OWNER!r} yet: the demo slides have no owner)")
        self.stdout.write(f"demo slides done in {time.monotonic() - started:.1f} s")


class _Percent:
    """Prints progress every 10 %."""

    def __init__(self, out: Any, label: str) -> None:
        self.out = out
        self.label = label
        self.last = 0

    def __call__(self, fraction: float) -> None:
        tenth = int(fraction * 10)
        if tenth > self.last and tenth < 10:
            self.last = tenth
            self.out.write(f"{self.label}: {tenth * 10} %")
