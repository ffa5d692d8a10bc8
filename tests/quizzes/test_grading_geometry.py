"""Locate-on-slide grading: point in polygon/rectangle/ellipse, borders,
concave shapes and the micrometre tolerance (see docs/quizzes.md, "Grading")."""

from __future__ import annotations

import math

import pytest

from quizzes.grading import (
    grade_locate,
    point_in_ellipse,
    point_in_polygon,
    point_in_rect,
    region_distance,
)
from quizzes.specs import EllipseRegion, LocateBody, PolygonRegion, RectRegion, SlideRef

SQUARE = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
# A "U": the notch (4..6, 3..10) is outside.
U_SHAPE = [(0, 0), (10, 0), (10, 10), (6, 10), (6, 3), (4, 3), (4, 10), (0, 10)]
U = [(float(x), float(y)) for x, y in U_SHAPE]


@pytest.mark.parametrize(
    "point", [(5.0, 5.0), (0.0, 0.0), (10.0, 10.0), (5.0, 0.0), (10.0, 5.0), (0.0, 7.5)]
)
def test_a_point_inside_or_on_the_border_of_a_polygon_is_a_hit(point: tuple[float, float]):
    assert point_in_polygon(point, SQUARE)


@pytest.mark.parametrize("point", [(-0.001, 5.0), (10.0001, 10.0), (5.0, -1.0), (20.0, 20.0)])
def test_a_point_outside_a_polygon_is_a_miss(point: tuple[float, float]):
    assert not point_in_polygon(point, SQUARE)


def test_a_concave_polygon_excludes_its_notch():
    assert not point_in_polygon((5.0, 6.0), U)
    assert point_in_polygon((2.0, 8.0), U)
    assert point_in_polygon((8.0, 8.0), U)
    assert point_in_polygon((5.0, 1.0), U)


def test_the_inner_edges_of_a_concave_polygon_count_as_border():
    assert point_in_polygon((4.0, 6.0), U)  # on the notch's left wall
    assert point_in_polygon((5.0, 3.0), U)  # on the notch's floor


def test_a_ray_through_a_vertex_is_not_counted_twice():
    diamond = [(5.0, 0.0), (10.0, 5.0), (5.0, 10.0), (0.0, 5.0)]
    assert point_in_polygon((5.0, 5.0), diamond)
    assert not point_in_polygon((-1.0, 5.0), diamond)  # ray passes through (0, 5) and (10, 5)
    assert not point_in_polygon((11.0, 0.0), diamond)


def test_a_triangle_border_on_a_slanted_edge_is_a_hit():
    triangle = [(0.0, 0.0), (30000.0, 0.0), (0.0, 30000.0)]
    assert point_in_polygon((15000.0, 15000.0), triangle)
    assert not point_in_polygon((15000.5, 15000.5), triangle)


def test_a_rectangle_includes_its_border():
    r = RectRegion(kind="rect", x=100, y=200, width=50, height=20)
    assert point_in_rect((100.0, 200.0), r)
    assert point_in_rect((150.0, 220.0), r)
    assert point_in_rect((125.0, 210.0), r)
    assert not point_in_rect((150.01, 210.0), r)
    assert not point_in_rect((125.0, 199.99), r)


def test_an_ellipse_includes_its_border_and_honours_rotation():
    e = EllipseRegion(kind="ellipse", cx=0, cy=0, rx=10, ry=2, rotation=0)
    assert point_in_ellipse((10.0, 0.0), e)
    assert point_in_ellipse((0.0, 2.0), e)
    assert not point_in_ellipse((0.0, 5.0), e)
    turned = EllipseRegion(kind="ellipse", cx=0, cy=0, rx=10, ry=2, rotation=90)
    # Clockwise on screen with y down: the long axis now points down the y axis.
    assert point_in_ellipse((0.0, 9.0), turned)
    assert not point_in_ellipse((9.0, 0.0), turned)
    diagonal = EllipseRegion(kind="ellipse", cx=0, cy=0, rx=10, ry=1, rotation=45)
    assert point_in_ellipse((6.0, 6.0), diagonal)
    assert not point_in_ellipse((6.0, -6.0), diagonal)


def test_the_distance_to_a_region_is_zero_inside_and_euclidean_outside():
    poly = PolygonRegion(kind="polygon", points=[[0, 0], [10, 0], [10, 10], [0, 10]])
    assert region_distance((5.0, 5.0), poly) == 0.0
    assert region_distance((13.0, 14.0), poly) == pytest.approx(5.0)
    e = EllipseRegion(kind="ellipse", cx=0, cy=0, rx=10, ry=10)
    assert region_distance((20.0, 0.0), e) == pytest.approx(10.0, rel=1e-3)


def test_the_distance_in_micrometres_uses_anisotropic_mpp():
    rect = RectRegion(kind="rect", x=0, y=0, width=10, height=10)
    # 10 px right of the edge at 0.25 µm/px = 2.5 µm; 10 px below at 0.5 µm/px = 5 µm.
    assert region_distance((20.0, 5.0), rect, (0.25, 0.5)) == pytest.approx(2.5)
    assert region_distance((5.0, 20.0), rect, (0.25, 0.5)) == pytest.approx(5.0)
    assert region_distance((13.0, 14.0), rect, (1.0, 1.0)) == pytest.approx(5.0)


SLIDE = SlideRef(id=1, width=50_000, height=40_000, mpp_x=0.25, mpp_y=0.5)
NO_MPP = SlideRef(id=2, width=50_000, height=40_000)
TARGET = RectRegion(kind="rect", x=1000, y=1000, width=100, height=100)


def test_a_click_within_the_micrometre_tolerance_is_a_hit():
    body = LocateBody(type="locate", regions=[TARGET], tolerance_um=10.0)
    # 40 px right of the edge = 10 µm at 0.25 µm/px: exactly at the tolerance.
    result = grade_locate((1140.0, 1050.0), body, SLIDE)
    assert result.correct and result.distance_um == pytest.approx(10.0)
    assert not grade_locate((1141.0, 1050.0), body, SLIDE).correct
    # 20 px below = 10 µm at 0.5 µm/px; 21 px is too far.
    assert grade_locate((1050.0, 1120.0), body, SLIDE).correct
    assert not grade_locate((1050.0, 1121.0), body, SLIDE).correct


def test_a_diagonal_miss_is_measured_in_micrometres_not_pixels():
    body = LocateBody(type="locate", regions=[TARGET], tolerance_um=5.0)
    # 12 px right (3 µm) and 8 px below (4 µm) of the corner: 5 µm away.
    result = grade_locate((1112.0, 1108.0), body, SLIDE)
    assert result.distance_um == pytest.approx(5.0)
    assert result.correct
    assert result.distance_px == pytest.approx(math.hypot(12, 8))


def test_without_tolerance_only_the_region_counts():
    body = LocateBody(type="locate", regions=[TARGET])
    assert grade_locate((1100.0, 1100.0), body, SLIDE).correct
    assert not grade_locate((1100.5, 1100.0), body, SLIDE).correct


def test_any_of_several_regions_is_a_hit():
    other = EllipseRegion(kind="ellipse", cx=30000, cy=20000, rx=500, ry=200, rotation=30)
    body = LocateBody(type="locate", regions=[TARGET, other])
    assert grade_locate((30000.0, 20000.0), body, SLIDE).correct
    assert grade_locate((1050.0, 1050.0), body, SLIDE).correct
    assert not grade_locate((20000.0, 20000.0), body, SLIDE).correct


def test_a_slide_without_mpp_uses_a_pixel_tolerance():
    body = LocateBody(type="locate", regions=[TARGET], tolerance_px=30.0)
    result = grade_locate((1130.0, 1050.0), body, NO_MPP)
    assert result.correct and result.distance_um is None
    assert not grade_locate((1131.0, 1050.0), body, NO_MPP).correct


def test_a_micrometre_tolerance_without_mpp_grades_without_tolerance():
    # Refused when saved (see test_specs); if calibration vanishes later,
    # the click is graded strictly rather than guessed.
    body = LocateBody(type="locate", regions=[TARGET], tolerance_um=50.0)
    assert not grade_locate((1101.0, 1050.0), body, NO_MPP).correct
    assert grade_locate((1100.0, 1050.0), body, NO_MPP).correct
