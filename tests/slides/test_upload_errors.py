"""Upload requests that are refused, with the right status and a JSON error."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from slides.models import Upload


def post(client: Client, body: object):
    return client.post("/slides/uploads/", json.dumps(body), content_type="application/json")


@pytest.fixture(autouse=True)
def _storage(slide_storage, settings):
    settings.SLIDE_UPLOAD_MAX_BYTES = 10_000_000
    settings.SLIDE_UPLOAD_CHUNK_BYTES = 64 * 1024


@pytest.mark.django_db(transaction=True)
def test_it_requires_authentication(client):
    response = post(client, {"filename": "a.svs", "size": 10})

    assert response.status_code == 401
    assert response.json() == {"error": "authentication required"}


@pytest.mark.django_db(transaction=True)
def test_it_refuses_students_and_outsiders(client, alice, outsider):
    for user in (alice, outsider):
        client.force_login(user)
        response = post(client, {"filename": "a.svs", "size": 10})
        assert response.status_code == 403
        assert response.json() == {"error": "only teachers and staff can upload slides"}


@pytest.mark.django_db(transaction=True)
def test_staff_may_upload(client, outsider):
    outsider.is_staff = True
    outsider.save()
    client.force_login(outsider)

    assert post(client, {"filename": "a.svs", "size": 10}).status_code == 201


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"filename": "a.svs"}, "size: Field required"),
        ({"filename": "a.svs", "size": "10"}, "size: Input should be a valid integer"),
        ({"filename": "a.svs", "size": 0}, "size: Input should be greater than 0"),
        ({"filename": "../../etc/passwd", "size": 10}, "filename must not contain a path"),
        ({"filename": "a.svs", "size": 10, "sha256": "xyz"}, "sha256: String should match"),
        ({"filename": "a.svs", "size": 10, "visibility": "world"}, "visibility: Input should be"),
        ({"filename": "a.svs", "size": 10, "extra": 1}, "extra: Extra inputs are not permitted"),
    ],
)
def test_it_rejects_a_malformed_create_body(client, teacher, body, message):
    client.force_login(teacher)

    response = post(client, body)

    assert response.status_code == 400
    assert response.json()["error"].startswith(message)


@pytest.mark.django_db(transaction=True)
def test_it_rejects_a_body_that_is_not_json(client, teacher):
    client.force_login(teacher)

    response = client.post("/slides/uploads/", "size=3", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": "body must be JSON"}


@pytest.mark.django_db(transaction=True)
def test_it_rejects_a_file_over_the_size_limit(client, teacher):
    client.force_login(teacher)

    response = post(client, {"filename": "huge.svs", "size": 10_000_001})

    assert response.status_code == 413
    assert "limit is 10,000,000 bytes" in response.json()["error"]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_course_the_teacher_does_not_teach(client, teacher, outsider):
    from classroom.models import Course, Membership

    other = Course.objects.create(title="Other", code="OTH1")
    Membership.objects.create(course=other, user=outsider, role=Membership.Role.TEACHER)
    client.force_login(teacher)

    assert post(client, {"filename": "a", "size": 1, "course": "OTH1"}).status_code == 403
    assert post(client, {"filename": "a", "size": 1, "course": "NOPE"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_nobody_else_can_see_or_feed_an_upload(client, teacher, outsider):
    from classroom.models import Membership

    client.force_login(teacher)
    upload_id = post(client, {"filename": "a.svs", "size": 10}).json()["id"]
    Membership.objects.create(
        course=teacher.memberships.get().course, user=outsider, role=Membership.Role.TEACHER
    )
    client.force_login(outsider)

    assert client.get(f"/slides/uploads/{upload_id}").status_code == 404
    response = client.put(
        f"/slides/uploads/{upload_id}",
        b"0123456789",
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE="bytes 0-9/10",
    )
    assert response.status_code == 404
    assert Upload.objects.get().received == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("content_range", "status", "message"),
    [
        (None, 400, "Content-Range must be"),
        ("bytes 0-9/11", 400, "Content-Range total 11 differs"),
        ("bytes 5-2/10", 400, "Content-Range end is before its start"),
        ("bytes 0-10/10", 416, "chunk ends beyond the end of the file"),
        ("bytes 2-9/10", 409, "expected a chunk starting at byte 0"),
    ],
)
def test_it_rejects_a_bad_content_range(client, teacher, content_range, status, message):
    client.force_login(teacher)
    upload_id = post(client, {"filename": "a.svs", "size": 10}).json()["id"]
    headers = {"HTTP_CONTENT_RANGE": content_range} if content_range else {}

    response = client.put(
        f"/slides/uploads/{upload_id}",
        b"0123456789",
        content_type="application/octet-stream",
        **headers,
    )

    assert response.status_code == status
    assert response.json()["error"].startswith(message)
    assert Upload.objects.get().received == 0


@pytest.mark.django_db(transaction=True)
def test_it_rejects_a_chunk_larger_than_the_limit(client, teacher, settings):
    client.force_login(teacher)
    size = 200 * 1024
    upload_id = post(client, {"filename": "a.svs", "size": size}).json()["id"]

    response = client.put(
        f"/slides/uploads/{upload_id}",
        b"x" * size,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes 0-{size - 1}/{size}",
    )

    assert response.status_code == 413


@pytest.mark.django_db(transaction=True)
def test_it_rejects_chunks_after_finalize_and_a_second_finalize(client, teacher, settings):
    settings.SCOPECAST_INPROCESS_WORKER = False
    client.force_login(teacher)
    upload_id = post(client, {"filename": "a.svs", "size": 10}).json()["id"]
    client.put(
        f"/slides/uploads/{upload_id}",
        b"0123456789",
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE="bytes 0-9/10",
    )
    assert client.post(f"/slides/uploads/{upload_id}/finalize").status_code == 202

    late = client.put(
        f"/slides/uploads/{upload_id}",
        b"0",
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE="bytes 9-9/10",
    )
    again = client.post(f"/slides/uploads/{upload_id}/finalize")

    assert late.status_code == 409
    assert again.status_code == 409


@pytest.mark.django_db(transaction=True)
def test_it_answers_404_for_an_unknown_upload(client, teacher):
    client.force_login(teacher)

    response = client.get("/slides/uploads/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404
    assert response.json() == {"error": "no such upload"}
