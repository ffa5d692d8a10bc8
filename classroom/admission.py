"""Who may join a session's socket: a course member, or a guest of that session.

Registered with realtime (``realtime.admission.register_admission``) from
``ClassroomConfig.ready``. A member's role is their course role; a guest
authenticates with the signed token of ``POST /courses/join``
(classroom/guests.py), valid for that one session.
"""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections

from classroom.guests import read_guest_token
from classroom.models import Guest, LiveSession, Membership
from realtime.admission import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, Admission

# A session never changes course: remember the mapping (one query less per join).
_course_of_session: dict[int, int] = {}


def admit(session_id: int, user: Any, guest_token: str | None) -> Admission | int:
    """Who is connecting, or the close code refusing them."""
    close_old_connections()
    course_id = _course_of_session.get(session_id)
    if course_id is None:
        course_id = (
            LiveSession.objects.filter(pk=session_id).values_list("course_id", flat=True).first()
        )
        if course_id is None:
            return CLOSE_NOT_FOUND
        if len(_course_of_session) > 10_000:
            _course_of_session.clear()
        _course_of_session[session_id] = course_id
    if guest_token is not None:
        guest_id = read_guest_token(guest_token, session_id)
        guest = (
            Guest.objects.filter(pk=guest_id, session_id=session_id).first() if guest_id else None
        )
        if guest is None:
            return CLOSE_FORBIDDEN
        return Admission(f"g:{guest.pk}", "guest", guest.display_name, None, guest.pk)
    if user is None or not user.is_authenticated:
        return CLOSE_FORBIDDEN
    membership = Membership.objects.filter(course_id=course_id, user_id=user.pk).first()
    if membership is None:
        return CLOSE_FORBIDDEN
    name = user.get_full_name() or user.get_username()
    return Admission(f"u:{user.pk}", membership.role, name, user.pk, None)  # type: ignore[arg-type]


def forget_session(session_id: int | None = None) -> None:
    """A deleted session (``post_delete``); tests: everything."""
    if session_id is None:
        _course_of_session.clear()
    else:
        _course_of_session.pop(session_id, None)
