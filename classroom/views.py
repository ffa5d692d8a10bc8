"""Classroom HTTP endpoints (see docs/protocol.md, "Joining").

``POST /courses/join`` joins a session by join code and display name: a
member of the session's course as themselves (200, no guest is made), anyone
else as a guest (201, with a guest token). The body is strict JSON; attempts are rate-limited per client IP
(Django cache: Redis, shared by every process, when ``REDIS_URL`` is set;
see docs/deploy.md); errors are JSON
``{"error": "..."}`` with 400/403/404/409/429.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from classroom.actions.guests import do_join
from classroom.errors import ActionError

logger = logging.getLogger(__name__)


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


class JoinBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=12)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


def join_rate() -> tuple[int, int]:
    """(attempts, window seconds) allowed per client IP."""
    attempts, window = settings.JOIN_RATE_LIMIT
    return int(attempts), int(window)


def rate_limited_by_ip(
    view: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        attempts, window = join_rate()
        ip = request.META.get("REMOTE_ADDR", "unknown")
        key = f"scopecast:join:{ip}:{int(time.time() // window)}"
        try:
            cache.add(key, 0, timeout=window + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 1, timeout=window + 1)
                count = 1
        except Exception:  # the shared cache (Redis) is down: admit, and say so
            logger.warning("join rate limit unavailable; admitting %s", ip, exc_info=True)
            count = 0
        if count > attempts:
            return json_error("too many join attempts; wait a minute and try again", 429)
        return view(request)

    return wrapper


# Guests have no session cookie yet, so there is nothing for CSRF to protect;
# the endpoint only creates a guest of a session whose code the caller knows
# (a member changes nothing by joining: they get their session's id).
@csrf_exempt
@require_POST
@rate_limited_by_ip
def join(request: HttpRequest) -> HttpResponse:
    try:
        raw: Any = json.loads(request.body or b"null")
        body = JoinBody.model_validate(raw)
    except (ValueError, ValidationError) as e:
        detail = e.errors()[0]["msg"] if isinstance(e, ValidationError) else "body is not JSON"
        return json_error(f"expected {{'code': str, 'name': str}}: {detail}", 400)
    try:
        joined = do_join(body.code, body.name, request.user)
    except ActionError as e:
        return json_error(e.message, e.status)
    guest, token = joined.guest, joined.token
    if guest is None:  # a member of the course: the session's page, as themselves
        return JsonResponse({"session_id": joined.session.pk, "member": True}, status=200)
    return JsonResponse(
        {
            "session_id": guest.session_id,
            "member": False,
            "guest": {"participant": f"g:{guest.pk}", "name": guest.display_name},
            "guest_token": token,
            "ws_url": f"/ws/sessions/{guest.session_id}/?guest={token}",
        },
        status=201,
    )
