"""The ASGI fast path serves tiles exactly like the Django view, and nothing else."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import pytest
from django.test import AsyncClient

from slides.fastpath import tile_fast_path
from slides.models import Slide
from slides.tokens import issue_tile_token

pytestmark = pytest.mark.django_db(transaction=True)


class Inner:
    """Stands in for Django: records what it was given, answers 299."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def call(
    app: Any,
    path: str,
    query: str = "",
    *,
    method: str = "GET",
    headers: list[tuple[bytes, bytes]] | None = None,
    scheme: str = "http",
) -> tuple[int, dict[str, str], bytes]:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": query.encode(),
        "scheme": scheme,
        "headers": headers if headers is not None else [(b"host", b"testserver")],
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start, body = sent[0], sent[1]
    return (
        start["status"],
        {k.decode(): v.decode() for k, v in start["headers"]},
        body.get("body", b""),
    )


def tile(slide: Slide, col: int = 2, row: int = 2) -> tuple[str, str]:
    token = issue_tile_token(slide.pk, slide.version)
    return f"/slides/{slide.pk}_files/12/{col}_{row}.jpeg", f"v={slide.version}&t={token}"


async def test_it_serves_the_same_tile_and_headers_as_the_django_view(course_slide: Slide) -> None:
    inner = Inner()
    path, query = tile(course_slide)
    status, headers, body = await call(tile_fast_path(inner), path, query)
    django = await AsyncClient().get(f"{path}?{query}")
    assert inner.paths == []
    assert status == 200 and body == django.content
    for name in (
        "Content-Type",
        "ETag",
        "Cache-Control",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert headers[name.lower()] == django[name], name
    assert headers["content-length"] == str(len(body))
    assert headers["x-frame-options"] == "DENY"


async def test_it_answers_304_to_a_matching_if_none_match(course_slide: Slide) -> None:
    app = tile_fast_path(Inner())
    path, query = tile(course_slide)
    _, headers, _ = await call(app, path, query)
    status, again, body = await call(
        app,
        path,
        query,
        headers=[(b"host", b"testserver"), (b"if-none-match", headers["etag"].encode())],
    )
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]
    assert "content-length" not in again and "content-type" not in again


async def test_head_gets_the_headers_without_the_body(course_slide: Slide) -> None:
    path, query = tile(course_slide)
    status, headers, body = await call(tile_fast_path(Inner()), path, query, method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


async def test_it_refuses_a_bad_token_with_a_json_403(course_slide: Slide) -> None:
    path, _ = tile(course_slide)
    status, headers, body = await call(
        tile_fast_path(Inner()), path, f"v={course_slide.version}&t=x.y"
    )
    assert status == 403 and headers["content-type"] == "application/json"
    assert b'"error"' in body


async def test_out_of_range_tiles_get_a_json_404(course_slide: Slide) -> None:
    token = issue_tile_token(course_slide.pk, course_slide.version)
    status, _, body = await call(
        tile_fast_path(Inner()), f"/slides/{course_slide.pk}_files/40/0_0.jpeg", f"v=1&t={token}"
    )
    assert status == 404 and b"error" in body


async def test_a_matching_if_none_match_on_an_out_of_range_tile_of_an_unopened_slide_is_a_404(
    course_slide: Slide,
) -> None:
    path, query = tile(course_slide, col=12)  # level 12 has 12 columns: 0..11
    etag = f'"t:{course_slide.pk}:{course_slide.version}:254:1:80:12:12_2.jpeg"'
    status, headers, body = await call(
        tile_fast_path(Inner()),
        path,
        query,
        headers=[(b"host", b"testserver"), (b"if-none-match", etag.encode())],
    )
    assert status == 404 and headers["content-type"] == "application/json"
    assert b"no such tile" in body


@pytest.mark.parametrize(
    "path",
    [
        "/slides/1/info.json",
        "/slides/1.dzi",
        "/slides/1_files/0/0_0",
        "/slides/1_files/0/0_0.jpeg/",
        "/slides/x_files/0/0_0.jpeg",
        "/admin/",
    ],
)
async def test_anything_else_goes_to_django(path: str) -> None:
    inner = Inner()
    status, _, _ = await call(tile_fast_path(inner), path)
    assert status == 299 and inner.paths == [path]


async def test_other_methods_go_to_django(course_slide: Slide) -> None:
    inner = Inner()
    path, query = tile(course_slide)
    status, _, _ = await call(tile_fast_path(inner), path, query, method="POST")
    assert status == 299


async def test_a_host_outside_allowed_hosts_goes_to_django(course_slide: Slide) -> None:
    inner = Inner()
    path, query = tile(course_slide)
    status, _, _ = await call(
        tile_fast_path(inner), path, query, headers=[(b"host", b"evil.example")]
    )
    assert status == 299
    status, _, _ = await call(tile_fast_path(inner), path, query, headers=[])
    assert status == 299


async def test_plain_http_goes_to_django_when_ssl_redirect_is_on(
    course_slide: Slide, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    inner = Inner()
    path, query = tile(course_slide)
    status, _, _ = await call(tile_fast_path(inner), path, query)
    assert status == 299
    proxied = [(b"host", b"testserver"), (b"x-forwarded-proto", b"https")]
    status, headers, _ = await call(tile_fast_path(inner), path, query, headers=proxied)
    assert status == 200
    assert headers["strict-transport-security"].startswith("max-age=3600")
