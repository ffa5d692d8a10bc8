"""Deep Zoom tile production: slide handles, JPEG encoding, coalesced reads.

See docs/tiles.md for the whole tile path. The modules, lowest first:

* ``errors``: ``TileNotFound``, the one error of the tile path (maps to 404).
* ``pools``: the bounded tile pool (``TILE_WORKERS``) for OpenSlide reads and
  JPEG encodes, and a small I/O pool for slide record lookups.
* ``handles``: ``lookup_slide`` maps a slide id to its current version and
  file, from memory when fresh (``RECORD_TTL`` seconds), else with one query
  on the I/O pool; there is no database query per tile. ``SlideHandles`` is
  a bounded, locked LRU of open ``OpenSlide`` objects and their
  ``DeepZoomGenerator``, keyed by (slide id, version).
* ``turbojpeg_lowlevel``: the one-call JPEG encode through PyTurboJPEG's
  private ctypes bindings; ``jpeg``: the encoder the tile path uses
  (libjpeg-turbo, else Pillow).
* ``render``: the blocking reads and encodes that run on the tile pool.
* ``inbox``: finished futures handed to the event loop, one wake-up a batch.
* ``fetch``: ``fetch_future`` coalesces concurrent requests for the same
  cache key: the first caller starts one job (a memcached lookup queued to
  the cache's batcher thread, then read and encode on the tile pool, then a
  cache fill queued the same way) and every caller, from the event loop or
  from a prewarm thread, waits on the same future. ``get_tile_bytes`` and
  its siblings are what the views await.

Nothing here blocks the event loop: OpenSlide reads and JPEG encoding run on
the tile pool, memcached I/O on the tile cache's batcher thread, database
lookups on the I/O pool.
"""
