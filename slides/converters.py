"""Typed URL converters for the slide and tile routes (see docs/tiles.md).

Integers are bounded in length so a URL can never make Python parse a huge
number; names and formats are short ASCII words. Anything that does not match
falls through to Django's 404, and values that match but make no sense (an
unknown format, an out-of-range tile) get a JSON 404 from the view.
"""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,12}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class TileIndexConverter:
    """A Deep Zoom level, column or row."""

    regex = "[0-9]{1,7}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class WordConverter:
    """A tile format or an associated image name (``label``, ``macro``...)."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdConverter, "slide_id")
register_converter(TileIndexConverter, "tile_index")
register_converter(WordConverter, "word")
