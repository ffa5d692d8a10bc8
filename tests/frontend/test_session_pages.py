"""Who may open which page of a live session, and what the page hands its scripts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from classroom.models import LiveSession
from frontend.page_data import StudentPage, TeacherPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(course: Any) -> LiveSession:
    return LiveSession.objects.create(
        course=course, title="Week 1", state="live", allow_guests=True
    )


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _data(response: Any) -> dict[str, Any]:
    found = re.search(
        r'<script id="page-data" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert found, "the page has no data block"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_teacher_console_is_for_the_course_staff(session, teacher, alice, outsider) -> None:
    url = f"/sessions/{session.pk}/teach"
    response = _client(teacher).get(url)
    assert response.status_code == 200
    data = TeacherPage.model_validate(_data(response))
    assert data.join_code == session.join_code
    assert data.join_url.endswith(f"/join/{session.join_code}/")
    for user in (alice, outsider):
        refused = _client(user).get(url)
        assert refused.status_code == 403
        assert (
            b"Only the course&#x27;s teachers and assistants run this session." in refused.content
        )
    assert _client().get(url).status_code == 302  # to the login page


def test_projector_mode_is_for_the_course_staff(session, teacher, alice) -> None:
    url = f"/sessions/{session.pk}/project"
    assert _client(teacher).get(url).status_code == 200
    assert _client(alice).get(url).status_code == 403


def test_the_class_page_opens_for_members_and_for_guests_to_be(session, alice) -> None:
    member = StudentPage.model_validate(_data(_client(alice).get(f"/sessions/{session.pk}/")))
    assert (member.member, member.me, member.staff) == (True, "Alice", False)
    anonymous = StudentPage.model_validate(_data(_client().get(f"/sessions/{session.pk}/")))
    assert (anonymous.member, anonymous.me, anonymous.urls.teach) == (False, None, None)
    assert _client().get("/sessions/999999/").status_code == 404


def test_the_join_link_takes_a_member_straight_in(session, alice) -> None:
    response = _client(alice).get(f"/join/{session.join_code.lower()}/")
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.pk}/"


def test_the_join_link_asks_a_guest_for_a_name_with_the_code_filled_in(session) -> None:
    page = _client().get(f"/join/{session.join_code}/").content.decode()
    assert f'value="{session.join_code}"' in page and "Week 1" in page


def test_a_wrong_or_ended_code_says_so(session) -> None:
    assert "No live session has the code ZZZZZZ" in _client().get("/join/ZZZZZZ/").content.decode()
    LiveSession.objects.filter(pk=session.pk).update(state="ended")
    ended = _client().get(f"/join/{session.join_code}/").content.decode()
    assert f"No live session has the code {session.join_code}" in ended
