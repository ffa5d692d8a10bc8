"""Annotations are validated, committed, then broadcast (see docs/protocol.md)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from classroom.models import Annotation
from tests.support.realtime import (
    capture_send_event_calls,
    connect,
    disconnect,
    recv,
    send,
    silent,
)

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = {
    "point": [[10, 10]],
    "text": [[10, 10]],
    "arrow": [[1, 1], [100, 100]],
    "line": [[1, 1], [100, 100]],
    "rectangle": [[1, 1], [100, 100]],
    "ellipse": [[1, 1], [100, 100]],
    "polygon": [[1, 1], [100, 1], [50, 80]],
    "freehand": [[1, 1], [2, 3], [4, 9]],
}


@pytest.mark.parametrize("kind", sorted(GOOD))
async def test_every_kind_is_created_and_broadcast(live, teacher, alice, kind):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    annotation = {"kind": kind, "colour": "#00ff00", "points": GOOD[kind]}
    if kind == "text":
        annotation["text"] = "Portal triad"
    await send(t, type="annotation_create", slide_id=live.slide.pk, annotation=annotation)
    event = await recv(a)
    assert event["type"] == "annotation_created" and event["seq"] == 1
    shape = event["annotation"]
    assert (shape["kind"], shape["colour"], shape["slide_id"]) == (kind, "#00ff00", live.slide.pk)
    assert shape["points"] == [[float(x), float(y)] for x, y in GOOD[kind]]
    assert await Annotation.objects.filter(pk=shape["id"], kind=kind).aexists()
    await disconnect(t, a)


async def test_the_annotation_is_committed_before_it_is_broadcast(live, teacher):
    seen_in_db = []

    t, _ = await connect(live.session.pk, user=teacher)
    with capture_send_event_calls() as captured:
        from realtime import broadcast

        def check(session_id, event, audience, seq):
            # Runs inside publish, on the loop: look from another thread (and
            # so another database connection) whether the row is committed.
            def exists():
                found = Annotation.objects.filter(pk=event["annotation"]["id"]).exists()
                connection.close()
                return found

            with ThreadPoolExecutor(1) as pool:
                seen_in_db.append(pool.submit(exists).result())

        broadcast._captures.append(check)
        try:
            await send(
                t,
                type="annotation_create",
                slide_id=live.slide.pk,
                annotation={"kind": "point", "points": [[5, 5]]},
            )
            await recv(t)
        finally:
            broadcast._captures.remove(check)
    assert seen_in_db == [True]
    assert len(captured.of("annotation_created")) == 1
    await disconnect(t)


@pytest.mark.parametrize(
    ("annotation", "code"),
    [
        ({"kind": "line", "points": [[1, 1]]}, "invalid"),
        ({"kind": "polygon", "points": [[1, 1], [2, 2]]}, "invalid"),
        ({"kind": "point", "points": [[1, 1], [2, 2]]}, "invalid"),
        ({"kind": "text", "points": [[1, 1]], "text": "  "}, "invalid"),
        ({"kind": "point", "points": [[60_000, 1]]}, "out_of_range"),
        ({"kind": "point", "points": [[-1, 1]]}, "out_of_range"),
    ],
)
async def test_it_rejects_bad_geometry_and_stores_nothing(live, teacher, alice, annotation, code):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="annotation_create", slide_id=live.slide.pk, annotation=annotation)
    assert (await recv(t))["code"] == code
    assert await silent(a)
    assert not await Annotation.objects.aexists()
    await disconnect(t, a)


async def test_update_and_delete_reach_students_and_the_snapshot(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=0)
    await recv(t)
    await send(
        t,
        type="annotation_create",
        slide_id=live.slide.pk,
        annotation={"kind": "rectangle", "points": [[1, 1], [9, 9]]},
    )
    created = (await recv(t))["annotation"]
    a, snap = await connect(live.session.pk, user=alice)
    assert [x["id"] for x in snap["annotations"]] == [created["id"]]
    await send(
        t, type="annotation_update", id=created["id"], colour="#123456", points=[[2, 2], [8, 8]]
    )
    updated = await recv(a)
    assert updated["type"] == "annotation_updated"
    assert updated["annotation"]["colour"] == "#123456"
    assert updated["annotation"]["points"] == [[2.0, 2.0], [8.0, 8.0]]
    await send(t, type="annotation_update", id=created["id"], points=[[2, 2]])
    assert (await recv_error(t))["code"] == "invalid"
    await send(t, type="annotation_delete", id=created["id"])
    deleted = await recv(a)
    assert deleted == {
        "seq": deleted["seq"],
        "type": "annotation_deleted",
        "id": created["id"],
        "slide_id": live.slide.pk,
    }
    assert not await Annotation.objects.aexists()
    await send(t, type="annotation_delete", id=created["id"])
    assert (await recv_error(t))["code"] == "not_found"
    await disconnect(t, a)


async def recv_error(comm: Any) -> dict[str, Any]:
    while True:
        frame = await recv(comm)
        if frame["type"] == "error":
            return frame


async def test_it_refuses_to_touch_another_sessions_annotation(live, teacher, course):
    from classroom.models import LiveSession

    other = await LiveSession.objects.acreate(course=course, title="Other", state="live")
    foreign = await Annotation.objects.acreate(
        session=other, slide=live.slide, kind="point", points=[[1, 1]]
    )
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="annotation_delete", id=foreign.pk)
    assert (await recv(t))["code"] == "not_found"
    assert await Annotation.objects.filter(pk=foreign.pk).aexists()
    await disconnect(t)
