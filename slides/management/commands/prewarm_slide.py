"""``manage.py prewarm_slide <id> [--region x,y,w,h] [--levels a-b]`` (see docs/tiles.md).

Fills the tile cache for a whole slide or a region of it, on the tile pool,
and reports tiles/s. Useful before a lecture; only meaningful with memcached
(MEMCACHED_SERVERS), since the in-process cache dies with this command.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from slides.prewarm import prewarm_tiles, slide_geometry, tiles_for_region
from slides.tiles.errors import TileNotFound

_REGION = re.compile(r"^\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*$")
_LEVELS = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


def parse_region(text: str) -> tuple[int, int, int, int]:
    match = _REGION.match(text)
    if not match:
        raise CommandError(f"--region must be x,y,w,h in level-0 pixels; got {text!r}")
    x, y, w, h = (int(v) for v in match.groups())
    if w <= 0 or h <= 0:
        raise CommandError("--region width and height must be positive")
    return x, y, w, h


def parse_levels(text: str) -> tuple[int, int]:
    match = _LEVELS.match(text)
    if not match:
        raise CommandError(f"--levels must be a-b (Deep Zoom levels); got {text!r}")
    first, last = int(match.group(1)), int(match.group(2))
    if first > last:
        raise CommandError("--levels: the first level must not exceed the last")
    return first, last


class Command(BaseCommand):
    help = "Fill the tile cache for a slide (or a region of it) and report tiles/s."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slide_id", type=int)
        parser.add_argument("--region", help="x,y,w,h in level-0 pixels (default: all)")
        parser.add_argument("--levels", help="Deep Zoom levels a-b (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        slide_id: int = options["slide_id"]
        region = parse_region(options["region"]) if options["region"] else None
        levels = parse_levels(options["levels"]) if options["levels"] else None
        if not settings.MEMCACHED_SERVERS:
            self.stderr.write(
                "warning: MEMCACHED_SERVERS is not set; the tiles are cached in this "
                "process only and are lost when it exits."
            )
        try:
            found = slide_geometry(slide_id)
        except TileNotFound as e:
            raise CommandError(f"slide {slide_id}: {e}") from e
        if found is None:
            raise CommandError(f"slide {slide_id} does not exist or is not ready")
        version, geometry = found
        try:
            tiles = tiles_for_region(geometry, region, levels)
        except ValueError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(
            f"slide {slide_id} v{version}: {len(tiles)} tiles on levels "
            f"{levels[0] if levels else 0}-{levels[1] if levels else geometry.max_level}, "
            f"{settings.TILE_WORKERS} workers"
        )
        stats = prewarm_tiles(slide_id, version, tiles, max_in_flight=2 * settings.TILE_WORKERS)
        self.stdout.write(
            f"{stats.requested} tiles in {stats.seconds:.1f} s: {stats.tiles_per_second:.0f} tiles/s "
            f"({stats.rendered} rendered, {stats.already_cached} already cached, "
            f"{stats.failed} failed)"
        )
