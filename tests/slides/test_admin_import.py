"""The Django admin imports slides by server path or uploaded file, as a job."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from slides.jobs import run_pending_jobs
from slides.models import Job, Slide, Upload


@pytest.fixture
def admin_client_(client, teacher, import_dir):
    teacher.is_staff = True
    teacher.is_superuser = True
    teacher.save()
    client.force_login(teacher)
    return client


@pytest.mark.django_db
def test_the_slide_list_links_to_the_import_form(admin_client_):
    response = admin_client_.get("/admin/slides/slide/")

    assert response.status_code == 200
    assert b"/admin/slides/slide/import/" in response.content
    assert admin_client_.get("/admin/slides/slide/import/").status_code == 200


@pytest.mark.django_db
def test_it_imports_a_server_path_in_the_background(admin_client_, place, course):
    path = place("svs", "tonsil.svs")

    response = admin_client_.post(
        "/admin/slides/slide/import/",
        {"path": str(path), "title": "Tonsil", "visibility": "public", "courses": [course.pk]},
    )

    assert response.status_code == 302
    slide = Slide.objects.get()
    assert (slide.status, slide.title) == (Slide.Status.IMPORTING, "Tonsil")
    assert Job.objects.get().kind == "import_slide"
    run_pending_jobs()
    slide.refresh_from_db()
    assert slide.status == Slide.Status.READY
    assert slide.format == "aperio"
    assert list(course.slides.all()) == [slide]


@pytest.mark.django_db
def test_it_imports_an_uploaded_file(admin_client_, slide_templates, slide_storage):
    upload = SimpleUploadedFile("kidney.tif", slide_templates["tiff"].read_bytes())

    response = admin_client_.post(
        "/admin/slides/slide/import/", {"file": upload, "visibility": "course"}
    )

    assert response.status_code == 302
    run_pending_jobs()
    slide = Slide.objects.get()
    assert slide.status == Slide.Status.READY
    assert slide.title == "kidney"
    assert slide.file_path.startswith("uploads/")
    assert Upload.objects.get().status == Upload.Status.DONE


@pytest.mark.django_db
def test_it_refuses_a_path_outside_the_import_roots(admin_client_, slide_templates):
    response = admin_client_.post(
        "/admin/slides/slide/import/",
        {"path": str(slide_templates["svs"]), "visibility": "course"},
    )

    assert response.status_code == 200
    assert b"outside the slide import roots" in response.content
    assert not Slide.objects.exists()


@pytest.mark.django_db
def test_it_needs_exactly_one_of_path_and_file(admin_client_):
    response = admin_client_.post("/admin/slides/slide/import/", {"visibility": "course"})

    assert b"Give either a server path or a file" in response.content


@pytest.mark.django_db
def test_a_bad_file_imported_through_the_admin_ends_failed_with_its_reason(admin_client_, place):
    path = place("svs", "x.svs")
    path.write_bytes(b"not really a slide" * 100)

    admin_client_.post("/admin/slides/slide/import/", {"path": str(path), "visibility": "course"})
    run_pending_jobs()

    slide = Slide.objects.get()
    assert slide.status == Slide.Status.FAILED
    assert "not a slide" in slide.status_message
    assert b"failed" in admin_client_.get("/admin/slides/slide/").content.lower()


@pytest.mark.django_db
def test_admins_can_retry_failed_jobs_and_imports(admin_client_, place):
    path = place("svs", "later.svs")
    good = path.read_bytes()
    path.write_bytes(b"garbage" * 10)
    admin_client_.post("/admin/slides/slide/import/", {"path": str(path), "visibility": "course"})
    run_pending_jobs()
    slide = Slide.objects.get()
    path.write_bytes(good)  # the file was fixed on the share

    admin_client_.post(
        "/admin/slides/slide/",
        {"action": "retry_import", "_selected_action": [slide.pk]},
    )
    run_pending_jobs()

    slide.refresh_from_db()
    assert slide.status == Slide.Status.READY
    job = Job.objects.filter(status=Job.Status.FAILED).first()
    assert job is not None
    admin_client_.post("/admin/slides/job/", {"action": "retry_jobs", "_selected_action": [job.pk]})
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


@pytest.mark.django_db
def test_it_sends_big_files_to_the_resumable_upload_page(admin_client_, monkeypatch):
    from slides import admin as slides_admin

    monkeypatch.setattr(slides_admin, "ADMIN_UPLOAD_MAX_BYTES", 10)
    upload = SimpleUploadedFile("big.svs", b"x" * 11)

    response = admin_client_.post(
        "/admin/slides/slide/import/", {"file": upload, "visibility": "course"}
    )

    assert b"go through the resumable upload page" in response.content
    assert not Slide.objects.exists()
