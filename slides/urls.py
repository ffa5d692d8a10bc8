"""Slide routes, mounted at /slides/ (see docs/tiles.md)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from slides import converters as _converters  # noqa: F401  (registers the converters)
from slides import upload_views, views

app_name = "slides"
urlpatterns: list[URLPattern | URLResolver] = [
    # Viewer metadata and tiles (Deep Zoom).
    path("<slide_id:slide_id>/info.json", views.info_json, name="info"),
    path("<slide_id:slide_id>.dzi", views.dzi, name="dzi"),
    path(
        "<slide_id:slide_id>_files/<tile_index:level>/<tile_index:col>_<tile_index:row>.<word:fmt>",
        views.tile,
        name="tile",
    ),
    path("<slide_id:slide_id>/thumbnail.jpeg", views.thumbnail, name="thumbnail"),
    path("<slide_id:slide_id>/associated/<word:name>.jpeg", views.associated, name="associated"),
    # Resumable browser uploads (see docs/slides.md).
    path("upload/", upload_views.upload_page, name="upload-page"),
    path("uploads/", upload_views.upload_collection, name="uploads"),
    path("uploads/<uuid:upload_id>", upload_views.upload_detail, name="upload"),
    path("uploads/<uuid:upload_id>/finalize", upload_views.upload_finalize, name="upload-finalize"),
]
