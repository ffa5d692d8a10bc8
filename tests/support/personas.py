"""The shared personas (healthchecks-style), built per test by the ``personas`` fixture.

``teacher`` (Tess) teaches PATH101, ``alice`` and ``bob`` are students in it,
``outsider`` (Olga) belongs to no course; every one logs in with ``PASSWORD``.
The fixtures are in tests/support/fixtures/personas.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from classroom.models import Course, Membership

PASSWORD = "correct-horse-battery"


@dataclass
class Personas:
    teacher: User
    alice: User
    bob: User
    outsider: User
    course: Course


def create_personas() -> Personas:
    """Create the four users and PATH101 with its memberships."""
    teacher = User.objects.create_user("tess", "tess@example.org", PASSWORD, first_name="Tess")
    alice = User.objects.create_user("alice", "alice@example.org", PASSWORD, first_name="Alice")
    bob = User.objects.create_user("bob", "bob@example.org", PASSWORD, first_name="Bob")
    outsider = User.objects.create_user("olga", "olga@example.org", PASSWORD, first_name="Olga")
    course = Course.objects.create(title="Histopathology 101", code="PATH101")
    Membership.objects.create(course=course, user=teacher, role=Membership.Role.TEACHER)
    Membership.objects.create(course=course, user=alice, role=Membership.Role.STUDENT)
    Membership.objects.create(course=course, user=bob, role=Membership.Role.STUDENT)
    return Personas(teacher=teacher, alice=alice, bob=bob, outsider=outsider, course=course)
