"""Courses, as the slide library sees them: a directory the course app provides.

Slides reach a class through courses: a ``course`` slide is visible to the
members of every course that uses it, teachers may upload, and an upload or
an import may add its slide to courses. Courses live in classroom, a higher
layer that slides never imports, so slides asks these questions of the
``CourseDirectory`` registered here; classroom registers its own
(``classroom.library.CourseLibrary``) in ``ClassroomConfig.ready()``.

Until one is registered the answers are the safe ones: no slide is shared
through a course, nobody teaches one, no course code exists (course slides
stay visible to their owners and superusers only, and only staff upload).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.db.models import QuerySet

from slides.models import Slide


class CourseDirectory(Protocol):
    def shared_slides(self, user_id: int) -> QuerySet[Slide]:
        """The slides of every course the user belongs to (any role).

        For filtering (``.filter(pk=...).exists()``, ``pk__in``): a slide used
        by several of the user's courses may appear once for each.
        """
        ...

    def teaches(self, user_id: int, code: str | None = None) -> bool:
        """Whether the user teaches the course with this code (any course when None)."""
        ...

    def has_course(self, code: str) -> bool:
        """Whether a course with exactly this code exists."""
        ...

    def add_slide(self, slide: Slide, codes: Iterable[str]) -> None:
        """Add the slide to the courses with these codes (codes no course has are skipped)."""
        ...


class NoCourses:
    """The directory before one is registered: no courses at all."""

    def shared_slides(self, user_id: int) -> QuerySet[Slide]:
        return Slide.objects.none()

    def teaches(self, user_id: int, code: str | None = None) -> bool:
        return False

    def has_course(self, code: str) -> bool:
        return False

    def add_slide(self, slide: Slide, codes: Iterable[str]) -> None:
        pass


_directory: CourseDirectory = NoCourses()


def register_course_directory(directory: CourseDirectory) -> None:
    """Make ``directory`` answer slides' questions about courses (one per process)."""
    global _directory
    _directory = directory


def course_directory() -> CourseDirectory:
    return _directory
