from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from frontend import views

app_name = "frontend"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
]
