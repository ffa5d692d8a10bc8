"""`manage.py load_demo` builds the demo classroom, idempotently.

See docs/deploy.md ("Trying it out").
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

from classroom.models import AgendaItem, Course, LiveSession, Membership
from frontend import demo
from quizzes.models import Assignment, Question, QuestionSet
from slides import demo as slide_demo
from slides.importer import stored_path
from slides.models import Slide


def _ready_slide(title: str, **fields: Any) -> Slide:
    defaults: dict[str, Any] = {
        "status": Slide.Status.READY,
        "width": 40_000,
        "height": 30_000,
        "mpp_x": 0.25,
        "mpp_y": 0.25,
        "objective_power": 40.0,
    }
    defaults.update(fields)
    return Slide.objects.create(title=title, **defaults)


def _run() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def no_quiz_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "load_demo_questions", lambda **kwargs: "skipped")


def test_it_creates_the_demo_logins_with_the_documented_password(
    db: None, no_quiz_demo: None
) -> None:
    _run()
    for username in (demo.TEACHER, demo.ASSISTANT, *demo.STUDENTS, demo.ADMIN):
        assert authenticate(username=username, password=demo.DEMO_PASSWORD) is not None
    assert User.objects.get(username=demo.ADMIN).is_superuser
    assert not User.objects.get(username=demo.TEACHER).is_staff


def test_it_creates_the_course_with_teacher_assistant_and_students(
    db: None, no_quiz_demo: None
) -> None:
    _run()
    course = Course.objects.get(code="PATH101")
    assert course.title == "Histopathology 101"
    roles = dict(course.memberships.values_list("user__username", "role"))
    assert roles == {
        "demo-teacher": Membership.Role.TEACHER,
        "demo-assistant": Membership.Role.ASSISTANT,
        "demo-student1": Membership.Role.STUDENT,
        "demo-student2": Membership.Role.STUDENT,
        "demo-student3": Membership.Role.STUDENT,
    }


def test_it_builds_a_live_session_with_guests_and_an_agenda_of_saved_views(
    db: None, no_quiz_demo: None
) -> None:
    liver = _ready_slide("Liver, H&E")
    kidney = _ready_slide("Kidney, H&E", width=20_000, height=10_000, objective_power=None)
    _ready_slide("Importing", status=Slide.Status.IMPORTING)
    _run()
    session = LiveSession.objects.get(title="Liver and kidney basics")
    assert session.state == LiveSession.State.LIVE
    assert session.allow_guests
    assert set(session.course.slides.all()) == {liver, kidney}
    items = list(session.agenda.all())
    assert [i.slide for i in items] == [kidney, kidney, liver]
    for item in items:
        assert item.view is not None
        assert set(item.view) == {"x", "y", "zoom", "rotation"}
        assert 0 < item.view["zoom"] <= 1
        assert 0 <= item.view["x"] <= item.slide.width
        assert 0 <= item.view["y"] <= item.slide.height
    # Kidney has no objective power: 10x is estimated from 0.25 um/px (a 40x scan).
    views = [item.view or {} for item in items]
    assert views[1]["zoom"] == pytest.approx(0.25)
    assert views[0]["zoom"] == pytest.approx(1920 / 20_000)  # fits a full-HD viewer


def test_it_prefers_demo_teacher_slides_over_others(db: None, no_quiz_demo: None) -> None:
    _run()
    teacher = User.objects.get(username=demo.TEACHER)
    other = _ready_slide("A someone else's slide")
    own = _ready_slide("Z demo slide", owner=teacher)
    assert demo.find_demo_slides()[:2] == [own, other]


def test_it_is_idempotent(db: None, no_quiz_demo: None) -> None:
    _ready_slide("Liver, H&E")
    _run()
    code = LiveSession.objects.get().join_code
    counts = (User.objects.count(), Membership.objects.count(), AgendaItem.objects.count())
    _run()
    assert LiveSession.objects.get().join_code == code
    assert (User.objects.count(), Membership.objects.count(), AgendaItem.objects.count()) == counts
    assert Course.objects.count() == 1


def test_it_restores_the_documented_password_and_a_live_session(
    db: None, no_quiz_demo: None
) -> None:
    _run()
    student = User.objects.get(username="demo-student1")
    student.set_password("changed")
    student.save()
    LiveSession.objects.update(state=LiveSession.State.ENDED, allow_guests=False)
    _run()
    assert authenticate(username="demo-student1", password=demo.DEMO_PASSWORD) is not None
    session = LiveSession.objects.get()
    assert (session.state, session.allow_guests) == (LiveSession.State.LIVE, True)


def test_it_rebuilds_the_agenda_when_the_demo_slides_change(db: None, no_quiz_demo: None) -> None:
    first = _ready_slide("A liver")
    _run()
    second = _ready_slide("B kidney")
    _run()
    session = LiveSession.objects.get()
    assert [a.slide for a in session.agenda.all()] == [first, first, second]
    assert session.state == LiveSession.State.LIVE


def test_it_works_without_slides_and_says_what_to_run(db: None, no_quiz_demo: None) -> None:
    output = _run()
    assert "make_demo_slides" in output
    assert LiveSession.objects.get().agenda.count() == 0


def test_it_prints_the_urls_the_join_code_and_the_logins(db: None, no_quiz_demo: None) -> None:
    slide = _ready_slide("Liver, H&E")
    output = _run()
    session = LiveSession.objects.get()
    assert "http://127.0.0.1:8000/" in output
    assert f"http://127.0.0.1:8000/view/{slide.pk}/" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert f"join code {session.join_code}" in output
    assert f"http://127.0.0.1:8000/sessions/{session.pk}/teach" in output
    assert f"http://127.0.0.1:8000/sessions/{session.pk}/project" in output
    assert f"http://127.0.0.1:8000/join/{session.join_code}/" in output
    assert "demo-student3" in output
    assert demo.DEMO_PASSWORD in output
    assert "loaded (skipped)" in output  # no quiz demo here


def test_it_keeps_the_demo_when_the_quiz_demo_fails(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def load_demo_questions(**kwargs: Any) -> None:
        Course.objects.create(title="half-made", code="HALF")
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "load_demo_questions", load_demo_questions)
    output = _run()
    assert "failed: RuntimeError: boom" in output
    assert list(Course.objects.values_list("code", flat=True)) == ["PATH101"]


def test_it_uses_the_slides_of_make_demo_slides_in_their_order(
    db: None, no_quiz_demo: None, slide_storage: Path
) -> None:
    _ready_slide("Another slide, alphabetically first")
    made = {}
    for spec in reversed(slide_demo.DEMO_SLIDES):  # created in reverse: order must not matter
        made[spec.key] = _ready_slide(spec.title, file_path=stored_path(slide_demo.demo_path(spec)))
    _run()
    course = Course.objects.get(code="PATH101")
    expected = [made[spec.key] for spec in slide_demo.DEMO_SLIDES]
    assert demo.find_demo_slides() == expected
    assert set(course.slides.all()) == set(expected)


def test_it_gives_ownerless_demo_slides_to_the_demo_teacher(db: None, no_quiz_demo: None) -> None:
    # On a first `make demo`, make_demo_slides runs before demo-teacher exists.
    slide = _ready_slide("Liver, H&E")
    _run()
    slide.refresh_from_db()
    assert slide.owner is not None and slide.owner.username == demo.TEACHER


def _demo_slides() -> list[Slide]:
    """Ready slides where `make_demo_slides` puts them (no pixels needed here)."""
    return [
        _ready_slide(spec.title, file_path=stored_path(slide_demo.demo_path(spec)))
        for spec in slide_demo.DEMO_SLIDES
    ]


def test_it_loads_the_real_quiz_demo_with_a_locate_question_on_a_demo_slide(
    db: None, slide_storage: Path
) -> None:
    slides = _demo_slides()
    output = _run()
    assert "failed:" not in output and "loaded" in output, output
    course = Course.objects.get(code=demo.COURSE_CODE)
    question_set = QuestionSet.objects.get(course=course)
    locate = [q for q in question_set.ordered_questions() if q.type == "locate"]
    assert locate and {q.slide for q in locate} <= set(slides)
    assert Assignment.objects.filter(course=course, question_set=question_set).exists()

    counts = (Question.objects.count(), QuestionSet.objects.count(), Assignment.objects.count())
    assert "failed:" not in _run()
    assert (Question.objects.count(), QuestionSet.objects.count(), Assignment.objects.count()) == (
        counts
    )


def test_a_quiz_demo_loaded_before_the_slides_gains_its_locate_questions_later(
    db: None, slide_storage: Path
) -> None:
    assert "failed:" not in _run()
    question_set = QuestionSet.objects.get()
    assert "locate" not in {q.type for q in question_set.ordered_questions()}

    slides = _demo_slides()  # make_demo_slides ran afterwards
    assert "failed:" not in _run()
    locate = [q for q in question_set.ordered_questions() if q.type == "locate"]
    assert len(locate) == 2 and all(q.slide in slides for q in locate)
