"""Saved agenda views are validated and stored cleaned (classroom/actions.py, models.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from classroom.actions.sessions import AgendaSpec, do_create_session
from classroom.models import AgendaItem, Course
from slides.models import Slide

pytestmark = pytest.mark.django_db


@pytest.fixture
def slide() -> Slide:
    return Slide.objects.create(title="Liver", width=1000, height=500, status="ready")


def test_a_created_session_stores_the_cleaned_view(course: Course, slide: Slide) -> None:
    view = {"x": 10, "y": "20", "zoom": 1}  # no rotation, ints and a numeric string
    do_create_session(course, title="x", agenda=[AgendaSpec(slide, view)])  # type: ignore[arg-type]
    stored = AgendaItem.objects.get().view
    assert stored == {"x": 10.0, "y": 20.0, "zoom": 1.0, "rotation": 0.0}
    assert all(isinstance(v, float) for v in stored.values())


def test_an_agenda_item_form_refuses_an_invalid_view(course: Course, slide: Slide) -> None:
    session = do_create_session(course, title="x")
    for bad in ({"x": 1.0, "y": 1.0}, {"x": 5000.0, "y": 1.0, "zoom": 1.0}, [1, 2, 3], "left"):
        item = AgendaItem(session=session, slide=slide, view=bad)
        with pytest.raises(ValidationError) as e:
            item.full_clean()
        assert "view" in e.value.message_dict


def test_an_agenda_item_form_stores_a_valid_view_cleaned(course: Course, slide: Slide) -> None:
    session = do_create_session(course, title="x")
    item = AgendaItem(session=session, slide=slide, view={"x": 1, "y": 2, "zoom": 0.5})
    item.full_clean()
    assert item.view == {"x": 1.0, "y": 2.0, "zoom": 0.5, "rotation": 0.0}
    item.view = None
    item.full_clean()  # no saved view is fine


def test_an_invalid_stored_view_reads_as_none(course: Course, slide: Slide) -> None:
    session = do_create_session(course, title="x")
    item = AgendaItem.objects.create(session=session, slide=slide, view={"zoom": "far"})
    assert item.saved_view() is None
    AgendaItem.objects.filter(pk=item.pk).update(view={"x": 1, "y": 2, "zoom": 0.5})
    item.refresh_from_db()
    assert (view := item.saved_view()) is not None
    assert view.model_dump() == {"x": 1.0, "y": 2.0, "zoom": 0.5, "rotation": 0.0}
