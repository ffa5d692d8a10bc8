"""Who may do what in a course's quizzes (the course roles of classroom)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from classroom.models import Membership
from quizzes.domain import QuizError
from realtime.roles import STAFF

AnyUser = AbstractBaseUser | AnonymousUser


def is_course_staff(user: AnyUser | None, course_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(course_id=course_id, user_id=user.pk, role__in=STAFF).exists()


def check_course_staff(user: AnyUser | None, course_id: int) -> None:
    if not is_course_staff(user, course_id):
        raise QuizError("forbidden", "only the course's teachers can do that")


def is_course_student(user: AnyUser, course_id: int) -> bool:
    return bool(
        user.is_authenticated
        and Membership.objects.filter(
            course_id=course_id, user_id=user.pk, role=Membership.Role.STUDENT
        ).exists()
    )
