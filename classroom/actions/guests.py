"""Joining a session by its code, as a guest."""

from __future__ import annotations

from classroom.errors import ActionError
from classroom.guests import make_guest_token
from classroom.models import Guest, LiveSession


def check_guest_join(code: str) -> LiveSession:
    session = (
        LiveSession.objects.select_related("course").filter(join_code=code.strip().upper()).first()
    )
    if session is None:
        raise ActionError("not_found", "no session has this join code")
    if not session.allow_guests:
        raise ActionError("forbidden", "this session does not admit guests; log in to join")
    if session.state == LiveSession.State.ENDED:
        raise ActionError("conflict", "this session has ended")
    return session


def do_join_as_guest(code: str, display_name: str) -> tuple[Guest, str]:
    """Create a guest identity for the session with ``code``; returns it and its token."""
    session = check_guest_join(code)
    name = " ".join(display_name.split())
    if not name:
        raise ActionError("invalid", "a display name is required")
    guest = Guest.objects.create(session=session, display_name=name[:60])
    return guest, make_guest_token(session.pk, guest.pk)
