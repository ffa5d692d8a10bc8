"""Websocket URL routes (see docs/protocol.md)."""

from __future__ import annotations

from channels.routing import URLRouter  # noqa: F401  (re-exported for clarity)
from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
