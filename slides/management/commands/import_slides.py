"""``manage.py import_slides PATH...``: import slide files and folders.

See docs/slides.md ("Importing from the command line"). Folders are walked
recursively; an .mrxs file with its data folder, and a DICOM series folder,
each count as one slide. Files met while walking a folder that are not
slides at all are listed as skipped; anything named explicitly that fails,
and every corrupt, duplicate or unsupported slide, is a failure. Prints a
summary table and exits with status 1 if anything failed.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from slides.courses import course_directory
from slides.formats import NotASlide, UnsupportedFormat
from slides.importer import (
    DuplicateSlide,
    ImportRefused,
    check_import_path,
    discover_slides,
    do_import_slide,
)
from slides.models import Slide


@dataclass
class Row:
    path: str
    result: str  # imported, queued, skipped, duplicate, failed
    slide: str
    detail: str


class Command(BaseCommand):
    help = "Import whole-slide images (files or folders, recursively) into the slide library."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="slide files or folders")
        parser.add_argument("--owner", help="username owning the imported slides")
        parser.add_argument(
            "--visibility",
            choices=[choice.value for choice in Slide.Visibility],
            default=Slide.Visibility.COURSE.value,
        )
        parser.add_argument("--course", help="course code to add the slides to")
        parser.add_argument("--title", help="title (only when importing a single slide)")
        parser.add_argument(
            "--skip-duplicates",
            action="store_true",
            help="list slides already in the library as skipped instead of failed",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue conversions as background jobs instead of converting now",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = None
        if options["owner"]:
            owner = get_user_model().objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f"no user named {options['owner']!r}")
        course_codes: list[str] = []
        if options["course"]:
            if not course_directory().has_course(options["course"]):
                raise CommandError(f"no course with code {options['course']!r}")
            course_codes.append(options["course"])

        targets = self._discover(options["paths"])
        if options["title"] and len(targets) > 1:
            raise CommandError("--title needs exactly one slide")
        rows: list[Row] = [row for row in targets if isinstance(row, Row)]
        candidates = [t for t in targets if isinstance(t, tuple)]
        for index, (path, explicit) in enumerate(candidates, start=1):
            rows.append(
                self._import_one(
                    path,
                    explicit=explicit,
                    label=f"[{index}/{len(candidates)}]",
                    owner=owner,
                    course_codes=course_codes,
                    options=options,
                )
            )
        self._print_summary(rows)
        failed = [row for row in rows if row.result in ("failed", "duplicate")]
        if failed:
            raise CommandError(f"{len(failed)} of {len(rows)} imports failed")

    def _discover(self, raw_paths: list[str]) -> list[Row | tuple[Path, bool]]:
        found: list[Row | tuple[Path, bool]] = []
        for raw in raw_paths:
            try:
                root = check_import_path(raw)
            except ImportRefused as e:
                found.append(Row(raw, "failed", "-", str(e)))
                continue
            for path in discover_slides(root):
                found.append((path, path == root))
        return found

    def _import_one(
        self,
        path: Path,
        *,
        explicit: bool,
        label: str,
        owner: Any,
        course_codes: list[str],
        options: dict[str, Any],
    ) -> Row:
        started = time.monotonic()
        progress = _ProgressLine(self.stdout, f"{label} {path}")
        try:
            slide = do_import_slide(
                path,
                owner=owner,
                title=options["title"],
                visibility=options["visibility"],
                course_codes=course_codes,
                progress=progress,
                convert="job" if options["background"] else "inline",
            )
        except DuplicateSlide as e:
            progress.done("duplicate")
            result = "skipped" if options["skip_duplicates"] else "duplicate"
            return Row(str(path), result, f"#{e.existing.pk}", str(e))
        except ImportRefused as e:
            not_a_slide = isinstance(e.__cause__, (NotASlide, UnsupportedFormat))
            if not_a_slide and not explicit:
                progress.done("skipped")
                return Row(str(path), "skipped", "-", str(e))
            progress.done("FAILED")
            slide_ref = f"#{e.slide.pk}" if e.slide is not None else "-"
            return Row(str(path), "failed", slide_ref, str(e))
        seconds = time.monotonic() - started
        if slide.status == Slide.Status.READY:
            progress.done(f"ok ({seconds:.1f} s)")
            detail = f"{slide.format} {slide.width}x{slide.height}, {slide.level_count} levels"
            return Row(str(path), "imported", f"#{slide.pk}", detail)
        progress.done("queued")
        return Row(str(path), "queued", f"#{slide.pk}", "conversion job queued")

    def _print_summary(self, rows: list[Row]) -> None:
        headers = Row("path", "result", "slide", "detail")
        widths = [
            min(70, max(len(getattr(r, f)) for r in [headers, *rows]))
            for f in ("path", "result", "slide")
        ]
        self.stdout.write("")
        for row in [headers, *rows]:
            path = row.path if len(row.path) <= widths[0] else "…" + row.path[-(widths[0] - 1) :]
            self.stdout.write(
                f"{path:<{widths[0]}}  {row.result:<{widths[1]}}  {row.slide:<{widths[2]}}  "
                f"{row.detail}"
            )
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.result] = counts.get(row.result, 0) + 1
        summary = ", ".join(f"{n} {result}" for result, n in sorted(counts.items()))
        self.stdout.write(f"\n{len(rows)} path(s): {summary or 'nothing to do'}")


class _ProgressLine:
    """One line per slide; rewritten in place on a terminal, 25% steps otherwise."""

    def __init__(self, out: Any, label: str) -> None:
        self.out = out
        self.label = label
        self.tty = bool(getattr(sys.stdout, "isatty", lambda: False)()) and out.isatty()
        self.last = -1

    def __call__(self, fraction: float) -> None:
        percent = int(fraction * 100)
        step = 1 if self.tty else 25
        if percent // step == self.last // step:
            return
        self.last = percent
        if self.tty:
            self.out.write(f"\r{self.label} {percent:3d}%", ending="")
            self.out.flush()
        elif percent < 100:
            self.out.write(f"{self.label} {percent}%")

    def done(self, result: str) -> None:
        prefix = "\r" if self.tty else ""
        self.out.write(f"{prefix}{self.label} {result}")
