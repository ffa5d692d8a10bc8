"""`manage.py create_live_session` creates a live session with an agenda."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from classroom.models import LiveSession
from slides.models import Slide

pytestmark = pytest.mark.django_db


def test_it_creates_and_starts_a_session_with_an_agenda(course, teacher):
    slide = Slide.objects.create(title="Liver", width=100, height=100, status="ready")
    out = StringIO()
    call_command(
        "create_live_session", "PATH101", str(slide.pk), "--teacher", "tess", "--guests", stdout=out
    )
    session = LiveSession.objects.get()
    assert (session.state, session.allow_guests, session.created_by) == ("live", True, teacher)
    assert list(session.agenda.values_list("slide_id", flat=True)) == [slide.pk]
    assert session.join_code in out.getvalue()


def test_it_rejects_an_unknown_course_or_slide(course):
    with pytest.raises(CommandError, match="no course"):
        call_command("create_live_session", "NOPE")
    with pytest.raises(CommandError, match="no slides"):
        call_command("create_live_session", "PATH101", "424242")
    assert not LiveSession.objects.exists()
