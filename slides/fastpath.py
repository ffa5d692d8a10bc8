"""The ASGI fast path for tile requests (see docs/tiles.md, "Hot path").

Django's ASGI handler runs every built-in middleware's sync hooks through
``sync_to_async`` and gives every request its own thread-sensitive executor;
for a 20 kB cached tile that is most of the cost (about 150 tiles/s on two
cores). This wrapper answers ``GET``/``HEAD`` tile URLs directly with the same
``slides.views.serve_tile`` the Django view uses, so a cache hit costs a dict
lookup, an HMAC and two ASGI messages.

It only takes requests it can answer exactly like Django would: anything else
(other paths and methods, a Host not in ALLOWED_HOSTS, plain HTTP while
SECURE_SSL_REDIRECT is on) goes to Django unchanged. It adds the security
headers SecurityMiddleware and XFrameOptionsMiddleware would add.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.signals import setting_changed
from django.http.request import split_domain_port, validate_host

from slides.converters import IdConverter, TileIndexConverter, WordConverter
from slides.views import Reply, serve_tile

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Mirrors slides/urls.py as mounted at /slides/ by scopecast/urls.py.
TILE_PATH = re.compile(
    rf"/slides/(?P<slide_id>{IdConverter.regex})_files/(?P<level>{TileIndexConverter.regex})/"
    rf"(?P<col>{TileIndexConverter.regex})_(?P<row>{TileIndexConverter.regex})"
    rf"\.(?P<fmt>{WordConverter.regex})"
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def _host_allowed(scope: Scope) -> bool:
    host = _header(scope, b"host")
    if host is None:
        return False
    domain, _ = split_domain_port(host)
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def _is_secure(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        name, expected = proxy
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin-1")
        value = _header(scope, header)
        if value is not None and value.split(",", 1)[0].strip() == expected:
            return True
    return False


_header_cache: dict[bool, list[tuple[bytes, bytes]]] = {}


def _security_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    cached = _header_cache.get(secure)
    if cached is None:
        cached = _header_cache[secure] = _build_security_headers(secure)
    return cached


def _on_setting_changed(**kwargs: Any) -> None:
    _header_cache.clear()


setting_changed.connect(_on_setting_changed)


def _build_security_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append((b"x-content-type-options", b"nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        text = policy if isinstance(policy, str) else ",".join(policy)
        headers.append((b"referrer-policy", text.encode("latin-1")))
    coop = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    if coop:
        headers.append((b"cross-origin-opener-policy", coop.encode("latin-1")))
    if settings.X_FRAME_OPTIONS:
        headers.append((b"x-frame-options", settings.X_FRAME_OPTIONS.encode("latin-1")))
    if secure and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append((b"strict-transport-security", hsts.encode("latin-1")))
    return headers


async def _send_reply(send: Send, reply: Reply, head: bool, secure: bool) -> None:
    headers = [
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()),
        *_security_headers(secure),
    ]
    if reply.status != 304:  # a 304 describes the cached body; it has none of its own
        headers.append((b"content-type", reply.content_type.encode("latin-1")))
        headers.append((b"content-length", str(len(reply.body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else reply.body})


def tile_fast_path(app: ASGIApp) -> ASGIApp:
    """Wrap the HTTP application: tile GET/HEADs are served here, the rest by ``app``."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await app(scope, receive, send)
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        match = TILE_PATH.fullmatch(path)
        if match is None or not _host_allowed(scope):
            return await app(scope, receive, send)
        secure = _is_secure(scope)
        if settings.SECURE_SSL_REDIRECT and not secure:
            return await app(scope, receive, send)
        raw_query = scope.get("query_string", b"").decode("latin-1")
        query = dict(parse_qsl(raw_query, keep_blank_values=True))  # as QueryDict
        try:
            reply = await serve_tile(
                int(match["slide_id"]),
                int(match["level"]),
                int(match["col"]),
                int(match["row"]),
                match["fmt"],
                query,
                _header(scope, b"if-none-match"),
            )
        except Exception:
            logger.exception("tile request %s failed", path)
            reply = Reply.error("internal error", 500)
        await _send_reply(send, reply, scope["method"] == "HEAD", secure)
        return None

    return application
