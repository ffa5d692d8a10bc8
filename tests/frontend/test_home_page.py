"""The home page: an intro and join form for visitors, courses and slides for members.

See docs/architecture.md ("Slides → everyone").
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from classroom.models import Course, LiveSession
from slides.models import Slide
from tests.support.personas import Personas


def _slide(title: str, **fields: object) -> Slide:
    defaults: dict[str, object] = {"status": Slide.Status.READY, "width": 1000, "height": 800}
    defaults.update(fields)
    return Slide.objects.create(title=title, **defaults)


def test_it_shows_visitors_an_intro_a_login_link_and_the_join_form(
    client: Client, db: None
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Live microscopy teaching" in html
    assert 'href="/accounts/login/"' in html
    assert 'data-join-url="/courses/join"' in html
    assert 'name="name"' in html  # guests give a display name


def test_it_lists_a_students_courses_and_course_slides(client: Client, personas: Personas) -> None:
    liver = _slide("Liver, H&E", organ="liver", stain="H&E")
    personas.course.slides.add(liver)
    client.force_login(personas.alice)
    html = client.get("/").content.decode()
    assert "PATH101" in html
    assert "Liver, H&amp;E" in html
    assert f'href="/view/{liver.pk}/"' in html
    assert f"/slides/{liver.pk}/thumbnail.jpeg?v=1&amp;t=" in html  # signed thumbnail
    assert 'value="Alice"' in html  # the join form suggests the member's name


def test_it_hides_slides_the_user_cannot_view(client: Client, personas: Personas) -> None:
    other_course = Course.objects.create(title="Other", code="OTHER1")
    secret = _slide("Secret kidney")
    other_course.slides.add(secret)
    _slide("Tess's private slide", owner=personas.teacher, visibility="private")
    client.force_login(personas.outsider)
    html = client.get("/").content.decode()
    assert "Secret kidney" not in html
    assert "private slide" not in html
    assert "not a member of any course" in html


def test_it_lists_public_and_owned_slides(client: Client, personas: Personas) -> None:
    _slide("Public atlas", visibility=Slide.Visibility.PUBLIC)
    _slide("My own upload", owner=personas.outsider, visibility=Slide.Visibility.PRIVATE)
    client.force_login(personas.outsider)
    html = client.get("/").content.decode()
    assert "Public atlas" in html
    assert "My own upload" in html


def test_it_leaves_out_slides_that_are_not_ready(client: Client, personas: Personas) -> None:
    personas.course.slides.add(_slide("Still importing", status=Slide.Status.IMPORTING))
    personas.course.slides.add(_slide("Broken file", status=Slide.Status.FAILED))
    client.force_login(personas.alice)
    html = client.get("/").content.decode()
    assert "Still importing" not in html
    assert "Broken file" not in html


def test_it_shows_the_join_code_to_teachers_but_not_to_students(
    client: Client, personas: Personas
) -> None:
    session = LiveSession.objects.create(course=personas.course, title="Liver basics")
    client.force_login(personas.teacher)
    assert session.join_code in client.get("/").content.decode()
    client.force_login(personas.alice)
    html = client.get("/").content.decode()
    assert "Liver basics" in html
    assert session.join_code not in html


def test_it_hides_ended_sessions(client: Client, personas: Personas) -> None:
    LiveSession.objects.create(
        course=personas.course, title="Last week's lab", state=LiveSession.State.ENDED
    )
    client.force_login(personas.teacher)
    assert "Last week" not in client.get("/").content.decode()


def test_it_offers_the_admin_link_to_staff_only(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    assert 'href="/admin/"' not in client.get("/").content.decode()
    staff = User.objects.create_user("sam", password="x", is_staff=True)
    client.force_login(staff)
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_it_offers_the_upload_page_to_teachers_only(client: Client, personas: Personas) -> None:
    client.force_login(personas.teacher)
    assert 'href="/slides/upload/"' in client.get("/").content.decode()
    client.force_login(personas.alice)
    assert 'href="/slides/upload/"' not in client.get("/").content.decode()


def test_a_student_is_one_click_from_a_live_session(client: Client, personas: Personas) -> None:
    LiveSession.objects.create(course=personas.course, title="Anatomy later")
    live = LiveSession.objects.create(
        course=personas.course, title="Kidney live", state=LiveSession.State.LIVE
    )
    client.force_login(personas.alice)
    html = client.get("/").content.decode()
    assert f'href="/sessions/{live.pk}/">Follow live</a>' in html
    assert html.index("Kidney live") < html.index("Anatomy later")  # live first
    assert "/teach" not in html and "/project" not in html


def test_a_teacher_gets_the_console_and_the_projector(client: Client, personas: Personas) -> None:
    live = LiveSession.objects.create(
        course=personas.course, title="Kidney live", state=LiveSession.State.LIVE
    )
    client.force_login(personas.teacher)
    html = client.get("/").content.decode()
    assert f'href="/sessions/{live.pk}/teach">Teach now</a>' in html
    assert f'href="/sessions/{live.pk}/project">Projector</a>' in html
