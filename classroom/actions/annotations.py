"""The teacher's drawings on a slide during a live session."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.db import transaction

from classroom.actions.sessions import check_session_open
from classroom.drawings import annotation_shape
from classroom.errors import ActionError
from classroom.events import (
    AnnotationCreatedEvent,
    AnnotationDeletedEvent,
    AnnotationUpdatedEvent,
)
from classroom.models import Annotation, LiveSession
from realtime import broadcast
from slides.models import Slide


def check_annotation(
    slide: Slide, kind: str, points: Sequence[Sequence[float]], text: str
) -> list[list[float]]:
    """The points of a drawing of ``kind`` on ``slide``, checked (every point inside it)."""
    counts = Annotation.POINT_COUNTS.get(kind)
    if counts is None:
        raise ActionError("invalid", f"unknown annotation kind {kind!r}")
    low, high = counts
    if not low <= len(points) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise ActionError("invalid", f"a {kind} takes {expected} points, got {len(points)}")
    clean: list[list[float]] = []
    for point in points:
        if len(point) != 2 or not all(math.isfinite(v) for v in point):
            raise ActionError("invalid", "points are [x, y] pairs of finite numbers")
        x, y = float(point[0]), float(point[1])
        if slide.width and not (0 <= x <= slide.width and 0 <= y <= slide.height):
            raise ActionError("out_of_range", f"point ({x}, {y}) lies outside the slide")
        clean.append([x, y])
    if kind == Annotation.Kind.TEXT and not text.strip():
        raise ActionError("invalid", "a text label needs text")
    return clean


def do_create_annotation(
    session: LiveSession,
    slide: Slide,
    *,
    kind: str,
    colour: str,
    points: Sequence[Sequence[float]],
    text: str = "",
    user_id: int | None = None,
    actor: str = "",
) -> Annotation:
    check_session_open(session)
    clean = check_annotation(slide, kind, points, text)
    with transaction.atomic():
        annotation = Annotation.objects.create(
            session=session,
            slide=slide,
            kind=kind,
            colour=colour,
            points=clean,
            text=text,
            created_by_id=user_id,
        )
        broadcast.send_event_on_commit(
            session.pk,
            AnnotationCreatedEvent(
                type="annotation_created", annotation=annotation_shape(annotation)
            ),
            actor=actor,
        )
    return annotation


def check_annotation_of(session: LiveSession, annotation_id: int) -> Annotation:
    annotation = (
        Annotation.objects.select_related("slide").filter(pk=annotation_id, session=session).first()
    )
    if annotation is None:
        raise ActionError("not_found", f"annotation {annotation_id} does not exist in this session")
    return annotation


def do_update_annotation(
    session: LiveSession,
    annotation_id: int,
    *,
    colour: str | None = None,
    points: Sequence[Sequence[float]] | None = None,
    text: str | None = None,
    actor: str = "",
) -> Annotation:
    check_session_open(session)
    with transaction.atomic():
        annotation = check_annotation_of(session, annotation_id)
        new_text = annotation.text if text is None else text
        new_points = annotation.points if points is None else points
        annotation.points = check_annotation(
            annotation.slide, annotation.kind, new_points, new_text
        )
        annotation.text = new_text
        if colour is not None:
            annotation.colour = colour
        annotation.save()
        broadcast.send_event_on_commit(
            session.pk,
            AnnotationUpdatedEvent(
                type="annotation_updated", annotation=annotation_shape(annotation)
            ),
            actor=actor,
        )
    return annotation


def do_delete_annotation(session: LiveSession, annotation_id: int, *, actor: str = "") -> None:
    check_session_open(session)
    with transaction.atomic():
        annotation = check_annotation_of(session, annotation_id)
        slide_id = annotation.slide_id
        annotation.delete()
        broadcast.send_event_on_commit(
            session.pk,
            AnnotationDeletedEvent(type="annotation_deleted", id=annotation_id, slide_id=slide_id),
            actor=actor,
        )
