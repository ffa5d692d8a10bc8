"""Who may view a slide: owner, course members, anyone for public (see docs/tiles.md)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser, User

from classroom.models import Course
from slides.access import can_view_slide, viewable_slides
from slides.models import Slide


@pytest.fixture
def slides(
    make_slide: Callable[..., Slide], course: Course, teacher: User, outsider: User
) -> dict[str, Slide]:
    made = {
        "course": make_slide(title="in course", name="course.tiff"),
        "unused": make_slide(title="course visibility, no course", name="unused.tiff"),
        "private_in_course": make_slide(
            title="private but listed", name="private.tiff", visibility=Slide.Visibility.PRIVATE
        ),
        "public": make_slide(
            title="public", name="public.tiff", owner=outsider, visibility=Slide.Visibility.PUBLIC
        ),
    }
    course.slides.add(made["course"], made["private_in_course"])
    return made


def visible(user: User | AnonymousUser, slides: dict[str, Slide]) -> set[str]:
    return {name for name, slide in slides.items() if can_view_slide(user, slide)}


def listed(user: User | AnonymousUser, slides: dict[str, Slide]) -> set[str]:
    ids = set(viewable_slides(user).values_list("pk", flat=True))
    return {name for name, slide in slides.items() if slide.pk in ids}


def test_the_owner_sees_all_their_slides(teacher: User, slides: dict[str, Slide]) -> None:
    expected = {"course", "unused", "private_in_course", "public"}
    assert visible(teacher, slides) == expected
    assert listed(teacher, slides) == expected


def test_a_course_member_sees_course_slides_and_public_ones(
    alice: User, slides: dict[str, Slide]
) -> None:
    assert visible(alice, slides) == {"course", "public"}
    assert listed(alice, slides) == {"course", "public"}


def test_an_outsider_sees_public_slides_only(
    outsider: User, slides: dict[str, Slide], bob: User
) -> None:
    # the outsider owns the public slide; bob is a member but not of any other course
    assert visible(outsider, slides) == {"public"}
    assert listed(outsider, slides) == {"public"}


def test_a_stranger_sees_public_slides_only(db: None, slides: dict[str, Slide]) -> None:
    stranger = User.objects.create_user("sam")
    assert visible(stranger, slides) == {"public"}
    assert listed(stranger, slides) == {"public"}


def test_anonymous_users_see_public_slides_only(slides: dict[str, Slide]) -> None:
    assert visible(AnonymousUser(), slides) == {"public"}
    assert listed(AnonymousUser(), slides) == {"public"}


def test_a_superuser_sees_everything(slides: dict[str, Slide]) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", "pw-root-123")
    assert visible(admin, slides) == set(slides)
    assert listed(admin, slides) == set(slides)


def test_membership_in_two_courses_lists_a_slide_once(
    alice: User, slides: dict[str, Slide]
) -> None:
    other = Course.objects.create(title="Second", code="PATH202")
    other.memberships.create(user=alice)
    other.slides.add(slides["course"])
    assert list(viewable_slides(alice)).count(slides["course"]) == 1
