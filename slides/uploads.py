"""Resumable, chunked slide uploads: the service behind slides/upload_views.py.

See docs/slides.md ("Browser upload protocol"). Actions style: `check_*`
raise `UploadError` (message + HTTP status), `do_*` mutate.

Chunks are appended strictly in order: a chunk must start at the current
offset (else 409 with the offset, so a client that lost a response simply
continues from there). Each chunk may carry its SHA-256, checked before a
byte is written; the whole file's SHA-256 is computed by the import job
(never in a request) and compared with the one announced at creation, if
any. Partial files live in SLIDE_STORAGE_ROOT/uploads/partial/.

Receiving a chunk (reading the body, hashing it, writing and fsyncing it)
runs on a small bounded thread pool (`areceive_chunk`), never on the event
loop nor on Django's single sync thread.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from slides.courses import course_directory
from slides.importer import ImportRefused, check_not_duplicate, do_queue_import, stored_path
from slides.jobs import register_housekeeping
from slides.models import Slide, Upload

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# An upload that received nothing for this long is abandoned (purged).
STALE_UPLOAD_AGE = timedelta(days=7)
# Threads that receive chunks (each holds at most one DB connection).
UPLOAD_WORKERS = 4
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class UploadError(Exception):
    """A refused upload request; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra


def can_upload(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff, and anyone who teaches a course."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False):
        return True
    return course_directory().teaches(user.pk)


def _partial_dir() -> Path:
    return Path(settings.SLIDE_STORAGE_ROOT) / "uploads" / "partial"


def _partial_file(upload: Upload) -> Path:
    return Path(settings.SLIDE_STORAGE_ROOT) / upload.temp_path


def clean_filename(name: str) -> str:
    """The base name only; refuses path separators and empty/dot names."""
    if "/" in name or "\\" in name or "\x00" in name:
        raise UploadError("filename must not contain a path")
    cleaned = name.strip()
    if cleaned in ("", ".", "..") or len(cleaned) > 255:
        raise UploadError("filename must be 1-255 characters")
    return cleaned


def check_create_upload(
    user: AbstractBaseUser,
    *,
    filename: str,
    size: int,
    sha256: str | None,
    course_code: str | None,
) -> tuple[str, str, str]:
    """(clean filename, lower-case sha256 or "", course code or "") or UploadError."""
    name = clean_filename(filename)
    if size <= 0:
        raise UploadError("size must be positive")
    limit = int(settings.SLIDE_UPLOAD_MAX_BYTES)
    if size > limit:
        raise UploadError(f"file is {size:,} bytes; the limit is {limit:,} bytes", status=413)
    digest = (sha256 or "").lower()
    if digest and not _HEX64.match(digest):
        raise UploadError("sha256 must be 64 hexadecimal characters")
    if digest:
        try:
            check_not_duplicate(digest)
        except ImportRefused as e:
            raise UploadError(str(e), status=409) from e
    if course_code:
        courses = course_directory()
        if not courses.has_course(course_code):
            raise UploadError(f"no course with code {course_code!r}", status=404)
        if not courses.teaches(user.pk, course_code) and not getattr(user, "is_staff", False):
            raise UploadError(f"you do not teach {course_code}", status=403)
    return name, digest, course_code or ""


def do_create_upload(
    user: AbstractBaseUser,
    *,
    filename: str,
    size: int,
    sha256: str | None = None,
    title: str = "",
    visibility: str = Slide.Visibility.COURSE,
    course_code: str | None = None,
) -> Upload:
    name, digest, code = check_create_upload(
        user, filename=filename, size=size, sha256=sha256, course_code=course_code
    )
    upload = Upload(
        owner=user,  # type: ignore[misc]
        filename=name,
        size=size,
        sha256=digest,
        title=title,
        visibility=visibility,
        course_code=code,
    )
    _partial_dir().mkdir(parents=True, exist_ok=True)
    partial = _partial_dir() / f"{upload.pk}.part"
    partial.touch()
    upload.temp_path = stored_path(partial)
    upload.save()
    return upload


@dataclass(frozen=True)
class ChunkRange:
    start: int
    end: int  # inclusive
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_content_range(header: str | None) -> ChunkRange:
    match = _CONTENT_RANGE.match((header or "").strip())
    if match is None:
        raise UploadError("Content-Range must be 'bytes <start>-<end>/<total>'")
    start, end, total = (int(g) for g in match.groups())
    if end < start:
        raise UploadError("Content-Range end is before its start")
    return ChunkRange(start, end, total)


def check_chunk(
    upload: Upload, chunk_range: ChunkRange, body_length: int, checksum: str | None
) -> None:
    """Validates a chunk against the upload's state (before any write)."""
    if upload.status != Upload.Status.RECEIVING:
        raise UploadError(f"upload is {upload.status}; it takes no more data", status=409)
    if chunk_range.total != upload.size:
        raise UploadError(
            f"Content-Range total {chunk_range.total} differs from the upload size {upload.size}"
        )
    if chunk_range.end >= upload.size:
        raise UploadError("chunk ends beyond the end of the file", status=416)
    if chunk_range.start != upload.received:
        raise UploadError(
            f"expected a chunk starting at byte {upload.received}",
            status=409,
            offset=upload.received,
        )
    if chunk_range.length > int(settings.SLIDE_UPLOAD_CHUNK_BYTES):
        raise UploadError(
            f"chunks are at most {settings.SLIDE_UPLOAD_CHUNK_BYTES} bytes", status=413
        )
    if body_length != chunk_range.length:
        raise UploadError(
            f"incomplete chunk: received {body_length} of {chunk_range.length} bytes",
            offset=upload.received,
        )
    if checksum is not None and not _HEX64.match(checksum.lower()):
        raise UploadError("X-Chunk-SHA256 must be 64 hexadecimal characters")


def do_receive_chunk(
    upload: Upload, chunk_range: ChunkRange, data: bytes, checksum: str | None
) -> Upload:
    """Verify and append one chunk; returns the upload with its new offset."""
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        check_chunk(locked, chunk_range, len(data), checksum)
        if checksum is not None and hashlib.sha256(data).hexdigest() != checksum.lower():
            raise UploadError(
                "chunk checksum mismatch: the chunk was damaged in transit; send it again",
                offset=locked.received,
            )
        partial = _partial_file(locked)
        with partial.open("r+b") as fh:
            fh.seek(chunk_range.start)
            fh.write(data)
            fh.truncate()
            fh.flush()
            os.fsync(fh.fileno())
        locked.received = chunk_range.end + 1
        locked.save(update_fields=["received", "updated_at"])
    return locked


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _upload_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=UPLOAD_WORKERS, thread_name_prefix="scopecast-upload"
            )
        return _pool


def receive_chunk_blocking(
    upload_id: Any,
    owner_id: Any,
    chunk_range: ChunkRange,
    read_body: Callable[[], bytes],
    checksum: str | None,
) -> Upload:
    """Blocking: load the caller's upload, read the body, verify and append it."""
    close_old_connections()
    try:
        upload = Upload.objects.filter(pk=upload_id, owner_id=owner_id).first()
        if upload is None:
            raise UploadError("no such upload", status=404)
        return do_receive_chunk(upload, chunk_range, read_body(), checksum)
    finally:
        # One connect per chunk (at most 8 MiB) is cheap; idle pool threads
        # must not pin database connections.
        connection.close()


async def areceive_chunk(
    upload_id: Any,
    owner_id: Any,
    chunk_range: ChunkRange,
    read_body: Callable[[], bytes],
    checksum: str | None,
) -> Upload:
    """`receive_chunk_blocking` on the bounded upload pool."""
    loop = asyncio.get_running_loop()
    task = functools.partial(
        receive_chunk_blocking, upload_id, owner_id, chunk_range, read_body, checksum
    )
    return await loop.run_in_executor(_upload_pool(), task)


def do_finalize_upload(upload: Upload) -> Slide:
    """All bytes received: hand the file to an import job (which verifies the hash)."""
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != Upload.Status.RECEIVING:
            raise UploadError(f"upload is already {locked.status}", status=409)
        if locked.received != locked.size:
            raise UploadError(
                f"upload is incomplete: {locked.received} of {locked.size} bytes received",
                status=409,
                offset=locked.received,
            )
        slide = do_queue_import(
            _partial_file(locked),
            owner=locked.owner,
            title=locked.title or None,
            visibility=locked.visibility,
            course_codes=[locked.course_code] if locked.course_code else [],
            upload=locked,
        )
        if not locked.title:
            slide.title = Path(locked.filename).stem.replace("_", " ")[:200] or "Untitled slide"
            slide.save(update_fields=["title", "updated_at"])
        locked.status = Upload.Status.IMPORTING
        locked.slide = slide
        locked.save(update_fields=["status", "slide", "updated_at"])
    return slide


def do_cancel_upload(upload: Upload) -> None:
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != Upload.Status.RECEIVING:
            raise UploadError(f"upload is {locked.status} and cannot be cancelled", status=409)
        locked.status = Upload.Status.FAILED
        locked.message = "cancelled"
        locked.save(update_fields=["status", "message", "updated_at"])
    _partial_file(locked).unlink(missing_ok=True)


@register_housekeeping
def purge_stale_uploads(*, idle: timedelta = STALE_UPLOAD_AGE) -> int:
    """Fail uploads that received nothing for `idle` and delete their partial
    files. Returns how many were purged. Run by the job runners' housekeeping."""
    cutoff = timezone.now() - idle
    purged = 0
    for upload in Upload.objects.filter(status=Upload.Status.RECEIVING, updated_at__lt=cutoff):
        changed = Upload.objects.filter(
            pk=upload.pk, status=Upload.Status.RECEIVING, updated_at__lt=cutoff
        ).update(
            status=Upload.Status.FAILED,
            message=f"abandoned: no data for {idle.days} days",
            updated_at=timezone.now(),
        )
        if changed:
            _partial_file(upload).unlink(missing_ok=True)
            purged += 1
    return purged


def upload_state(upload: Upload) -> dict[str, Any]:
    """The JSON a client polls (GET) to resume or follow an upload."""
    slide = upload.slide
    return {
        "id": str(upload.pk),
        "filename": upload.filename,
        "size": upload.size,
        "offset": upload.received,
        "status": upload.status,
        "message": upload.message,
        "chunk_size": int(settings.SLIDE_UPLOAD_CHUNK_BYTES),
        "slide": None
        if slide is None
        else {
            "id": slide.pk,
            "title": slide.title,
            "status": slide.status,
            "progress": slide.progress,
            "message": slide.status_message,
        },
    }
