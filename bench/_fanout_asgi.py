"""ASGI entry point for ``bench/fanout.py --experiment`` (see that script).

Serves ``scopecast.asgi.application`` unchanged unless ``BENCH_EXPERIMENTS``
names an experiment. Experiments only measure an idea for realtime/; they
never ship:

- ``no-dispatch-db-hop``: Channels' ``AsyncConsumer.dispatch`` runs
  ``aclose_old_connections()`` (a hop through the sync thread) before every
  inbound frame; the session consumer uses the ORM only through
  ``database_sync_to_async``, which closes old connections itself.
"""

from __future__ import annotations

import os

import channels.consumer

from scopecast.asgi import application

__all__ = ["application"]

if "no-dispatch-db-hop" in os.environ.get("BENCH_EXPERIMENTS", "").split(","):

    async def _no_hop() -> None:
        return None

    channels.consumer.aclose_old_connections = _no_hop
