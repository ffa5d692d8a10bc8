"""Tile tokens: bad, missing, expired or foreign tokens get 403 (see docs/tiles.md)."""

from __future__ import annotations

import json
import time

import pytest
from django.test import AsyncClient

from slides.models import Slide
from slides.tokens import TokenError, check_tile_token, issue_tile_token, token_expires_at

pytestmark = pytest.mark.django_db(transaction=True)

ENDPOINTS = [
    "/slides/{id}_files/12/0_0.jpeg",
    "/slides/{id}.dzi",
    "/slides/{id}/thumbnail.jpeg",
    "/slides/{id}/associated/label.jpeg",
]


def test_a_token_grants_its_slide_and_version_only(settings) -> None:
    token = issue_tile_token(7, 3)
    check_tile_token(7, 3, token)
    with pytest.raises(TokenError):
        check_tile_token(8, 3, token)
    with pytest.raises(TokenError):
        check_tile_token(7, 4, token)


def test_a_token_expires_after_the_ttl(settings) -> None:
    settings.TILE_TOKEN_TTL = 3600
    now = 1_800_000_000.0
    token = issue_tile_token(7, 3, now=now)
    expiry = token_expires_at(token)
    assert now + 3600 <= expiry <= now + 3600 + 3600 // 8
    check_tile_token(7, 3, token, now=expiry - 1)
    with pytest.raises(TokenError, match="expired"):
        check_tile_token(7, 3, token, now=expiry)


def test_tokens_issued_close_together_are_identical(settings) -> None:
    settings.TILE_TOKEN_TTL = 3600
    assert issue_tile_token(7, 3, now=1_800_000_100) == issue_tile_token(7, 3, now=1_800_000_110)


def test_a_token_signed_with_another_secret_is_refused(settings) -> None:
    token = issue_tile_token(7, 3)
    settings.SECRET_KEY = "another-secret-" + "y" * 50
    with pytest.raises(TokenError):
        check_tile_token(7, 3, token)


def test_a_token_signed_with_a_fallback_secret_is_accepted_while_rotating(settings) -> None:
    old = settings.SECRET_KEY
    token = issue_tile_token(7, 3)
    settings.SECRET_KEY = "the-new-secret-" + "z" * 50
    settings.SECRET_KEY_FALLBACKS = [old]
    check_tile_token(7, 3, token)


@pytest.mark.parametrize("bad", ["", "nodot", "a.b.c", "zz.AAAA", "!!.AAAA", "x" * 65])
def test_it_rejects_malformed_tokens(bad: str) -> None:
    with pytest.raises(TokenError):
        check_tile_token(7, 3, bad)


def _forged(slide: Slide) -> str:
    expiry, sig = issue_tile_token(slide.pk, slide.version).split(".")
    return f"{expiry}.{'A' * len(sig)}"


def _expired(slide: Slide) -> str:
    return issue_tile_token(slide.pk, slide.version, now=time.time() - 30 * 24 * 3600)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("kind", ["missing", "forged", "expired", "other-slide"])
async def test_image_endpoints_refuse_bad_tokens_with_403(
    course_slide: Slide, endpoint: str, kind: str
) -> None:
    tokens = {
        "missing": None,
        "forged": _forged(course_slide),
        "expired": _expired(course_slide),
        "other-slide": issue_tile_token(course_slide.pk + 1, course_slide.version),
    }
    params = {"v": str(course_slide.version)}
    token = tokens[kind]
    if token is not None:
        params["t"] = token
    response = await AsyncClient().get(endpoint.format(id=course_slide.pk), params)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"]
