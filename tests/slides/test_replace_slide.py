"""do_replace_slide_file swaps a slide's pixels and bumps its version."""

from __future__ import annotations

import pytest

from slides import synthetic
from slides.importer import ImportRefused, do_import_slide, do_replace_slide_file
from slides.models import Slide


@pytest.mark.django_db
def test_it_points_the_slide_at_new_pixels_and_bumps_the_version(place, teacher):
    slide = do_import_slide(place("svs", "v1.svs"), owner=teacher, title="Liver")
    old_hash = slide.content_hash

    replaced = do_replace_slide_file(slide, place("svs2", "v2.svs"))

    replaced.refresh_from_db()
    assert replaced.version == 2
    assert replaced.content_hash != old_hash
    assert (replaced.width, replaced.height) == (1400, 1000)
    assert replaced.mpp_x == pytest.approx(0.5)
    assert replaced.file_path.endswith("v2.svs")
    assert replaced.status == Slide.Status.READY
    assert replaced.title == "Liver"


@pytest.mark.django_db
def test_it_keeps_the_old_pixels_when_the_new_file_is_bad(place, import_dir, teacher):
    slide = do_import_slide(place("svs", "v1.svs"), owner=teacher)
    good = place("svs2", "v2.svs")
    bad = synthetic.write_truncated_copy(good, import_dir / "bad.svs", keep=0.5)

    with pytest.raises(ImportRefused, match=r"truncated|corrupt"):
        do_replace_slide_file(slide, bad)

    slide.refresh_from_db()
    assert (slide.version, slide.status) == (1, Slide.Status.READY)
    assert slide.file_path.endswith("v1.svs")


@pytest.mark.django_db
def test_it_refuses_content_that_another_slide_already_has(place, teacher):
    first = do_import_slide(place("svs", "a.svs"), owner=teacher)
    second = do_import_slide(place("svs2", "b.svs"), owner=teacher)

    with pytest.raises(ImportRefused, match=f"duplicate of slide #{first.pk}"):
        do_replace_slide_file(second, place("svs", "copy-of-a.svs"))


@pytest.mark.django_db(transaction=True)
def test_this_process_serves_the_new_version_at_once(place, teacher):
    from slides.tiles.handles import _records, _records_checked, _refresh

    slide = do_import_slide(place("svs", "v1.svs"), owner=teacher, title="Liver")
    record = _refresh(slide.pk)
    assert record is not None and record.version == 1

    do_replace_slide_file(slide, place("svs2", "v2.svs"))

    # The stale record (version 1) is gone, so the next tile request looks up version 2.
    assert slide.pk not in _records and slide.pk not in _records_checked
