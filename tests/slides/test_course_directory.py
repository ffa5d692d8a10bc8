"""slides asks about courses through slides.courses; classroom answers (docs/architecture.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from classroom.library import CourseLibrary
from classroom.models import Course
from slides import courses
from slides.access import can_view_slide, viewable_slides
from slides.models import Slide
from slides.uploads import UploadError, can_upload, check_create_upload


@pytest.fixture
def no_course_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """As without classroom: nothing registered a course directory."""
    monkeypatch.setattr(courses, "_directory", courses.NoCourses())


def test_classroom_registers_its_course_library_when_django_starts() -> None:
    assert isinstance(courses.course_directory(), CourseLibrary)


@pytest.mark.django_db
def test_the_course_library_answers_from_courses_and_memberships(
    teacher: User, alice: User, outsider: User, course: Course
) -> None:
    library = courses.course_directory()
    slide = Slide.objects.create(title="Liver", status=Slide.Status.READY)

    library.add_slide(slide, [course.code, "NO-SUCH-CODE"])

    assert list(course.slides.all()) == [slide]
    assert list(library.shared_slides(alice.pk)) == [slide]
    assert not library.shared_slides(outsider.pk).exists()
    assert library.teaches(teacher.pk) and library.teaches(teacher.pk, course.code)
    assert not library.teaches(alice.pk) and not library.teaches(teacher.pk, "OTHER")
    assert library.has_course(course.code) and not library.has_course("NO-SUCH-CODE")


@pytest.mark.django_db
def test_without_a_course_directory_course_slides_stay_with_their_owner(
    no_course_app: None, teacher: User, alice: User, course: Course
) -> None:
    slide = Slide.objects.create(title="Liver", owner=teacher, status=Slide.Status.READY)
    course.slides.add(slide)

    assert can_view_slide(teacher, slide) and slide in viewable_slides(teacher)
    assert not can_view_slide(alice, slide)
    assert not viewable_slides(alice).exists()


@pytest.mark.django_db
def test_without_a_course_directory_only_staff_upload_and_no_course_code_exists(
    no_course_app: None, teacher: User
) -> None:
    assert not can_upload(teacher)
    teacher.is_staff = True
    assert can_upload(teacher)
    with pytest.raises(UploadError, match="no course with code 'PATH101'") as refused:
        check_create_upload(teacher, filename="a.svs", size=1, sha256=None, course_code="PATH101")
    assert refused.value.status == 404
