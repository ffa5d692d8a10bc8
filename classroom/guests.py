"""Guest identities and their session-scoped tokens (see docs/protocol.md, "Joining").

A guest token is a ``django.core.signing`` token over ``{"s": session id,
"g": guest id}`` with its own salt; it authenticates that guest in that one
session and nowhere else, and expires after ``GUEST_TOKEN_MAX_AGE``.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "scopecast.classroom.guest"


def max_age() -> int:
    return int(settings.GUEST_TOKEN_MAX_AGE)


def make_guest_token(session_id: int, guest_id: int) -> str:
    return signing.dumps({"s": session_id, "g": guest_id}, salt=SALT, compress=False)


def read_guest_token(token: str, session_id: int) -> int | None:
    """The guest id if ``token`` is valid for ``session_id``, else None."""
    if not token or len(token) > 512:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("s") != session_id:
        return None
    guest_id = data.get("g")
    return guest_id if isinstance(guest_id, int) and not isinstance(guest_id, bool) else None
