"""Classroom URLs, mounted at /courses/ (see docs/protocol.md)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from classroom import views

app_name = "classroom"
urlpatterns: list[URLPattern | URLResolver] = [
    path("join", views.join, name="join"),
]
