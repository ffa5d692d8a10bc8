"""The slides a course uses, as classroom answers for the slide library.

slides never imports classroom: it asks its questions about courses (which
slides a user sees through their courses, who teaches, which course codes
exist, and to add an imported or uploaded slide to courses) through
``slides.courses.CourseDirectory``. ``CourseLibrary`` answers them from
``Course.slides`` and ``Membership``; ``ClassroomConfig.ready()`` registers it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from classroom.models import Course, Membership
from slides.models import Slide


class CourseLibrary:
    """``slides.courses.CourseDirectory`` over classroom's courses and memberships."""

    def shared_slides(self, user_id: int) -> QuerySet[Slide]:
        return Slide.objects.filter(courses__memberships__user_id=user_id)

    def teaches(self, user_id: int, code: str | None = None) -> bool:
        memberships = Membership.objects.filter(user_id=user_id, role=Membership.Role.TEACHER)
        if code is not None:
            memberships = memberships.filter(course__code=code)
        return memberships.exists()

    def has_course(self, code: str) -> bool:
        return Course.objects.filter(code=code).exists()

    def add_slide(self, slide: Slide, codes: Iterable[str]) -> None:
        for course in Course.objects.filter(code__in=list(codes)):
            course.slides.add(slide)
