"""Channel-layer group names, built in one place (see docs/protocol.md).

Group names must be ASCII and shorter than 100 characters; they are made
only from validated integer ids and the configured realtime prefix, which
keeps concurrent deployments (and test runs) sharing one Redis apart.
"""

from __future__ import annotations

import re

from django.conf import settings

_PREFIX_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


def realtime_prefix() -> str:
    prefix: str = settings.REALTIME_PREFIX
    if not _PREFIX_RE.match(prefix):
        raise ValueError(f"REALTIME_PREFIX must match {_PREFIX_RE.pattern}; got {prefix!r}")
    return prefix


def group_name(session_id: int) -> str:
    """The group every process's hub for ``session_id`` subscribes to."""
    if isinstance(session_id, bool) or not isinstance(session_id, int) or session_id <= 0:
        raise ValueError(f"bad session id {session_id!r}")
    name = f"{realtime_prefix()}.session.{session_id}"
    assert len(name) < 100 and name.isascii()
    return name
