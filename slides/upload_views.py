"""HTTP endpoints of the resumable slide upload (protocol in docs/slides.md).

Thin views: `upload_api` authenticates (401/403 as JSON) and only the
caller's own upload is found (404 otherwise); bodies are validated with
strict pydantic models; `slides.uploads` does the work and raises
`UploadError` carrying the HTTP status. Chunks are at most
SLIDE_UPLOAD_CHUNK_BYTES (8 MiB by default) and are received on a bounded
thread pool (the chunk view is async); the whole-file hash runs in the
import job, never here.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal
from uuid import UUID

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from slides import uploads
from slides.models import Upload
from slides.uploads import UploadError

View = Callable[..., Any]  # a sync or an async Django view


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
    """JSON 401 for anonymous users, 403 for users who may not upload; maps
    UploadError to its status. Works on sync and async views."""
    if asyncio.iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = await request.auser()
            if not user.is_authenticated:
                return json_error("authentication required", 401)
            if not await sync_to_async(uploads.can_upload)(user):
                return json_error("only teachers and staff can upload slides", 403)
            try:
                response = await view(request, *args, **kwargs)
            except UploadError as e:
                return json_error(str(e), e.status, **e.extra)
            assert isinstance(response, HttpResponse)
            return response

        return async_wrapper

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return json_error("authentication required", 401)
        if not uploads.can_upload(request.user):
            return json_error("only teachers and staff can upload slides", 403)
        try:
            response = view(request, *args, **kwargs)
        except UploadError as e:
            return json_error(str(e), e.status, **e.extra)
        assert isinstance(response, HttpResponse)
        return response

    return wrapper


def _own_upload(user_id: Any, upload_id: UUID) -> Upload:
    upload = Upload.objects.filter(pk=upload_id, owner_id=user_id).first()
    if upload is None:
        raise UploadError("no such upload", status=404)
    return upload


def _cancel(user_id: Any, upload_id: UUID) -> Upload:
    upload = _own_upload(user_id, upload_id)
    uploads.do_cancel_upload(upload)
    upload.refresh_from_db()
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
async def upload_detail(request: HttpRequest, upload_id: UUID) -> HttpResponse:
    """GET/HEAD: state and offset. PUT: one chunk. DELETE: cancel.

    Async so that a chunk (read, hashed, written, fsynced) is received on the
    bounded upload pool instead of Django's single sync thread.
    """
    user = await request.auser()
    if request.method == "PUT":
        chunk_range = uploads.parse_content_range(request.headers.get("Content-Range"))
        declared = int(request.headers.get("Content-Length") or 0)
        if declared > int(settings.SLIDE_UPLOAD_CHUNK_BYTES):
            raise UploadError(
                f"chunks are at most {settings.SLIDE_UPLOAD_CHUNK_BYTES} bytes", status=413
            )
        upload = await uploads.areceive_chunk(
            upload_id,
            user.pk,
            chunk_range,
            lambda: request.body,
            request.headers.get("X-Chunk-SHA256"),
        )
    elif request.method == "DELETE":
        upload = await sync_to_async(_cancel)(user.pk, upload_id)
    else:
        upload = await sync_to_async(_own_upload)(user.pk, upload_id)
    response = JsonResponse(await sync_to_async(uploads.upload_state)(upload))
    response["Upload-Offset"] = str(upload.received)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["POST"])
@upload_api
def upload_finalize(request: HttpRequest, upload_id: UUID) -> HttpResponse:
    """All bytes are in: verify and import in a background job (202)."""
    upload = _own_upload(request.user.pk, upload_id)
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
