from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "slides"
urlpatterns: list[URLPattern | URLResolver] = []
