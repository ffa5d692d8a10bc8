"""Self-paced assignment pages and JSON (see docs/quizzes.md)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from quizzes import views

app_name = "quizzes"
urlpatterns: list[URLPattern | URLResolver] = [
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/<int:assignment_id>/", views.assignment_page, name="assignment"),
    path(
        "assignments/<int:assignment_id>/state.json",
        views.assignment_state,
        name="assignment_state",
    ),
    path(
        "assignments/<int:assignment_id>/answers",
        views.assignment_answer,
        name="assignment_answer",
    ),
    path("assignments/<int:assignment_id>/results/", views.results_page, name="results"),
    path("assignments/<int:assignment_id>/results.json", views.results_json, name="results_json"),
    path("courses/<int:course_id>/assignments", views.create_assignment, name="create_assignment"),
]
