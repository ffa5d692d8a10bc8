"""One ASGI application for HTTP and websockets (see docs/architecture.md)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scopecast.settings")

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from realtime.routing import websocket_urlpatterns  # noqa: E402
from scopecast.serving import quiet_twisted_access_log, tune_gc_for_serving  # noqa: E402
from slides.fastpath import tile_fast_path  # noqa: E402

quiet_twisted_access_log()

application = ProtocolTypeRouter(
    {
        # Tile GETs skip Django's per-request middleware (see docs/tiles.md).
        "http": tile_fast_path(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Last, so the start-up heap it freezes is complete (scopecast/serving.py).
tune_gc_for_serving()
