"""Courses, memberships and live sessions (see docs/architecture.md)."""

from __future__ import annotations

import logging
import secrets
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from classroom.errors import ActionError
from classroom.viewports import View, check_view, slide_size

logger = logging.getLogger(__name__)

# No 0/O/1/I: a join code is read aloud and typed from a projector.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class Course(models.Model):
    title = models.CharField(max_length=200)
    code = models.CharField(max_length=40, unique=True)
    description = models.TextField(blank=True)
    slides = models.ManyToManyField("slides.Slide", blank=True, related_name="courses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class Membership(models.Model):
    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        ASSISTANT = "assistant", "Assistant"
        STUDENT = "student", "Student"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STUDENT)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course.code} as {self.role}"


class LiveSession(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    join_code = models.CharField(max_length=JOIN_CODE_LENGTH, unique=True, default=new_join_code)
    allow_guests = models.BooleanField(default=False)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The slide on screen, persisted when the teacher opens one (rare), so a
    # restarted server without Redis still knows what the class is looking at.
    # Viewports and the rest of the live state live in realtime.state.
    current_slide = models.ForeignKey(
        "slides.Slide", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_item = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"


class AgendaItem(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField(default=0)
    slide = models.ForeignKey("slides.Slide", on_delete=models.PROTECT, related_name="+")
    # Optional saved view: {"x": level-0 px, "y": level-0 px, "zoom": float, "rotation": degrees}
    view = models.JSONField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="Teacher notes, never sent to students")

    class Meta:
        ordering = ["session", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}: {self.slide}"

    def saved_view(self) -> View | None:
        """The saved view, checked; None when there is none or it is invalid.

        Views saved through ``do_create_session`` and the admin are checked,
        but one stored by other means must not break the session: it is
        logged and ignored (the whole slide is shown instead).
        """
        if self.view is None:
            return None
        try:
            return check_view(self.view, slide_size(self.slide))
        except ActionError as e:
            logger.warning(
                "session %s: agenda item %s has an invalid saved view %r (%s); ignored",
                self.session_id,
                self.pk,
                self.view,
                e.message,
            )
            return None

    def clean(self) -> None:
        """Admin forms: the saved view must be valid for the slide; it is stored cleaned."""
        super().clean()
        if self.view is None or self.slide_id is None:
            return
        try:
            self.view = check_view(self.view, slide_size(self.slide)).model_dump()
        except ActionError as e:
            raise ValidationError({"view": e.message}) from None


class Guest(models.Model):
    """A password-less identity scoped to one live session, created by join code.

    The guest authenticates with a signed, session-scoped token
    (see classroom.guests); nothing about it is valid in any other session.
    """

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="guests")
    display_name = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "display_name"]

    def __str__(self) -> str:
        return f"{self.display_name} (guest in session {self.session_id})"


class Annotation(models.Model):
    """A teacher's drawing on a slide during a live session (see docs/protocol.md).

    Geometry is a list of ``[x, y]`` points in level-0 pixels of ``slide``;
    ``POINT_COUNTS`` says how many each kind takes (checked by
    classroom.actions.annotations.check_annotation). ``Kind`` is the one
    declaration of the kinds: the websocket frames are typed with it.
    """

    class Kind(models.TextChoices):
        POINT = "point", "Point"
        ARROW = "arrow", "Arrow"
        LINE = "line", "Line"
        RECTANGLE = "rectangle", "Rectangle"
        ELLIPSE = "ellipse", "Ellipse"
        POLYGON = "polygon", "Polygon"
        FREEHAND = "freehand", "Freehand"
        TEXT = "text", "Text label"

    # How many points each kind takes: (min, max).
    POINT_COUNTS: ClassVar[dict[str, tuple[int, int]]] = {
        Kind.POINT: (1, 1),
        Kind.TEXT: (1, 1),
        Kind.ARROW: (2, 2),
        Kind.LINE: (2, 2),
        Kind.RECTANGLE: (2, 2),
        Kind.ELLIPSE: (2, 2),
        Kind.POLYGON: (3, 5000),
        Kind.FREEHAND: (2, 5000),
    }

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="annotations")
    slide = models.ForeignKey("slides.Slide", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    colour = models.CharField(max_length=7, default="#ffcc00")
    points = models.JSONField(default=list)
    text = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "id"]
        indexes = [models.Index(fields=["session", "slide"], name="annotation_session_slide")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.slide_id} in session {self.session_id}"


class SessionEvent(models.Model):
    """The session's event log, written in batches (see realtime/eventlog.py).

    ``seq`` is the per-session sequence number the event was broadcast with;
    it is null for logged events that are not broadcast (student viewport
    reports).
    """

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    type = models.CharField(max_length=40)
    actor = models.CharField(max_length=40, blank=True, help_text="u:<user id> or g:<guest id>")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "created_at", "id"]
        indexes = [models.Index(fields=["session", "seq"], name="sessionevent_session_seq")]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq} in session {self.session_id}"
