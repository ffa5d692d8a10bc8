"""The slide library (see docs/architecture.md and docs/tiles.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
    # DICOM the folder), relative to SLIDE_STORAGE_ROOT or absolute inside an
    # import root. `source_path` is what the user gave us (before conversion).
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
