"""do_import_slide imports OpenSlide slides in place (see docs/slides.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slides.importer import do_import_slide
from slides.models import Slide


@pytest.mark.django_db
def test_it_imports_an_svs_in_place_as_ready(place, teacher):
    path = place("svs", "liver.svs")

    slide = do_import_slide(path, owner=teacher, title="Liver H&E")

    slide.refresh_from_db()
    assert slide.status == Slide.Status.READY
    assert slide.status_message == ""
    assert slide.progress == 1.0
    assert Path(slide.file_path) == path.resolve()  # referenced, not copied
    assert slide.storage_path() == path.resolve()
    assert slide.reader == "openslide"
    assert slide.owner == teacher
    assert slide.title == "Liver H&E"
    assert slide.file_size == path.stat().st_size
    assert len(slide.content_hash) == 64


@pytest.mark.django_db
def test_it_imports_a_generic_tiff_and_titles_it_from_the_file_name(place, teacher):
    path = place("tiff", "kidney_cortex.tif")

    slide = do_import_slide(path, owner=teacher)

    assert slide.status == Slide.Status.READY
    assert slide.format == "generic-tiff"
    assert slide.title == "kidney cortex"


@pytest.mark.django_db
def test_it_stores_paths_inside_the_storage_root_relative_to_it(slide_storage, place, teacher):
    path = place("svs", "a.svs", folder=slide_storage / "library")

    slide = do_import_slide(path, owner=teacher)

    assert slide.file_path == "library/a.svs"
    assert slide.storage_path() == path


@pytest.mark.django_db
def test_it_adds_the_slide_to_courses_and_reports_progress(place, teacher, course):
    seen: list[float] = []

    slide = do_import_slide(
        place("svs"), owner=teacher, course_codes=[course.code], progress=seen.append
    )

    assert list(course.slides.all()) == [slide]
    assert seen and seen[-1] == 1.0
    assert seen == sorted(seen)
