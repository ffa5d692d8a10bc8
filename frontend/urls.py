"""Pages (see docs/architecture.md); auth views are mounted at /accounts/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from frontend import health, sessions, views

app_name = "frontend"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("view/<int:slide_id>/", views.viewer, name="viewer"),
    path("healthz", health.healthz, name="healthz"),
    path("sessions/<int:session_id>/", sessions.student, name="session"),
    path("sessions/<int:session_id>/teach", sessions.teach, name="teach"),
    path("sessions/<int:session_id>/project", sessions.project, name="project"),
    path("join/", sessions.join, name="join"),
    path("join/<str:code>/", sessions.join, name="join-code"),
]
