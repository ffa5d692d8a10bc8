"""The classroom's refusal (see realtime/errors.py for the base every app shares)."""

from __future__ import annotations

from realtime.errors import Refusal


class ActionError(Refusal):
    """A refused classroom state change; ``code`` is the protocol error code."""
