"""Importing slides: one service behind the CLI, the admin and uploads.

See docs/slides.md ("Importing"). Actions style: `check_*` validates and
raises `ImportRefused` with a user-facing message; `do_*` mutates.

* `check_import_path` resolves a path (``..`` and symlinks included) and
  refuses anything outside ``SLIDE_IMPORT_ROOTS`` / ``SLIDE_STORAGE_ROOT``.
* `do_import_slide` imports synchronously: detect by content, hash (sha256,
  streaming), refuse duplicates, create the Slide as *importing*, validate
  it fully, extract metadata, then *ready* or *failed* with the message.
  Non-pyramidal images are converted by a ``convert_slide`` job (or inline).
* `do_queue_import` creates an *importing* Slide and an ``import_slide`` job
  that does all of the above in the background (admin path imports and
  finished uploads: hashing multi-GB files never runs in a request). The
  jobs are in slides/import_jobs.py; the pyvips conversion itself is in
  slides/conversion.py.

Files imported by path are referenced in place (import roots are meant to be
stable, read-only slide shares); uploads land in SLIDE_STORAGE_ROOT/uploads
and conversions in SLIDE_STORAGE_ROOT/converted. Only *ready* slides are
served, so nothing half-imported is ever visible to a class.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyvips
from django.conf import settings
from django.db import IntegrityError, transaction

from slides import formats
from slides.conversion import ProgressCallback, convert_to_pyramid
from slides.courses import course_directory
from slides.formats import Detected, SlideFormatError, SlideInfo
from slides.jobs import enqueue_job
from slides.models import Slide, Upload
from slides.tiles.handles import forget_slide

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

HASH_CHUNK = 8 * 1024 * 1024


class ImportRefused(Exception):
    """The import cannot proceed; the message is user-facing."""

    def __init__(self, message: str, *, slide: Slide | None = None) -> None:
        super().__init__(message)
        self.slide = slide


class DuplicateSlide(ImportRefused):
    def __init__(self, existing: Slide) -> None:
        super().__init__(
            f'duplicate of slide #{existing.pk} "{existing.title}" (identical content)',
            slide=existing,
        )
        self.existing = existing


# --- paths -----------------------------------------------------------------------


def import_roots() -> list[Path]:
    roots = [Path(settings.SLIDE_STORAGE_ROOT), *map(Path, settings.SLIDE_IMPORT_ROOTS)]
    unique: list[Path] = []
    for root in roots:
        resolved = root.resolve()
        if resolved not in unique:
            unique.append(resolved)
    return unique


def _inside_roots(path: Path) -> bool:
    return any(path.is_relative_to(root) for root in import_roots())


def check_import_path(path: str | Path) -> Path:
    """The resolved path, if it exists and lies inside an import root."""
    raw = Path(path).expanduser()
    if "\x00" in str(raw):
        raise ImportRefused("path contains a NUL byte")
    absolute = raw if raw.is_absolute() else Path.cwd() / raw
    try:
        resolved = absolute.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise ImportRefused(f"{path}: no such file or folder") from None
    except (OSError, RuntimeError) as e:  # symlink loops, permissions
        raise ImportRefused(f"{path}: cannot be resolved ({e})") from None
    if not _inside_roots(resolved):
        roots = ", ".join(str(r) for r in import_roots())
        raise ImportRefused(
            f"{path} is outside the slide import roots ({roots}); "
            "set SLIDE_IMPORT_ROOTS or move the file"
        )
    return resolved


def check_slide_files(detected: Detected) -> None:
    """Every file of a multi-file slide must also resolve inside the roots."""
    for file in detected.files:
        if not _inside_roots(file.resolve()):
            raise ImportRefused(f"{file} (part of the slide) resolves outside the import roots")


def stored_path(path: Path) -> str:
    """Slide.file_path: relative to SLIDE_STORAGE_ROOT when inside it, else absolute."""
    storage = Path(settings.SLIDE_STORAGE_ROOT).resolve()
    resolved = path.resolve()
    if resolved.is_relative_to(storage):
        return str(resolved.relative_to(storage))
    return str(resolved)


def default_title(path: Path) -> str:
    name = path.name if path.is_dir() else path.stem
    return name.replace("_", " ").replace("-", " ").strip()[:200] or "Untitled slide"


# --- hashing -----------------------------------------------------------------------


def hash_files(
    files: Iterable[Path], *, progress: ProgressCallback | None = None
) -> tuple[str, int]:
    """(sha256 hex, total bytes). One file: its plain sha256. Several (MRXS,
    DICOM): sha256 over each file's name relative to the first file's folder,
    a NUL, and its content, in the given (sorted) order."""
    files = list(files)
    total = sum(f.stat().st_size for f in files)
    digest = hashlib.sha256()
    base = files[0].parent if files else Path()
    done = 0
    for file in files:
        if len(files) > 1:
            digest.update(str(file.relative_to(base)).encode() + b"\x00")
        with file.open("rb") as fh:
            while chunk := fh.read(HASH_CHUNK):
                digest.update(chunk)
                done += len(chunk)
                if progress is not None and total:
                    progress(done / total)
    return digest.hexdigest(), total


def check_not_duplicate(content_hash: str, *, exclude_id: int | None = None) -> None:
    candidates = Slide.objects.filter(content_hash=content_hash).exclude(status=Slide.Status.FAILED)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    existing = candidates.order_by("id").first()
    if existing is not None:
        raise DuplicateSlide(existing)


# --- metadata and state changes ---------------------------------------------------


def apply_info(slide: Slide, info: SlideInfo) -> None:
    slide.format = info.format
    slide.width = info.width
    slide.height = info.height
    slide.level_count = info.level_count
    slide.level_dimensions = info.level_dimensions
    slide.mpp_x = info.mpp_x
    slide.mpp_y = info.mpp_y
    slide.objective_power = info.objective_power
    slide.associated_images = info.associated_images
    slide.properties = info.properties


def mark_failed(slide_id: int, message: str) -> None:
    Slide.objects.filter(pk=slide_id).exclude(status=Slide.Status.READY).update(
        status=Slide.Status.FAILED, status_message=message[:5000], progress=0.0
    )


def mark_ready(slide: Slide) -> None:
    slide.status = Slide.Status.READY
    slide.status_message = ""
    slide.progress = 1.0
    try:
        with transaction.atomic():
            slide.save()
    except IntegrityError:
        # Another import of the same content won the race.
        existing = Slide.objects.exclude(pk=slide.pk).filter(
            content_hash=slide.content_hash, status=Slide.Status.READY
        )
        first = existing.first()
        message = str(DuplicateSlide(first)) if first else "duplicate content (unique constraint)"
        mark_failed(slide.pk, message)
        raise ImportRefused(message, slide=slide) from None


def _add_to_courses(slide: Slide, course_codes: Iterable[str]) -> None:
    """Linking a slide to courses belongs to the course app (slides.courses)."""
    codes = list(course_codes)
    if codes:
        course_directory().add_slide(slide, codes)


def scaled_progress(
    progress: ProgressCallback | None, start: float, end: float
) -> ProgressCallback:
    def report(fraction: float) -> None:
        if progress is not None:
            progress(start + (end - start) * min(1.0, max(0.0, fraction)))

    return report


def _create_importing_slide(
    *,
    source: Path,
    owner: AbstractBaseUser | None,
    title: str | None,
    visibility: str,
    description: str,
    organ: str,
    stain: str,
    content_hash: str = "",
    file_size: int = 0,
) -> Slide:
    fields: dict[str, Any] = {
        "title": (title or default_title(source))[:200],
        "description": description,
        "organ": organ,
        "stain": stain,
        "source_path": str(source),
        "owner": owner,
        "visibility": visibility,
        "status": Slide.Status.IMPORTING,
        "status_message": "",
        "progress": 0.0,
        "content_hash": content_hash,
        "file_size": file_size,
    }
    # Re-importing the same bad file reuses its failed record.
    previous = None
    if content_hash:
        previous = Slide.objects.filter(
            content_hash=content_hash, status=Slide.Status.FAILED, source_path=str(source)
        ).first()
    if previous is not None:
        for name, value in fields.items():
            setattr(previous, name, value)
        previous.save()
        return previous
    return Slide.objects.create(**fields)


def do_import_slide(
    path: str | Path,
    *,
    owner: AbstractBaseUser | None,
    title: str | None = None,
    visibility: str = Slide.Visibility.COURSE,
    description: str = "",
    organ: str = "",
    stain: str = "",
    course_codes: Iterable[str] = (),
    progress: ProgressCallback | None = None,
    convert: Literal["job", "inline"] = "job",
) -> Slide:
    """Import one slide (file, .mrxs, or DICOM folder) and return it.

    OpenSlide formats come back *ready*; images needing conversion come back
    *importing* with a ``convert_slide`` job queued (or *ready* when
    ``convert="inline"``). Raises ImportRefused (no record is created for
    bad paths, non-slides, unsupported formats and duplicates; a corrupt
    slide leaves a *failed* record carrying the error). The slide joins the
    courses with ``course_codes`` in the transaction that creates it.
    """
    source = check_import_path(path)
    try:
        detected = formats.detect(source)
    except SlideFormatError as e:
        raise ImportRefused(str(e)) from e
    check_slide_files(detected)
    hash_end = 0.3 if detected.needs_conversion else 0.8
    content_hash, size = hash_files(
        detected.files, progress=scaled_progress(progress, 0.0, hash_end)
    )
    check_not_duplicate(content_hash)
    try:
        with transaction.atomic():
            slide = _create_importing_slide(
                source=source,
                owner=owner,
                title=title,
                visibility=visibility,
                description=description,
                organ=organ,
                stain=stain,
                content_hash=content_hash,
                file_size=size,
            )
            _add_to_courses(slide, course_codes)
    except IntegrityError:
        check_not_duplicate(content_hash)
        raise
    if detected.needs_conversion:
        if convert == "inline":
            try:
                convert_slide(slide, detected, progress=scaled_progress(progress, hash_end, 1.0))
            except (SlideFormatError, pyvips.Error, OSError) as e:
                mark_failed(slide.pk, str(e))
                slide.refresh_from_db()
                raise ImportRefused(f"conversion failed: {e}", slide=slide) from e
        else:
            enqueue_job(
                "convert_slide",
                {"slide_id": slide.pk, "path": str(source)},
                slide_id=slide.pk,
            )
        return slide
    try:
        info = formats.validate_openslide(detected.open_path, expected_format=detected.format)
    except SlideFormatError as e:
        mark_failed(slide.pk, str(e))
        slide.refresh_from_db()
        raise ImportRefused(str(e), slide=slide) from e
    apply_info(slide, info)
    slide.file_path = stored_path(detected.open_path)
    slide.reader = "openslide"
    mark_ready(slide)
    if progress is not None:
        progress(1.0)
    return slide


def do_queue_import(
    path: str | Path,
    *,
    owner: AbstractBaseUser | None,
    title: str | None = None,
    visibility: str = Slide.Visibility.COURSE,
    description: str = "",
    organ: str = "",
    stain: str = "",
    course_codes: Iterable[str] = (),
    upload: Upload | None = None,
) -> Slide:
    """Create an *importing* slide and an ``import_slide`` job that imports it.

    The slide joins the courses with ``course_codes`` in the same transaction.
    """
    source = check_import_path(path)
    with transaction.atomic():
        slide = _create_importing_slide(
            source=source,
            owner=owner,
            title=title,
            visibility=visibility,
            description=description,
            organ=organ,
            stain=stain,
        )
        _add_to_courses(slide, course_codes)
        payload: dict[str, Any] = {"slide_id": slide.pk, "path": str(source)}
        if upload is not None:
            payload["upload_id"] = str(upload.pk)
            payload["expected_sha256"] = upload.sha256
        enqueue_job("import_slide", payload, slide_id=slide.pk, max_attempts=2)
    return slide


def do_replace_slide_file(slide: Slide, path: str | Path) -> Slide:
    """Point an existing slide at new content (same or another file).

    Validates the new file fully, refreshes the metadata and bumps
    `Slide.version`, which is part of every tile URL and cache key, so every
    cache of the old pixels is bypassed. Only OpenSlide formats.
    """
    source = check_import_path(path)
    try:
        detected = formats.detect(source)
        if detected.needs_conversion:
            raise ImportRefused("replacing a slide needs a pyramidal slide file")
        check_slide_files(detected)
        info = formats.validate_openslide(detected.open_path, expected_format=detected.format)
    except SlideFormatError as e:
        raise ImportRefused(str(e), slide=slide) from e
    content_hash, size = hash_files(detected.files)
    check_not_duplicate(content_hash, exclude_id=slide.pk)
    apply_info(slide, info)
    slide.file_path = stored_path(detected.open_path)
    slide.source_path = str(source)
    slide.content_hash = content_hash
    slide.file_size = size
    slide.reader = "openslide"
    slide.version += 1
    mark_ready(slide)
    # This process serves the new version at once; others notice within
    # slides.tiles.handles.RECORD_TTL (the version is in every tile URL and cache key).
    transaction.on_commit(lambda: forget_slide(slide.pk))
    return slide


# --- conversion -----------------------------------------------------------------------


def convert_slide(
    slide: Slide, detected: Detected, *, progress: ProgressCallback | None = None
) -> Slide:
    """Convert `detected` into SLIDE_STORAGE_ROOT/converted and make `slide` ready."""
    storage = Path(settings.SLIDE_STORAGE_ROOT)
    dest = storage / "converted" / str(slide.pk) / f"v{slide.version}.tif"
    convert_to_pyramid(detected.open_path, dest, progress=scaled_progress(progress, 0.0, 0.95))
    try:
        info = formats.validate_openslide(dest)
    except SlideFormatError:
        dest.unlink(missing_ok=True)
        raise
    apply_info(slide, info)
    slide.properties = {**info.properties, "scopecast.converted-from": detected.format}
    slide.file_path = stored_path(dest)
    slide.reader = "pyvips"
    mark_ready(slide)
    if progress is not None:
        progress(1.0)
    return slide


# --- folder walks for the CLI ----------------------------------------------------------------


def discover_slides(path: Path) -> Iterator[Path]:
    """Candidate slides under `path`: files, .mrxs files (their data folder is
    skipped) and DICOM folders (one slide each), depth-first, sorted."""
    if not path.is_dir():
        yield path
        return
    if formats.dicom_file_in(path) is not None:
        yield path
        return
    entries = sorted(path.iterdir())
    skip: set[Path] = set()
    for entry in entries:
        if entry.is_file():
            data_dir = formats.mirax_data_dir(entry)
            if data_dir is not None:
                skip.add(data_dir)
    for entry in entries:
        if entry in skip or entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from discover_slides(entry)
        elif entry.is_file():
            yield entry
