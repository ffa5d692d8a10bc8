"""The viewer's JSON for one slide (see docs/tiles.md, "Descriptor").

``slide_descriptor`` reads only the Slide row (no file access), so realtime
can put it in snapshots. Every image URL carries the slide version (``v``)
and a signed, expiring tile token (``t``): whoever holds the descriptor can
load tiles until the token expires, without a per-tile database query.
OpenSeadragon copies the ``.dzi`` URL's query string onto every tile URL.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from slides.converters import WordConverter
from slides.models import Slide
from slides.tokens import issue_tile_token, token_expires_at

_NAME = re.compile(WordConverter.regex)


def _bounds(slide: Slide) -> tuple[int, int, int, int] | None:
    """OpenSlide's non-empty region (x, y, w, h) when the vendor declares one."""
    props = slide.properties if isinstance(slide.properties, dict) else {}
    try:
        x = int(props.get("openslide.bounds-x", 0))
        y = int(props.get("openslide.bounds-y", 0))
        w = int(props["openslide.bounds-width"])
        h = int(props["openslide.bounds-height"])
    except (KeyError, TypeError, ValueError):
        return None
    return x, y, w, h


def image_size(slide: Slide) -> tuple[int, int]:
    """The Deep Zoom image size: the bounded region when declared, else level 0."""
    bounds = _bounds(slide)
    if bounds is not None:
        return bounds[2], bounds[3]
    return int(slide.width), int(slide.height)


def slide_descriptor(slide: Slide) -> dict[str, Any]:
    token = issue_tile_token(slide.pk, slide.version)
    query = urlencode({"v": slide.version, "t": token})
    width, height = image_size(slide)
    bounds = _bounds(slide)
    associated = slide.associated_images if isinstance(slide.associated_images, list) else []
    return {
        "id": slide.pk,
        "title": slide.title,
        "width": width,
        "height": height,
        "offset": [bounds[0], bounds[1]] if bounds else [0, 0],
        "mpp_x": slide.mpp_x,
        "mpp_y": slide.mpp_y,
        "objective_power": slide.objective_power,
        "level_count": slide.level_count,
        "level_dimensions": slide.level_dimensions,
        "vendor": slide.format,
        "tile_size": settings.TILE_SIZE,
        "overlap": settings.TILE_OVERLAP,
        "format": "jpeg",
        "version": slide.version,
        "token_expires": token_expires_at(token),
        "dzi": f"{reverse('slides:dzi', args=[slide.pk])}?{query}",
        "thumbnail": f"{reverse('slides:thumbnail', args=[slide.pk])}?{query}",
        "associated": {
            str(name): f"{reverse('slides:associated', args=[slide.pk, str(name)])}?{query}"
            for name in associated
            if _NAME.fullmatch(str(name))
        },
    }
