"""The one error of the tile path (see slides/tiles/__init__.py)."""


class TileNotFound(Exception):
    """The tile, image or slide does not exist (maps to 404); message is client-safe."""
