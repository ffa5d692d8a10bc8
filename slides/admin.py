from __future__ import annotations

from django.contrib import admin

from slides.models import Slide


@admin.register(Slide)
class SlideAdmin(admin.ModelAdmin[Slide]):
    list_display = [
        "title",
        "format",
        "status",
        "width",
        "height",
        "visibility",
        "owner",
        "created_at",
    ]
    list_filter = ["status", "format", "visibility", "organ", "stain"]
    search_fields = ["title", "description", "organ", "stain"]
