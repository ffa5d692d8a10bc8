"""HTTP endpoints of the resumable slide upload (protocol in docs/slides.md).

Thin views: `upload_api` authenticates (401/403 as JSON) and loads the
caller's own upload (404 otherwise); bodies are validated with strict
pydantic models; `slides.uploads` does the work and raises `UploadError`
carrying the HTTP status. Chunks are at most SLIDE_UPLOAD_CHUNK_BYTES
(8 MiB by default) so each request stays small; the whole-file hash runs in
the import job, never here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from slides import uploads
from slides.models import Upload
from slides.uploads import UploadError

View = Callable[..., HttpResponse]


def json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


class CreateUploadBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    filename: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    size: Annotated[int, Field(gt=0)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")] | None = None
    title: Annotated[str, StringConstraints(max_length=200)] = ""
    visibility: Literal["private", "course", "public"] = "course"
    course: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None


def _validation_message(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return f"{where}: {first['msg']}"


def upload_api(view: View) -> View:
    """JSON 401 for anonymous users, 403 for users who may not upload."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return json_error("authentication required", 401)
        if not uploads.can_upload(request.user):
            return json_error("only teachers and staff can upload slides", 403)
        try:
            return view(request, *args, **kwargs)
        except UploadError as e:
            return json_error(str(e), e.status, **e.extra)

    return wrapper


def _own_upload(request: HttpRequest, upload_id: UUID) -> Upload:
    upload = Upload.objects.filter(pk=upload_id, owner_id=request.user.pk).first()
    if upload is None:
        raise UploadError("no such upload", status=404)
    return upload


@require_http_methods(["GET", "POST"])
@upload_api
def upload_collection(request: HttpRequest) -> HttpResponse:
    """GET: the caller's unfinished uploads. POST: start an upload."""
    if request.method == "GET":
        pending = Upload.objects.filter(owner_id=request.user.pk).exclude(
            status__in=[Upload.Status.DONE, Upload.Status.FAILED]
        )
        return JsonResponse({"uploads": [uploads.upload_state(u) for u in pending]})
    try:
        body = CreateUploadBody.model_validate(json.loads(request.body or b"null"))
    except json.JSONDecodeError:
        return json_error("body must be JSON", 400)
    except ValidationError as e:
        return json_error(_validation_message(e), 400)
    upload = uploads.do_create_upload(
        request.user,  # type: ignore[arg-type]
        filename=body.filename,
        size=body.size,
        sha256=body.sha256,
        title=body.title,
        visibility=body.visibility,
        course_code=body.course,
    )
    state = uploads.upload_state(upload)
    response = JsonResponse(state, status=201)
    response["Location"] = f"/slides/uploads/{upload.pk}"
    return response


@require_http_methods(["GET", "HEAD", "PUT", "DELETE"])
@upload_api
def upload_detail(request: HttpRequest, upload_id: UUID) -> HttpResponse:
    """GET/HEAD: state and offset. PUT: one chunk. DELETE: cancel."""
    upload = _own_upload(request, upload_id)
    if request.method == "PUT":
        chunk_range = uploads.parse_content_range(request.headers.get("Content-Range"))
        declared = int(request.headers.get("Content-Length") or 0)
        if declared > int(settings.SLIDE_UPLOAD_CHUNK_BYTES):
            raise UploadError(
                f"chunks are at most {settings.SLIDE_UPLOAD_CHUNK_BYTES} bytes", status=413
            )
        upload = uploads.do_receive_chunk(
            upload, chunk_range, request.body, request.headers.get("X-Chunk-SHA256")
        )
    elif request.method == "DELETE":
        uploads.do_cancel_upload(upload)
        upload.refresh_from_db()
    response = JsonResponse(uploads.upload_state(upload))
    response["Upload-Offset"] = str(upload.received)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["POST"])
@upload_api
def upload_finalize(request: HttpRequest, upload_id: UUID) -> HttpResponse:
    """All bytes are in: verify and import in a background job (202)."""
    upload = _own_upload(request, upload_id)
    uploads.do_finalize_upload(upload)
    upload.refresh_from_db()
    return JsonResponse(uploads.upload_state(upload), status=202)


@login_required
def upload_page(request: HttpRequest) -> HttpResponse:
    """The upload page (plain JS, resumable); the API answers 403 to non-teachers."""
    return render(
        request,
        "slides/upload.html",
        {
            "can_upload": uploads.can_upload(request.user),
            "chunk_bytes": int(settings.SLIDE_UPLOAD_CHUNK_BYTES),
            "max_bytes": int(settings.SLIDE_UPLOAD_MAX_BYTES),
        },
    )
