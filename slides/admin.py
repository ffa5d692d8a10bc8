"""Django admin for slides, jobs and uploads (see docs/slides.md, "Admin").

"Import slide" (a button on the slide list) takes a server path inside the
import roots or an uploaded file and runs the same import service as the
command line and the browser upload, as a background job.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from classroom.models import Course
from slides.courses import course_directory
from slides.importer import ImportRefused, check_import_path, do_queue_import, stored_path
from slides.jobs import enqueue_job
from slides.models import Job, Slide, Upload
from slides.uploads import clean_filename, do_finalize_upload

# The admin form is one multipart POST handled on Django's sync thread: keep
# it for small files; big ones use the resumable upload or a server path.
ADMIN_UPLOAD_MAX_BYTES = 512 * 2**20


class ImportSlideForm(forms.Form):
    path = forms.CharField(
        required=False,
        max_length=1024,
        help_text="A file, .mrxs file or DICOM folder on the server, inside SLIDE_IMPORT_ROOTS.",
    )
    file = forms.FileField(required=False, help_text="Or upload a file (small files only).")
    title = forms.CharField(required=False, max_length=200)
    visibility = forms.ChoiceField(
        choices=Slide.Visibility.choices, initial=Slide.Visibility.COURSE
    )
    courses = forms.ModelMultipleChoiceField(queryset=Course.objects.all(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("path")) == bool(data.get("file")):
            raise forms.ValidationError("Give either a server path or a file, not both.")
        file = data.get("file")
        if file is not None and (file.size or 0) > ADMIN_UPLOAD_MAX_BYTES:
            self.add_error(
                "file",
                f"Files over {ADMIN_UPLOAD_MAX_BYTES // 2**20} MiB go through the resumable "
                "upload page (/slides/upload/) or a server path.",
            )
        if data.get("path"):
            try:
                data["resolved"] = check_import_path(data["path"])
            except ImportRefused as e:
                self.add_error("path", str(e))
        return data


def _save_admin_upload(request: HttpRequest, file: UploadedFile[Any]) -> Upload:
    """Store an admin-uploaded file as a complete Upload, then finalize it."""
    name = clean_filename(Path(file.name or "upload").name)
    partial_dir = Path(settings.SLIDE_STORAGE_ROOT) / "uploads" / "partial"
    partial_dir.mkdir(parents=True, exist_ok=True)
    upload_id = uuid.uuid4()
    partial = partial_dir / f"{upload_id}.part"
    temporary = getattr(file, "temporary_file_path", None)
    if callable(temporary):
        shutil.move(temporary(), partial)
    else:
        with partial.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
    size = partial.stat().st_size
    assert request.user.pk is not None  # admin views require a logged-in user
    return Upload.objects.create(
        id=upload_id,
        owner_id=request.user.pk,
        filename=name,
        size=size,
        received=size,
        temp_path=stored_path(partial),
    )


@admin.register(Slide)
class SlideAdmin(admin.ModelAdmin[Slide]):
    change_list_template = "admin/slides/slide/change_list.html"
    list_display = [
        "title",
        "format",
        "status",
        "progress_percent",
        "width",
        "height",
        "mpp_x",
        "visibility",
        "owner",
        "created_at",
    ]
    list_filter = ["status", "format", "visibility", "organ", "stain"]
    search_fields = ["title", "description", "organ", "stain", "source_path", "content_hash"]
    readonly_fields = [
        "status",
        "status_message",
        "progress",
        "file_path",
        "source_path",
        "format",
        "reader",
        "width",
        "height",
        "level_count",
        "level_dimensions",
        "mpp_x",
        "mpp_y",
        "objective_power",
        "associated_images",
        "properties",
        "file_size",
        "content_hash",
        "version",
        "created_at",
        "updated_at",
    ]
    actions = ["retry_import"]

    @admin.display(description="progress")
    def progress_percent(self, slide: Slide) -> str:
        return f"{slide.progress * 100:.0f} %"

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="slides_slide_import",
            )
        ]
        return custom + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = ImportSlideForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("file"):
                    upload = _save_admin_upload(request, data["file"])
                    upload.title = data["title"]
                    upload.visibility = data["visibility"]
                    upload.save()
                    slide = do_finalize_upload(upload)
                    course_directory().add_slide(slide, [c.code for c in data["courses"]])
                else:
                    slide = do_queue_import(
                        data["resolved"],
                        owner=request.user,  # type: ignore[arg-type]
                        title=data["title"] or None,
                        visibility=data["visibility"],
                        course_codes=[c.code for c in data["courses"]],
                    )
            except ImportRefused as e:
                form.add_error(None, str(e))
            else:
                self.message_user(
                    request,
                    f'Importing slide #{slide.pk} "{slide.title}" in the background; '
                    "its status updates on this list.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:slides_slide_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import slide",
            "form": form,
            "opts": self.model._meta,
            "roots": [str(p) for p in (settings.SLIDE_STORAGE_ROOT, *settings.SLIDE_IMPORT_ROOTS)],
        }
        return TemplateResponse(request, "admin/slides/slide/import.html", context)

    @admin.action(description="Import failed slides again")
    def retry_import(self, request: HttpRequest, queryset: QuerySet[Slide]) -> None:
        count = 0
        for slide in queryset.filter(status=Slide.Status.FAILED).exclude(source_path=""):
            Slide.objects.filter(pk=slide.pk).update(
                status=Slide.Status.IMPORTING, status_message="", progress=0.0
            )
            enqueue_job(
                "import_slide", {"slide_id": slide.pk, "path": slide.source_path}, slide_id=slide.pk
            )
            count += 1
        self.message_user(request, f"Queued {count} import(s).", messages.SUCCESS)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    list_display = [
        "id",
        "kind",
        "status",
        "progress",
        "attempts",
        "slide",
        "created_at",
        "finished_at",
        "message",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["kind", "message"]
    readonly_fields = [
        "kind",
        "payload",
        "status",
        "progress",
        "message",
        "attempts",
        "worker",
        "heartbeat_at",
        "slide",
        "created_at",
        "started_at",
        "finished_at",
    ]
    actions = ["retry_jobs"]

    @admin.action(description="Retry selected failed jobs")
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        count = queryset.filter(status=Job.Status.FAILED).update(
            status=Job.Status.QUEUED, attempts=0, run_after=timezone.now(), message=""
        )
        self.message_user(
            request,
            f"Re-queued {count} job(s); a worker (or the in-process pool) runs them.",
            messages.SUCCESS,
        )


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin[Upload]):
    list_display = ["filename", "owner", "status", "received", "size", "slide", "created_at"]
    list_filter = ["status"]
    search_fields = ["filename", "sha256"]
    readonly_fields = [field.name for field in Upload._meta.fields]
