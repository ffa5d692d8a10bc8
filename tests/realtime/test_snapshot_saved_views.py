"""One malformed saved view never breaks a session (see docs/protocol.md, "Snapshot").

Views are validated when saved, but a row written by other means (a data
migration, raw SQL, an older version) is logged and left out of the snapshot
instead of failing every connection.
"""

from __future__ import annotations

import pytest

from classroom.models import AgendaItem
from tests.support.realtime import connect, disconnect, recv, send

pytestmark = pytest.mark.django_db(transaction=True)


async def _store_views(live, first, second) -> None:
    items = [i async for i in AgendaItem.objects.filter(session=live.session).order_by("position")]
    await AgendaItem.objects.filter(pk=items[0].pk).aupdate(view=first)
    await AgendaItem.objects.filter(pk=items[1].pk).aupdate(view=second)


async def test_a_session_with_a_bad_stored_view_still_connects(live, alice, caplog):
    await _store_views(live, {"x": 100, "y": 200, "zoom": 0.5}, {"x": "left", "zoom": 2})
    a, snap = await connect(live.session.pk, user=alice)
    assert snap["type"] == "snapshot"
    # Missing rotation defaults to 0; the unusable view is left out.
    assert snap["agenda"][0]["view"] == {"x": 100.0, "y": 200.0, "zoom": 0.5, "rotation": 0.0}
    assert snap["agenda"][1]["view"] is None
    assert "invalid saved view" in caplog.text
    await disconnect(a)


async def test_opening_an_item_with_a_bad_stored_view_shows_the_whole_slide(live, teacher):
    await _store_views(live, ["not", "a", "view"], None)
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=0)
    event = await recv(t)
    assert event["type"] == "slide_opened"
    assert (event["viewport"]["x"], event["viewport"]["y"]) == (25_000.0, 20_000.0)
    assert event["viewport"]["zoom"] == pytest.approx(1080 / 40_000)
    await disconnect(t)
