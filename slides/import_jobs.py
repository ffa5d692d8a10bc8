"""The background jobs of the import service: ``import_slide`` and ``convert_slide``.

See docs/slides.md ("Importing" and "Background jobs"). ``import_slide``
does in the background what ``slides.importer.do_import_slide`` does inline
(hash, refuse duplicates, validate or convert, then *ready*) for slides
queued by ``do_queue_import``: admin path imports and finished browser
uploads, whose file it also checks against the announced SHA-256 and moves
into SLIDE_STORAGE_ROOT/uploads. ``convert_slide`` converts the
non-pyramidal image ``do_import_slide`` queued it for. Bad input fails a job
at once, other errors are retried; a job that finally fails marks its slide
(and upload) failed with the message.

The kinds register when this module is imported (``SlidesConfig.ready()``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyvips
from django.conf import settings
from django.db import IntegrityError

from slides import formats
from slides.formats import SlideFormatError
from slides.importer import (
    ImportRefused,
    apply_info,
    check_import_path,
    check_not_duplicate,
    check_slide_files,
    convert_slide,
    hash_files,
    mark_failed,
    mark_ready,
    scaled_progress,
    stored_path,
)
from slides.jobs import PermanentJobError, Progress, register_job
from slides.models import Job, Slide, Upload


def _slide_for_job(job: Job) -> Slide:
    slide_id = job.payload.get("slide_id")
    slide = Slide.objects.filter(pk=slide_id).first() if isinstance(slide_id, int) else None
    if slide is None:
        raise PermanentJobError(f"slide {slide_id!r} no longer exists")
    return slide


def _slide_progress(slide_id: int) -> Callable[[float, str | None], None]:
    def mirror(fraction: float, _message: str | None) -> None:
        Slide.objects.filter(pk=slide_id, status=Slide.Status.IMPORTING).update(progress=fraction)

    return mirror


def _job_failed(job: Job, message: str) -> None:
    slide_id = job.payload.get("slide_id")
    if isinstance(slide_id, int):
        mark_failed(slide_id, message)
    upload_id = job.payload.get("upload_id")
    if upload_id:
        _fail_upload(str(upload_id), message)


def _fail_upload(upload_id: str, message: str) -> None:
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None:
        return
    upload.status = Upload.Status.FAILED
    upload.message = message[:5000]
    upload.save(update_fields=["status", "message", "updated_at"])
    if upload.temp_path:
        (Path(settings.SLIDE_STORAGE_ROOT) / upload.temp_path).unlink(missing_ok=True)


@register_job("convert_slide", on_failure=_job_failed)
def convert_slide_job(job: Job, progress: Progress) -> None:
    """Payload: {"slide_id": int, "path": str}. Converts a non-pyramidal image."""
    slide = _slide_for_job(job)
    progress.listeners.append(_slide_progress(slide.pk))
    try:
        source = check_import_path(job.payload.get("path") or slide.source_path)
        detected = formats.detect(source)
        convert_slide(slide, detected, progress=progress)
    except (ImportRefused, SlideFormatError) as e:
        raise PermanentJobError(str(e)) from e
    except pyvips.Error as e:
        raise PermanentJobError(f"conversion failed: {_vips_message(e)}") from e


def _vips_message(error: pyvips.Error) -> str:
    detail = (getattr(error, "detail", "") or "").strip().splitlines()
    return detail[-1] if detail else str(error).strip()


@register_job("import_slide", on_failure=_job_failed)
def import_slide_job(job: Job, progress: Progress) -> None:
    """Payload: {"slide_id", "path", optional "upload_id", "expected_sha256"}."""
    slide = _slide_for_job(job)
    progress.listeners.append(_slide_progress(slide.pk))
    upload_id = job.payload.get("upload_id")
    try:
        source = check_import_path(job.payload.get("path") or slide.source_path)
        detected = formats.detect(source)
        check_slide_files(detected)
        hash_end = 0.3 if detected.needs_conversion else 0.8
        content_hash, size = hash_files(
            detected.files, progress=scaled_progress(progress, 0.0, hash_end)
        )
        expected = str(job.payload.get("expected_sha256") or "").lower()
        if expected and expected != content_hash:
            raise ImportRefused(
                f"checksum mismatch: the received file has SHA-256 {content_hash}, "
                f"the client announced {expected}; upload it again"
            )
        check_not_duplicate(content_hash, exclude_id=slide.pk)
        if upload_id:
            source = _move_upload_into_storage(str(upload_id), source, content_hash)
            detected = formats.detect(source)
            Upload.objects.filter(pk=upload_id).update(temp_path=stored_path(source))
        slide.content_hash = content_hash
        slide.file_size = size
        slide.source_path = str(source)
        slide.save(update_fields=["content_hash", "file_size", "source_path", "updated_at"])
        if detected.needs_conversion:
            convert_slide(slide, detected, progress=scaled_progress(progress, hash_end, 1.0))
        else:
            info = formats.validate_openslide(detected.open_path, expected_format=detected.format)
            apply_info(slide, info)
            slide.file_path = stored_path(detected.open_path)
            slide.reader = "openslide"
            mark_ready(slide)
    except (ImportRefused, SlideFormatError) as e:
        raise PermanentJobError(str(e)) from e
    except pyvips.Error as e:
        raise PermanentJobError(f"conversion failed: {_vips_message(e)}") from e
    except IntegrityError as e:
        raise PermanentJobError(f"duplicate content: {e}") from e
    if upload_id:
        Upload.objects.filter(pk=upload_id).update(
            status=Upload.Status.DONE, slide=slide, message=""
        )


def _move_upload_into_storage(upload_id: str, source: Path, content_hash: str) -> Path:
    """uploads/partial/<id> -> uploads/<hash[:2]>/<hash>/<filename>."""
    storage = Path(settings.SLIDE_STORAGE_ROOT)
    upload = Upload.objects.filter(pk=upload_id).first()
    filename = Path(upload.filename).name if upload else source.name
    dest = storage / "uploads" / content_hash[:2] / content_hash / filename
    dest.parent.mkdir(parents=True, exist_ok=True)
    if source != dest:
        shutil.move(str(source), dest)
    return dest
