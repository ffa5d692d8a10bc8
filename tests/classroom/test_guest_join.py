"""Guests join a session by code and display name (see docs/protocol.md, "Joining")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from classroom.guests import make_guest_token, read_guest_token
from classroom.models import Course, Guest, LiveSession

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def open_session(course: Course) -> LiveSession:
    return LiveSession.objects.create(
        course=course, title="Week 1", state="live", allow_guests=True
    )


def _join(body: Any, ip: str = "10.0.0.1", raw: bytes | None = None) -> Any:
    data = raw if raw is not None else json.dumps(body)
    return Client().post(
        "/courses/join", data=data, content_type="application/json", REMOTE_ADDR=ip
    )


def test_it_creates_a_guest_and_returns_a_token_for_this_session(open_session):
    response = _join({"code": open_session.join_code.lower(), "name": "  Ada   Lovelace "})
    assert response.status_code == 201
    body = response.json()
    guest = Guest.objects.get()
    assert guest.display_name == "Ada Lovelace" and guest.session == open_session
    assert body["session_id"] == open_session.pk
    assert body["guest"] == {"participant": f"g:{guest.pk}", "name": "Ada Lovelace"}
    assert read_guest_token(body["guest_token"], open_session.pk) == guest.pk
    assert read_guest_token(body["guest_token"], open_session.pk + 1) is None
    assert body["ws_url"] == f"/ws/sessions/{open_session.pk}/?guest={body['guest_token']}"


@pytest.mark.parametrize(
    "body",
    [
        {"code": "ABCDEF"},
        {"name": "Ada"},
        {"code": 123456, "name": "Ada"},
        {"code": "ABCDEF", "name": ""},
        {"code": "ABCDEF", "name": "x" * 61},
        {"code": "AB", "name": "Ada"},
        {"code": "ABCDEF", "name": "Ada", "admin": True},
        ["ABCDEF", "Ada"],
    ],
)
def test_it_rejects_a_malformed_body_with_400(open_session, body):
    response = _join(body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Guest.objects.exists()


def test_it_rejects_a_body_that_is_not_json(open_session):
    response = _join(None, raw=b"code=ABCDEF&name=Ada")
    assert response.status_code == 400
    assert response.json()["error"]


def test_it_answers_an_unknown_code_with_404(open_session):
    response = _join(
        {"code": "ZZZZZZ" if open_session.join_code != "ZZZZZZ" else "YYYYYY", "name": "Ada"}
    )
    assert response.status_code == 404


def test_it_refuses_guests_when_the_teacher_does_not_allow_them(open_session):
    LiveSession.objects.filter(pk=open_session.pk).update(allow_guests=False)
    response = _join({"code": open_session.join_code, "name": "Ada"})
    assert response.status_code == 403
    assert not Guest.objects.exists()


def test_it_refuses_to_join_an_ended_session_with_409(open_session):
    LiveSession.objects.filter(pk=open_session.pk).update(state="ended")
    assert _join({"code": open_session.join_code, "name": "Ada"}).status_code == 409


def test_it_only_accepts_post():
    assert Client().get("/courses/join").status_code == 405


def test_join_attempts_are_rate_limited_per_ip(open_session, settings):
    settings.JOIN_RATE_LIMIT = (3, 60)
    codes = [_join({"code": "ZZZZZ2", "name": "Eve"}, ip="10.0.0.9").status_code for _ in range(3)]
    assert 429 not in codes
    limited = _join({"code": open_session.join_code, "name": "Eve"}, ip="10.0.0.9")
    assert limited.status_code == 429
    assert "too many" in limited.json()["error"]
    assert not Guest.objects.filter(display_name="Eve").exists()
    assert _join({"code": open_session.join_code, "name": "Ada"}, ip="10.0.0.10").status_code == 201


def test_a_token_is_bound_to_its_session_and_guest(open_session):
    token = make_guest_token(open_session.pk, 41)
    assert read_guest_token(token, open_session.pk) == 41
    assert read_guest_token(token + "x", open_session.pk) is None
    assert read_guest_token("", open_session.pk) is None
    assert read_guest_token("a" * 600, open_session.pk) is None


def test_an_expired_token_is_refused(open_session, settings):
    token = make_guest_token(open_session.pk, 41)
    settings.GUEST_TOKEN_MAX_AGE = -1
    assert read_guest_token(token, open_session.pk) is None


def _member_join(user: Any, body: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.post("/courses/join", data=json.dumps(body), content_type="application/json")


def test_a_member_who_types_the_code_enters_as_themselves_not_as_a_guest(open_session, alice):
    response = _member_join(alice, {"code": open_session.join_code, "name": "Alice again"})
    assert response.status_code == 200
    assert response.json() == {"session_id": open_session.pk, "member": True}
    assert not Guest.objects.exists()


def test_a_member_joins_even_when_the_session_admits_no_guests(open_session, teacher):
    LiveSession.objects.filter(pk=open_session.pk).update(allow_guests=False)
    response = _member_join(teacher, {"code": open_session.join_code, "name": "Tess"})
    assert (response.status_code, response.json()["member"]) == (200, True)


def test_a_member_cannot_join_an_ended_session(open_session, alice):
    LiveSession.objects.filter(pk=open_session.pk).update(state="ended")
    response = _member_join(alice, {"code": open_session.join_code, "name": "Alice"})
    assert response.status_code == 409


def test_someone_logged_in_but_outside_the_course_joins_as_a_guest(open_session, outsider):
    response = _member_join(outsider, {"code": open_session.join_code, "name": "Olga"})
    assert response.status_code == 201
    body = response.json()
    assert body["member"] is False and Guest.objects.get().display_name == "Olga"
