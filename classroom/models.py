"""Courses, memberships and live sessions (see docs/architecture.md)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

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
