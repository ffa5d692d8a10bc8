"""Websocket URL routes (see docs/protocol.md)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from realtime.consumers import session_socket

websocket_urlpatterns: list[Any] = [
    # Django's path() is typed for views; Channels' URLRouter takes ASGI apps.
    path("ws/sessions/<int:session_id>/", session_socket, name="session-socket"),
]
