"""Resumable chunked uploads: create, chunks, resume, checksums, finalize, import.

Transactional tests: chunks are received on the upload thread pool, which
uses its own database connection.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from slides import synthetic
from slides.jobs import run_pending_jobs
from slides.models import Job, Slide, Upload

CHUNK = 64 * 1024


@pytest.fixture
def chunked(settings, slide_storage):
    settings.SLIDE_UPLOAD_CHUNK_BYTES = CHUNK
    settings.SCOPECAST_INPROCESS_WORKER = False


@pytest.fixture
def tess(client: Client, teacher, chunked) -> Client:
    client.force_login(teacher)
    return client


def create(client: Client, data: Path | bytes, **extra: Any) -> dict[str, Any]:
    raw = data.read_bytes() if isinstance(data, Path) else data
    body = {"filename": "liver.svs", "size": len(raw), **extra}
    response = client.post("/slides/uploads/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    state: dict[str, Any] = response.json()
    return state


def put(client: Client, upload_id: str, raw: bytes, start: int, *, checksum=True, cut=None):
    """PUT the chunk at `start`; `cut` sends only that many of its bytes."""
    chunk = raw[start : start + CHUNK]
    end = start + len(chunk) - 1
    headers: dict[str, Any] = {"HTTP_CONTENT_RANGE": f"bytes {start}-{end}/{len(raw)}"}
    if cut is not None:
        chunk = chunk[:cut]
    if checksum:
        headers["HTTP_X_CHUNK_SHA256"] = hashlib.sha256(chunk).hexdigest()
    return client.put(
        f"/slides/uploads/{upload_id}", chunk, content_type="application/octet-stream", **headers
    )


def send_all(client: Client, upload_id: str, raw: bytes, start: int = 0) -> None:
    offset = start
    while offset < len(raw):
        response = put(client, upload_id, raw, offset)
        assert response.status_code == 200, response.content
        offset = response.json()["offset"]


@pytest.mark.django_db(transaction=True)
def test_a_teacher_uploads_a_slide_in_chunks_and_it_gets_imported(
    tess, slide_templates, slide_storage, course
):
    raw = slide_templates["svs"].read_bytes()
    state = create(
        tess, raw, sha256=hashlib.sha256(raw).hexdigest(), title="Liver", course="PATH101"
    )
    assert (state["offset"], state["chunk_size"], state["status"]) == (0, CHUNK, "receiving")

    send_all(tess, state["id"], raw)
    response = tess.post(f"/slides/uploads/{state['id']}/finalize")

    assert response.status_code == 202
    assert response.json()["status"] == "importing"
    assert Job.objects.get().kind == "import_slide"
    run_pending_jobs()

    upload = Upload.objects.get()
    slide = upload.slide
    assert slide is not None
    assert upload.status == Upload.Status.DONE
    assert slide.status == Slide.Status.READY
    assert slide.title == "Liver"
    assert slide.format == "aperio"
    assert slide.content_hash == hashlib.sha256(raw).hexdigest()
    assert slide.file_path.startswith("uploads/")
    assert (slide_storage / slide.file_path).read_bytes() == raw
    assert list(course.slides.all()) == [slide]
    assert not list((slide_storage / "uploads" / "partial").iterdir())
    done = tess.get(f"/slides/uploads/{state['id']}").json()
    assert done["status"] == "done" and done["slide"]["status"] == "ready"


@pytest.mark.django_db(transaction=True)
def test_it_resumes_after_a_dropped_chunk(tess, slide_templates):
    raw = slide_templates["svs"].read_bytes()
    state = create(tess, raw)
    assert put(tess, state["id"], raw, 0).status_code == 200

    # The connection drops halfway through the second chunk: the server gets
    # fewer bytes than the Content-Range announced and keeps nothing of it.
    cut = put(tess, state["id"], raw, CHUNK, checksum=False, cut=CHUNK // 2)
    assert cut.status_code == 400
    assert cut.json() == {
        "error": f"incomplete chunk: received {CHUNK // 2} of {CHUNK} bytes",
        "offset": CHUNK,
    }

    head = tess.head(f"/slides/uploads/{state['id']}")
    assert head.status_code == 200
    assert head["Upload-Offset"] == str(CHUNK)
    send_all(tess, state["id"], raw, start=int(head["Upload-Offset"]))
    assert tess.post(f"/slides/uploads/{state['id']}/finalize").status_code == 202
    run_pending_jobs()
    assert Slide.objects.get().status == Slide.Status.READY


@pytest.mark.django_db(transaction=True)
def test_a_chunk_sent_twice_is_refused_with_the_current_offset(tess, slide_templates):
    raw = slide_templates["svs"].read_bytes()
    state = create(tess, raw)
    put(tess, state["id"], raw, 0)

    again = put(tess, state["id"], raw, 0)  # the client never saw the first reply

    assert again.status_code == 409
    assert again.json()["offset"] == CHUNK


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_chunk_whose_checksum_does_not_match(tess, slide_templates, slide_storage):
    raw = slide_templates["svs"].read_bytes()
    state = create(tess, raw)
    damaged = bytearray(raw[:CHUNK])
    damaged[100] ^= 0xFF

    response = tess.put(
        f"/slides/uploads/{state['id']}",
        bytes(damaged),
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes 0-{CHUNK - 1}/{len(raw)}",
        HTTP_X_CHUNK_SHA256=hashlib.sha256(raw[:CHUNK]).hexdigest(),
    )

    assert response.status_code == 400
    assert "chunk checksum mismatch" in response.json()["error"]
    assert response.json()["offset"] == 0
    assert Upload.objects.get().received == 0
    assert (slide_storage / Upload.objects.get().temp_path).stat().st_size == 0


@pytest.mark.django_db(transaction=True)
def test_a_whole_file_checksum_mismatch_fails_the_import_and_keeps_nothing(
    tess, slide_templates, slide_storage
):
    raw = slide_templates["svs"].read_bytes()
    state = create(tess, raw, sha256="ab" * 32)
    send_all(tess, state["id"], raw)
    tess.post(f"/slides/uploads/{state['id']}/finalize")

    run_pending_jobs()

    upload = Upload.objects.get()
    assert upload.status == Upload.Status.FAILED
    assert "checksum mismatch" in upload.message
    assert upload.slide is not None
    assert upload.slide.status == Slide.Status.FAILED
    assert "checksum mismatch" in upload.slide.status_message
    assert not (slide_storage / upload.temp_path).exists()
    state = tess.get(f"/slides/uploads/{state['id']}").json()
    assert state["status"] == "failed" and "checksum mismatch" in state["message"]


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_file_that_is_not_a_slide_fails_with_a_clear_message(tess, tmp_path):
    raw = synthetic.write_random_bytes(tmp_path / "x.svs", 3 * CHUNK + 5).read_bytes()
    state = create(tess, raw)
    send_all(tess, state["id"], raw)
    tess.post(f"/slides/uploads/{state['id']}/finalize")

    run_pending_jobs()

    upload = Upload.objects.get()
    assert upload.status == Upload.Status.FAILED
    assert "not a slide" in upload.message
    assert not Slide.objects.filter(status=Slide.Status.READY).exists()


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_jpeg_is_converted(tess, slide_templates):
    raw = slide_templates["jpeg"].read_bytes()
    state = create(tess, raw, filename="gross.jpg")
    send_all(tess, state["id"], raw)
    tess.post(f"/slides/uploads/{state['id']}/finalize")

    run_pending_jobs()

    slide = Upload.objects.get().slide
    assert slide is not None
    assert slide.status == Slide.Status.READY
    assert slide.title == "gross"
    assert slide.properties["scopecast.converted-from"] == "jpeg"


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_finalize_an_incomplete_upload(tess, slide_templates):
    raw = slide_templates["svs"].read_bytes()
    state = create(tess, raw)
    put(tess, state["id"], raw, 0)

    response = tess.post(f"/slides/uploads/{state['id']}/finalize")

    assert response.status_code == 409
    assert response.json()["offset"] == CHUNK
    assert not Slide.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_duplicate_announced_by_its_checksum(tess, place, teacher, slide_templates):
    from slides.importer import do_import_slide

    existing = do_import_slide(place("svs"), owner=teacher, title="Liver H&E")
    raw = slide_templates["svs"].read_bytes()

    response = tess.post(
        "/slides/uploads/",
        json.dumps(
            {"filename": "again.svs", "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
        ),
        content_type="application/json",
    )

    assert response.status_code == 409
    assert f'slide #{existing.pk} "Liver H&E"' in response.json()["error"]


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_found_after_upload_fails_the_import(tess, place, teacher, slide_templates):
    from slides.importer import do_import_slide

    do_import_slide(place("svs"), owner=teacher)
    raw = slide_templates["svs"].read_bytes()
    state = create(tess, raw)  # no checksum announced
    send_all(tess, state["id"], raw)
    tess.post(f"/slides/uploads/{state['id']}/finalize")

    run_pending_jobs()

    assert "duplicate of slide #" in Upload.objects.get().message
    assert Slide.objects.filter(status=Slide.Status.READY).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_teacher_can_cancel_an_upload(tess, slide_templates, slide_storage):
    raw = slide_templates["svs"].read_bytes()
    state = create(tess, raw)
    put(tess, state["id"], raw, 0)

    response = tess.delete(f"/slides/uploads/{state['id']}")

    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert not (slide_storage / Upload.objects.get().temp_path).exists()


@pytest.mark.django_db(transaction=True)
def test_it_lists_unfinished_uploads_to_resume_after_a_reload(tess, slide_templates):
    raw = slide_templates["svs"].read_bytes()
    state = create(tess, raw)

    listing = tess.get("/slides/uploads/").json()

    assert [u["id"] for u in listing["uploads"]] == [state["id"]]


@pytest.mark.django_db(transaction=True)
def test_the_upload_page_renders_for_teachers(tess):
    response = tess.get("/slides/upload/")

    assert response.status_code == 200
    assert b"upload.js" in response.content
