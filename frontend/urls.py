"""Pages (see docs/architecture.md); auth views are mounted at /accounts/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from frontend import health, views

app_name = "frontend"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("view/<int:slide_id>/", views.viewer, name="viewer"),
    path("healthz", health.healthz, name="healthz"),
]
