"""The slide library (see docs/slides.md, docs/architecture.md and docs/tiles.md)."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone


class Slide(models.Model):
    class Status(models.TextChoices):
        IMPORTING = "importing", "Importing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private (owner only)"
        COURSE = "course", "Courses using it"
        PUBLIC = "public", "Public"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    organ = models.CharField(max_length=80, blank=True, db_index=True)
    stain = models.CharField(max_length=80, blank=True, db_index=True)

    # Storage: path of the file OpenSlide opens (for MRXS the .mrxs file, for
    # DICOM one .dcm file of the series folder), relative to SLIDE_STORAGE_ROOT
    # or absolute inside an import root. `source_path` is what the user gave us
    # (before conversion; for DICOM the folder). See docs/slides.md.
    file_path = models.CharField(max_length=1024, blank=True)
    source_path = models.CharField(max_length=1024, blank=True)
    format = models.CharField(max_length=40, blank=True, help_text="Detected vendor/format")
    reader = models.CharField(max_length=20, blank=True, help_text="openslide or pyvips")

    width = models.PositiveBigIntegerField(default=0)
    height = models.PositiveBigIntegerField(default=0)
    level_count = models.PositiveIntegerField(default=0)
    level_dimensions = models.JSONField(default=list, blank=True)
    mpp_x = models.FloatField(null=True, blank=True)
    mpp_y = models.FloatField(null=True, blank=True)
    objective_power = models.FloatField(null=True, blank=True)
    associated_images = models.JSONField(default=list, blank=True)
    properties = models.JSONField(default=dict, blank=True)

    file_size = models.PositiveBigIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Bumped whenever the stored file changes; part of every tile URL and
    # cache key, so replacing a slide busts every cache.
    version = models.PositiveIntegerField(default=1)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IMPORTING)
    status_message = models.TextField(blank=True)
    progress = models.FloatField(default=0.0, help_text="0..1 while importing/converting")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="slides",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.COURSE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash"],
                condition=~models.Q(content_hash="") & ~models.Q(status="failed"),
                name="slide_unique_content_hash",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def storage_path(self) -> Path | None:
        """The absolute file OpenSlide opens, or None before import finishes."""
        if not self.file_path:
            return None
        return Path(settings.SLIDE_STORAGE_ROOT) / self.file_path

    def managed_files(self) -> list[Path]:
        """Files Scopecast created for this slide (uploads, conversions): deleted
        with it. Files imported in place and demo files are never deleted."""
        storage = Path(settings.SLIDE_STORAGE_ROOT).resolve()
        managed_dirs = [storage / "uploads", storage / "converted"]
        found = []
        for value in {self.file_path, self.source_path}:
            if not value:
                continue
            path = (storage / value).resolve()
            if path.is_file() and any(path.is_relative_to(d) for d in managed_dirs):
                found.append(path)
        return sorted(found)


class Job(models.Model):
    """Durable background work (see slides/jobs.py and docs/slides.md)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=64, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0, help_text="0..1")
    message = models.TextField(blank=True, help_text="Last error, or a note from the handler")
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    run_after = models.DateTimeField(default=timezone.now, help_text="Not before (retry backoff)")
    worker = models.CharField(max_length=120, blank=True, help_text="Who is running it")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    slide = models.ForeignKey(
        Slide, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "run_after"], name="job_queue")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class Upload(models.Model):
    """A resumable, chunked browser upload (protocol in docs/slides.md)."""

    class Status(models.TextChoices):
        RECEIVING = "receiving", "Receiving chunks"
        IMPORTING = "importing", "Verifying and importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # An unguessable id: it names the upload in every URL.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slide_uploads"
    )
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(
        max_length=64, blank=True, help_text="Expected, if the client sent it"
    )
    received = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVING)
    message = models.TextField(blank=True)
    # Partial file, relative to SLIDE_STORAGE_ROOT.
    temp_path = models.CharField(max_length=1024, blank=True)
    title = models.CharField(max_length=200, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Slide.Visibility.choices, default=Slide.Visibility.COURSE
    )
    course_code = models.CharField(max_length=40, blank=True, help_text="Add the slide to it")
    slide = models.ForeignKey(
        Slide, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.received}/{self.size}, {self.status})"


@receiver(post_delete, sender=Slide, dispatch_uid="slides-delete-managed-files")
def _delete_managed_files(sender: type[Slide], instance: Slide, **kwargs: object) -> None:
    files = instance.managed_files()

    def delete() -> None:
        for path in files:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the folder, if now empty
                path.parent.rmdir()

    transaction.on_commit(delete)
