"""Classroom services validate before they change anything (classroom/actions.py)."""

from __future__ import annotations

import pytest

from classroom.actions.annotations import check_annotation
from classroom.actions.guests import do_join_as_guest
from classroom.actions.sessions import (
    AgendaSpec,
    check_session_slide,
    do_create_session,
    do_end_session,
    do_start_session,
)
from classroom.errors import ActionError
from classroom.models import JOIN_CODE_ALPHABET, AgendaItem, LiveSession
from classroom.viewports import overview
from slides.models import Slide

pytestmark = pytest.mark.django_db


@pytest.fixture
def slide() -> Slide:
    return Slide.objects.create(title="Liver", width=1000, height=500, status="ready")


def test_it_creates_a_session_with_its_agenda_and_course_slides(course, teacher, slide):
    session = do_create_session(
        course,
        title="Week 2",
        created_by=teacher,
        agenda=[AgendaSpec(slide, {"x": 1.0, "y": 2.0, "zoom": 1.0, "rotation": 0.0}, "n")],
    )
    assert session.state == "scheduled"
    assert set(session.join_code) <= set(JOIN_CODE_ALPHABET) and len(session.join_code) == 6
    assert list(AgendaItem.objects.values_list("position", "notes")) == [(0, "n")]
    assert course.slides.filter(pk=slide.pk).exists()


def test_it_rejects_an_agenda_view_outside_the_slide_and_creates_nothing(course, slide):
    with pytest.raises(ActionError) as e:
        do_create_session(
            course, title="x", agenda=[AgendaSpec(slide, {"x": 5000.0, "y": 1.0, "zoom": 1.0})]
        )
    assert e.value.code == "out_of_range"
    assert not LiveSession.objects.exists()


def test_sessions_move_from_scheduled_to_live_to_ended(course):
    session = do_create_session(course, title="x")
    do_start_session(session)
    assert session.state == "live" and session.started_at is not None
    do_end_session(session)
    assert session.state == "ended"
    with pytest.raises(ActionError):
        do_start_session(session)
    with pytest.raises(ActionError):
        do_end_session(session)


def test_a_session_may_only_show_its_courses_slides(course, slide):
    session = do_create_session(course, title="x")
    with pytest.raises(ActionError) as e:
        check_session_slide(session, slide.pk)
    assert e.value.code == "forbidden"
    course.slides.add(slide)
    assert check_session_slide(session, slide.pk) == slide
    Slide.objects.filter(pk=slide.pk).update(status="importing")
    with pytest.raises(ActionError) as e:
        check_session_slide(session, slide.pk)
    assert e.value.code == "conflict"


def test_the_overview_fits_the_whole_slide():
    slide = Slide(width=3840, height=1000)
    assert overview(slide).model_dump() == {"x": 1920.0, "y": 500.0, "zoom": 0.5, "rotation": 0.0}


@pytest.mark.parametrize(
    ("kind", "points", "text", "code"),
    [
        ("blob", [[1, 1]], "", "invalid"),
        ("line", [[1, 1]], "", "invalid"),
        ("text", [[1, 1]], "", "invalid"),
        ("point", [[1, float("nan")]], "", "invalid"),
        ("point", [[1001, 1]], "", "out_of_range"),
    ],
)
def test_it_rejects_bad_annotations(slide, kind, points, text, code):
    with pytest.raises(ActionError) as e:
        check_annotation(slide, kind, points, text)
    assert e.value.code == code


def test_a_guest_name_is_required(course):
    session = do_create_session(course, title="x", allow_guests=True)
    with pytest.raises(ActionError) as e:
        do_join_as_guest(session.join_code, "   ")
    assert e.value.code == "invalid"
