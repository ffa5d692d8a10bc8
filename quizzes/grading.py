"""Grading: pure functions, no database (see docs/quizzes.md, "Grading rules").

Geometry works in level-0 slide pixels with y pointing down. A point on a
region's border is a hit. Tolerances are measured as the shortest distance
from the click to the region, in micrometres through the slide's MPP
(``mpp_x`` and ``mpp_y`` may differ) or in pixels.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from quizzes.specs import (
    Answer,
    BoolAnswer,
    ChoiceAnswer,
    EllipseRegion,
    LocateBody,
    MultipleAnswer,
    MultipleBody,
    NumericAnswer,
    NumericBody,
    OpenBody,
    PointAnswer,
    PolygonRegion,
    QuestionSpec,
    RectRegion,
    SingleBody,
    SlideRef,
    SpecError,
    TextAnswer,
    TextBody,
    TrueFalseBody,
)

# Relative slack for float comparisons (borders, numeric tolerance).
EPSILON = 1e-9
# Vertices used to measure the distance to an ellipse (containment is exact).
ELLIPSE_SEGMENTS = 256
# Speed scoring: an instant correct answer earns all points, one at the
# deadline earns SPEED_FLOOR of them.
SPEED_FLOOR = 0.5

Vec = tuple[float, float]


@dataclass(frozen=True)
class Grade:
    """``correct`` is None for ungraded (open) questions."""

    correct: bool | None
    # Locate questions: distance from the click to the nearest region
    # (0 inside), in micrometres when the slide has MPP, else None.
    distance_um: float | None = None
    distance_px: float | None = None


# --- Geometry ---------------------------------------------------------------


def _on_segment(p: Vec, a: Vec, b: Vec, eps: float) -> bool:
    return _segment_distance(p, a, b) <= eps


def _segment_distance(p: Vec, a: Vec, b: Vec) -> float:
    ax, ay = a
    bx, by = b
    px, py = p
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0.0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _scale_eps(points: Sequence[Vec]) -> float:
    span = max(max(abs(x), abs(y)) for x, y in points)
    return EPSILON * max(1.0, span)


def point_in_polygon(p: Vec, polygon: Sequence[Vec]) -> bool:
    """Even-odd rule; concave polygons work; the border counts as inside."""
    n = len(polygon)
    eps = _scale_eps(polygon)
    for i in range(n):
        if _on_segment(p, polygon[i], polygon[(i + 1) % n], eps):
            return True
    px, py = p
    inside = False
    for i in range(n):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % n]
        # Half-open rule on y avoids counting a vertex twice.
        if (y1 > py) != (y2 > py):
            x_cross = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
            if px < x_cross:
                inside = not inside
    return inside


def rect_polygon(r: RectRegion) -> list[Vec]:
    return [
        (r.x, r.y),
        (r.x + r.width, r.y),
        (r.x + r.width, r.y + r.height),
        (r.x, r.y + r.height),
    ]


def point_in_rect(p: Vec, r: RectRegion) -> bool:
    eps = _scale_eps(rect_polygon(r))
    return r.x - eps <= p[0] <= r.x + r.width + eps and r.y - eps <= p[1] <= r.y + r.height + eps


def _ellipse_local(p: Vec, e: EllipseRegion) -> Vec:
    """The point in the ellipse's own axes (rotation is clockwise on screen)."""
    theta = math.radians(e.rotation)
    dx, dy = p[0] - e.cx, p[1] - e.cy
    c, s = math.cos(theta), math.sin(theta)
    return (dx * c + dy * s, -dx * s + dy * c)


def point_in_ellipse(p: Vec, e: EllipseRegion) -> bool:
    u, v = _ellipse_local(p, e)
    return (u / e.rx) ** 2 + (v / e.ry) ** 2 <= 1.0 + 4 * EPSILON


def ellipse_polygon(e: EllipseRegion, segments: int = ELLIPSE_SEGMENTS) -> list[Vec]:
    theta = math.radians(e.rotation)
    c, s = math.cos(theta), math.sin(theta)
    out = []
    for i in range(segments):
        t = 2 * math.pi * i / segments
        u, v = e.rx * math.cos(t), e.ry * math.sin(t)
        out.append((e.cx + u * c - v * s, e.cy + u * s + v * c))
    return out


def region_contains(p: Vec, region: PolygonRegion | RectRegion | EllipseRegion) -> bool:
    if isinstance(region, PolygonRegion):
        return point_in_polygon(p, [(pt[0], pt[1]) for pt in region.points])
    if isinstance(region, RectRegion):
        return point_in_rect(p, region)
    return point_in_ellipse(p, region)


def region_distance(
    p: Vec,
    region: PolygonRegion | RectRegion | EllipseRegion,
    scale: Vec = (1.0, 1.0),
) -> float:
    """Shortest distance from ``p`` to the region after scaling both axes.

    With ``scale=(mpp_x, mpp_y)`` the result is in micrometres: scaling is
    affine, so the region keeps its shape class and containment is unchanged.
    Ellipses are measured against a fine inscribed polygon (error below
    ``r * 8e-5``); containment itself is exact.
    """
    if region_contains(p, region):
        return 0.0
    if isinstance(region, PolygonRegion):
        outline = [(pt[0], pt[1]) for pt in region.points]
    elif isinstance(region, RectRegion):
        outline = rect_polygon(region)
    else:
        outline = ellipse_polygon(region)
    sx, sy = scale
    scaled = [(x * sx, y * sy) for x, y in outline]
    q = (p[0] * sx, p[1] * sy)
    n = len(scaled)
    return min(_segment_distance(q, scaled[i], scaled[(i + 1) % n]) for i in range(n))


# --- Per type ------------------------------------------------------------------


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """Unicode NFKC, trimmed, inner whitespace collapsed, casefolded unless case-sensitive."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split())
    return folded if case_sensitive else folded.casefold()


def grade_numeric(value: float, body: NumericBody) -> bool:
    slack = EPSILON * max(1.0, abs(body.answer))
    return abs(value - body.answer) <= body.tolerance + slack


def grade_text(text: str, body: TextBody) -> bool:
    given = normalise_text(text, case_sensitive=body.case_sensitive)
    return any(
        given == normalise_text(a, case_sensitive=body.case_sensitive) for a in body.accepted
    )


def grade_locate(p: Vec, body: LocateBody, slide: SlideRef) -> Grade:
    hit = any(region_contains(p, r) for r in body.regions)
    distance_px = 0.0 if hit else min(region_distance(p, r) for r in body.regions)
    distance_um: float | None = None
    if slide.mpp_x is not None and slide.mpp_y is not None:
        scale = (slide.mpp_x, slide.mpp_y)
        distance_um = 0.0 if hit else min(region_distance(p, r, scale) for r in body.regions)
    # A micrometre tolerance on a slide without MPP is refused when the
    # question is saved; should the calibration vanish later, the click is
    # graded without tolerance rather than guessed.
    if not hit and body.tolerance_um and distance_um is not None:
        hit = distance_um <= body.tolerance_um * (1 + EPSILON)
    elif not hit and body.tolerance_px:
        hit = distance_px <= body.tolerance_px * (1 + EPSILON)
    return Grade(correct=hit, distance_um=distance_um, distance_px=distance_px)


def grade(spec: QuestionSpec, answer: Answer) -> Grade:
    """Grade a parsed answer (see ``quizzes.specs.parse_answer``)."""
    body = spec.body
    if isinstance(body, SingleBody) and isinstance(answer, ChoiceAnswer):
        return Grade(correct=answer.choice in body.correct_ids())
    if isinstance(body, MultipleBody) and isinstance(answer, MultipleAnswer):
        return Grade(correct=set(answer.choices) == set(body.correct_ids()))
    if isinstance(body, TrueFalseBody) and isinstance(answer, BoolAnswer):
        return Grade(correct=answer.value == body.answer)
    if isinstance(body, NumericBody) and isinstance(answer, NumericAnswer):
        return Grade(correct=grade_numeric(answer.value, body))
    if isinstance(body, TextBody) and isinstance(answer, TextAnswer):
        return Grade(correct=grade_text(answer.text, body))
    if isinstance(body, OpenBody) and isinstance(answer, TextAnswer):
        return Grade(correct=None)
    if isinstance(body, LocateBody) and isinstance(answer, PointAnswer):
        assert spec.slide is not None
        return grade_locate((answer.x, answer.y), body, spec.slide)
    raise SpecError(f"a {type(answer).__name__} does not answer a {spec.type} question")


def score(
    spec: QuestionSpec, result: Grade, *, elapsed_s: float | None, speed_scoring: bool
) -> float:
    """Points earned: all or nothing, optionally weighted by speed (1.0 → SPEED_FLOOR)."""
    if not result.correct:
        return 0.0
    points = float(spec.points)
    if not speed_scoring or elapsed_s is None:
        return points
    fraction = max(0.0, min(1.0, elapsed_s / spec.time_limit))
    return round(points * (1.0 - (1.0 - SPEED_FLOOR) * fraction), 3)
