"""Joining a session by its code: as yourself if you are in the course, else as a guest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from classroom.errors import ActionError
from classroom.guests import make_guest_token
from classroom.models import Guest, LiveSession, Membership


@dataclass(frozen=True)
class Joined:
    session: LiveSession
    guest: Guest | None = None  # None: a course member, who connects as themselves
    token: str | None = None


def check_session_code(code: str) -> LiveSession:
    session = (
        LiveSession.objects.select_related("course").filter(join_code=code.strip().upper()).first()
    )
    if session is None:
        raise ActionError("not_found", "no session has this join code")
    if session.state == LiveSession.State.ENDED:
        raise ActionError("conflict", "this session has ended")
    return session


def check_guest_join(code: str) -> LiveSession:
    session = check_session_code(code)
    if not session.allow_guests:
        raise ActionError("forbidden", "this session does not admit guests; log in to join")
    return session


def do_join_as_guest(code: str, display_name: str) -> tuple[Guest, str]:
    """Create a guest identity for the session with ``code``; returns it and its token."""
    session = check_guest_join(code)
    name = " ".join(display_name.split())
    if not name:
        raise ActionError("invalid", "a display name is required")
    guest = Guest.objects.create(session=session, display_name=name[:60])
    return guest, make_guest_token(session.pk, guest.pk)


def do_join(code: str, display_name: str, user: Any = None) -> Joined:
    """Join by code. A member of the session's course joins as themselves (no
    second, guest identity); anyone else as a guest, if the session admits them."""
    if user is not None and user.is_authenticated:
        session = check_session_code(code)
        if Membership.objects.filter(course_id=session.course_id, user_id=user.pk).exists():
            return Joined(session)
    guest, token = do_join_as_guest(code, display_name)
    return Joined(guest.session, guest, token)
