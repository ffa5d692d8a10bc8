"""info.json: session-authenticated viewer metadata, and the flow it opens (see docs/tiles.md)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from slides.models import Slide

pytestmark = pytest.mark.django_db(transaction=True)


def info(client: Client, slide: Slide) -> Any:
    return client.get(f"/slides/{slide.pk}/info.json")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_users_get_401(course_slide: Slide) -> None:
    response = info(Client(), course_slide)
    assert response.status_code == 401
    assert response.json() == {"error": "log in to view slides"}


def test_anonymous_users_get_401_even_for_public_slides(make_slide: Callable[..., Slide]) -> None:
    slide = make_slide(visibility=Slide.Visibility.PUBLIC)
    assert info(Client(), slide).status_code == 401


def test_an_outsider_gets_404_as_if_the_slide_did_not_exist(
    course_slide: Slide, outsider: User
) -> None:
    response = info(logged_in(outsider), course_slide)
    assert response.status_code == 404
    missing = logged_in(outsider).get("/slides/987654/info.json")
    assert missing.status_code == 404
    assert response.json() == missing.json()


@pytest.mark.parametrize("who", ["teacher", "alice", "bob"])
def test_course_members_and_the_owner_get_the_descriptor(
    course_slide: Slide, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    response = info(logged_in(user), course_slide)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    d = response.json()
    assert d["id"] == course_slide.pk
    assert (d["width"], d["height"]) == (3000, 2000)
    assert d["tile_size"] == 254 and d["overlap"] == 1 and d["format"] == "jpeg"
    assert d["version"] == course_slide.version
    assert d["dzi"].startswith(f"/slides/{course_slide.pk}.dzi?v={course_slide.version}&t=")


def test_a_public_slide_is_visible_to_anyone_logged_in(
    make_slide: Callable[..., Slide], outsider: User, teacher: User
) -> None:
    slide = make_slide(visibility=Slide.Visibility.PUBLIC, owner=teacher)
    assert info(logged_in(outsider), slide).status_code == 200


def test_a_private_slide_is_hidden_from_course_members(
    make_slide: Callable[..., Slide], course: Any, alice: User
) -> None:
    slide = make_slide(visibility=Slide.Visibility.PRIVATE)
    course.slides.add(slide)
    assert info(logged_in(alice), slide).status_code == 404


def test_a_slide_that_is_not_ready_gets_409(
    make_slide: Callable[..., Slide], teacher: User
) -> None:
    slide = make_slide(status=Slide.Status.IMPORTING)
    response = info(logged_in(teacher), slide)
    assert response.status_code == 409
    assert "not ready" in response.json()["error"]


def test_the_descriptor_carries_scale_and_associated_images(
    make_slide: Callable[..., Slide], teacher: User
) -> None:
    slide = make_slide("aperio")
    d = info(logged_in(teacher), slide).json()
    assert d["mpp_x"] == pytest.approx(0.25) and d["mpp_y"] == pytest.approx(0.25)
    assert d["objective_power"] == 40
    assert d["vendor"] == "aperio"
    assert d["level_count"] == slide.level_count
    assert d["level_dimensions"][0] == [3000, 2000]
    assert set(d["associated"]) == {"label"}
    assert d["associated"]["label"].startswith(f"/slides/{slide.pk}/associated/label.jpeg?v=")
    assert d["thumbnail"].startswith(f"/slides/{slide.pk}/thumbnail.jpeg?v=")


def test_a_member_follows_the_descriptor_to_the_dzi_and_tiles(
    course_slide: Slide, alice: User
) -> None:
    client = logged_in(alice)
    d = info(client, course_slide).json()
    dzi = client.get(d["dzi"])
    assert dzi.status_code == 200
    assert dzi["Content-Type"].startswith("application/xml")
    image = ET.fromstring(dzi.content)
    assert image.get("TileSize") == "254" and image.get("Overlap") == "1"
    assert image.get("Format") == "jpeg"
    size = image.find("{http://schemas.microsoft.com/deepzoom/2008}Size")
    assert size is not None and (size.get("Width"), size.get("Height")) == ("3000", "2000")
    # OpenSeadragon's DziTileSource appends the .dzi query string to each tile URL.
    query = d["dzi"].split("?", 1)[1]
    tile = Client().get(f"/slides/{course_slide.pk}_files/12/3_2.jpeg?{query}")
    assert tile.status_code == 200
    assert tile.content[:2] == b"\xff\xd8"


def test_it_refuses_other_methods_with_a_json_405(course_slide: Slide, teacher: User) -> None:
    response = logged_in(teacher).post(f"/slides/{course_slide.pk}/info.json")
    assert response.status_code == 405
    assert response.json() == {"error": "method not allowed"}
