"""Slide metadata, Deep Zoom descriptor, tiles, thumbnails, associated images.

See docs/tiles.md. ``info.json`` is session-authenticated and checks
``slides.access``; every image endpoint instead checks the signed tile token
in its query string (``?v=<version>&t=<token>``), so the tile hot path makes
no database query. The tile logic lives in ``serve_tile`` (framework-free) so
it is the same code behind Django's URL router and the ASGI fast path in
``slides.fastpath``.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.http import parse_etags
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from slides.access import can_view_slide
from slides.descriptors import slide_descriptor
from slides.models import Slide
from slides.tilecache import TileKey, tile_cache_key
from slides.tiles.errors import TileNotFound
from slides.tiles.fetch import (
    get_associated_bytes,
    get_dzi,
    get_handle,
    get_thumbnail_bytes,
    get_tile_bytes,
)
from slides.tiles.handles import alookup_slide, handles
from slides.tiles.render import TILE_FORMATS
from slides.tokens import TokenError, check_tile_token

logger = logging.getLogger(__name__)

TILE_CACHE_CONTROL = "private, max-age=31536000, immutable"
DZI_CACHE_CONTROL = "private, max-age=3600"
THUMBNAIL_MIN, THUMBNAIL_MAX, THUMBNAIL_DEFAULT = 16, 2048, 512


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


# --------------------------------------------------------------------------
# Query strings


class ImageQuery(BaseModel):
    """``?v=<slide version>&t=<tile token>``, as OpenSeadragon sends them."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    v: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,9}$")]
    t: Annotated[str, StringConstraints(max_length=64)] = ""


class ThumbnailQuery(ImageQuery):
    max: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,5}$")] = str(THUMBNAIL_DEFAULT)


class BadQuery(Exception):
    pass


Q = TypeVar("Q", bound=ImageQuery)


def parse_query(model: type[Q], query: Mapping[str, str]) -> Q:
    try:
        return model.model_validate(dict(query))
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "query"
        raise BadQuery(f"{where}: {err['msg']}") from None


@dataclass(frozen=True, slots=True)
class Granted:
    slide_id: int
    version: int


@dataclass
class Reply:
    """A framework-free HTTP reply (status, body, headers)."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, message: str, status: int) -> Reply:
        return cls(status, json.dumps({"error": message}).encode())


async def authorize(slide_id: int, query: ImageQuery) -> Granted | Reply:
    """Token, then version: the slide's current version must be the one asked for."""
    version = int(query.v)
    try:
        check_tile_token(slide_id, version, query.t)
    except TokenError as e:
        return Reply.error(str(e), 403)
    try:
        record = await alookup_slide(slide_id)
    except DatabaseError:
        logger.exception("slide %s: looking up the slide failed", slide_id)
        return Reply.error("the slide library is unavailable, try again", 503)
    if record is None:
        return Reply.error("no such slide", 404)
    if record.version != version:
        return Reply.error("stale slide version: fetch the slide's info.json again", 404)
    return Granted(slide_id, version)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = parse_etags(if_none_match)
    return "*" in tags or etag in tags or f"W/{etag}" in tags


async def serve_tile(
    slide_id: int,
    level: int,
    col: int,
    row: int,
    fmt: str,
    query: Mapping[str, str],
    if_none_match: str | None,
) -> Reply:
    if fmt not in TILE_FORMATS:
        return Reply.error(f"unsupported tile format {fmt!r}: use jpeg", 404)
    try:
        q = parse_query(ImageQuery, query)
    except BadQuery as e:
        return Reply.error(str(e), 400)
    granted = await authorize(slide_id, q)
    if isinstance(granted, Reply):
        return granted
    handle = handles().peek(slide_id, granted.version)
    if handle is not None and not handle.tile_in_range(level, col, row):
        return Reply.error("no such tile", 404)
    key = TileKey(slide_id, granted.version, level, col, row, fmt)
    cache_key = tile_cache_key(key)
    # The key without the deployment's prefix: "t:{slide}:{version}:...".
    etag = f'"{cache_key[len(settings.TILE_CACHE_PREFIX) + 1 :]}"'
    headers = {"ETag": etag, "Cache-Control": TILE_CACHE_CONTROL}
    if etag_matches(if_none_match, etag):
        if handle is None:
            # Only the open slide knows its tile grid: open it (once per
            # process, on the tile pool) so an out-of-range tile is a 404,
            # never a 304. A read without If-None-Match checks the range
            # where it renders (slides.tiles.render.render_tile).
            try:
                handle = await get_handle(slide_id, granted.version)
            except TileNotFound as e:
                return Reply.error(str(e), 404)
            if not handle.tile_in_range(level, col, row):
                return Reply.error("no such tile", 404)
        return Reply(304, headers=headers, content_type="image/jpeg")
    try:
        data = await get_tile_bytes(key, cache_key)
    except TileNotFound as e:
        return Reply.error(str(e), 404)
    return Reply(200, data, "image/jpeg", headers)


def to_response(reply: Reply) -> HttpResponse:
    response: HttpResponse
    if reply.status == 304:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)
    for name, value in reply.headers.items():
        response[name] = value
    return response


# --------------------------------------------------------------------------
# Views


V = TypeVar("V", bound=Callable[..., HttpResponse])


def _method_not_allowed() -> HttpResponse:
    response = json_error("method not allowed", 405)
    response["Allow"] = "GET, HEAD"
    return response


def session_required(view: V) -> V:
    """GET/HEAD only; 401 JSON for anonymous users (no redirect: this is an API)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return _method_not_allowed()
        if not request.user.is_authenticated:
            return json_error("log in to view slides", 401)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


@session_required
def info_json(request: HttpRequest, slide_id: int) -> HttpResponse:
    slide = Slide.objects.filter(pk=slide_id).first()
    # Slides the user may not see are reported exactly like missing ones.
    if slide is None or not can_view_slide(request.user, slide):
        return json_error("no such slide", 404)
    if slide.status != Slide.Status.READY:
        return json_error(f"slide is not ready ({slide.status})", 409)
    response = JsonResponse(slide_descriptor(slide))
    response["Cache-Control"] = "private, no-store"
    return response


AsyncView = Callable[..., Coroutine[Any, Any, HttpResponse]]


def _get_only(view: AsyncView) -> AsyncView:
    @functools.wraps(view)
    async def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return _method_not_allowed()
        return await view(request, *args, **kwargs)

    return wrapped


@_get_only
async def tile(
    request: HttpRequest, slide_id: int, level: int, col: int, row: int, fmt: str
) -> HttpResponse:
    reply = await serve_tile(
        slide_id, level, col, row, fmt, request.GET.dict(), request.headers.get("If-None-Match")
    )
    return to_response(reply)


async def _granted(
    request: HttpRequest, slide_id: int, model: type[Q]
) -> tuple[Q, Granted] | HttpResponse:
    try:
        q = parse_query(model, request.GET.dict())
    except BadQuery as e:
        return json_error(str(e), 400)
    granted = await authorize(slide_id, q)
    if isinstance(granted, Reply):
        return to_response(granted)
    return q, granted


@_get_only
async def dzi(request: HttpRequest, slide_id: int) -> HttpResponse:
    checked = await _granted(request, slide_id, ImageQuery)
    if isinstance(checked, HttpResponse):
        return checked
    _, granted = checked
    try:
        xml = await get_dzi(granted.slide_id, granted.version)
    except TileNotFound as e:
        return json_error(str(e), 404)
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Cache-Control"] = DZI_CACHE_CONTROL
    return response


@_get_only
async def thumbnail(request: HttpRequest, slide_id: int) -> HttpResponse:
    checked = await _granted(request, slide_id, ThumbnailQuery)
    if isinstance(checked, HttpResponse):
        return checked
    q, granted = checked
    size = int(q.max)
    if not THUMBNAIL_MIN <= size <= THUMBNAIL_MAX:
        return json_error(f"max must be between {THUMBNAIL_MIN} and {THUMBNAIL_MAX}", 400)
    try:
        data = await get_thumbnail_bytes(granted.slide_id, granted.version, size)
    except TileNotFound as e:
        return json_error(str(e), 404)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = TILE_CACHE_CONTROL
    return response


@_get_only
async def associated(request: HttpRequest, slide_id: int, name: str) -> HttpResponse:
    checked = await _granted(request, slide_id, ImageQuery)
    if isinstance(checked, HttpResponse):
        return checked
    _, granted = checked
    try:
        data = await get_associated_bytes(granted.slide_id, granted.version, name)
    except TileNotFound as e:
        return json_error(str(e), 404)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = TILE_CACHE_CONTROL
    return response
