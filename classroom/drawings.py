"""A session's drawings as they travel: the wire shape of an annotation row.

The snapshot, ``slide_opened`` and the annotation events all send this shape
(docs/protocol.md); the actions that change drawings are in
classroom/actions/annotations.py.
"""

from __future__ import annotations

from classroom.events import AnnotationShape
from classroom.models import Annotation


def annotation_shape(annotation: Annotation) -> AnnotationShape:
    return AnnotationShape(
        id=annotation.pk,
        slide_id=annotation.slide_id,
        kind=Annotation.Kind(annotation.kind),
        colour=annotation.colour,
        points=[[float(x), float(y)] for x, y in annotation.points],
        text=annotation.text,
        created_by=f"u:{annotation.created_by_id}" if annotation.created_by_id else "",
    )


def slide_drawings(session_id: int, slide_id: int) -> list[AnnotationShape]:
    """Every drawing of the session on that slide, oldest first."""
    rows = Annotation.objects.filter(session_id=session_id, slide_id=slide_id).order_by("pk")
    return [annotation_shape(a) for a in rows]
