"""Imports extract format, levels, MPP, objective power and associated images."""

from __future__ import annotations

import pytest

from slides.importer import do_import_slide


@pytest.mark.django_db
def test_it_extracts_aperio_metadata(place, teacher):
    slide = do_import_slide(place("svs"), owner=teacher)

    assert slide.format == "aperio"
    assert (slide.width, slide.height) == (1600, 1200)
    assert slide.level_count == len(slide.level_dimensions) >= 3
    assert slide.level_dimensions[0] == [1600, 1200]
    assert slide.mpp_x == pytest.approx(0.25)
    assert slide.mpp_y == pytest.approx(0.25)
    assert slide.objective_power == 40
    assert slide.associated_images == ["label", "macro", "thumbnail"]
    assert slide.properties["openslide.vendor"] == "aperio"
    assert slide.properties["aperio.AppMag"] == "40"
    assert not any("level[" in key for key in slide.properties)


@pytest.mark.django_db
def test_it_reads_mpp_from_a_generic_tiff_resolution_but_has_no_objective(place, teacher):
    slide = do_import_slide(place("tiff"), owner=teacher)

    assert slide.mpp_x == pytest.approx(0.5)
    assert slide.objective_power is None
    assert slide.associated_images == []


@pytest.mark.django_db
def test_it_ignores_a_dpi_default_that_is_no_microscope_resolution(import_dir, teacher):
    from slides import synthetic

    path = synthetic.write_generic_tiff(import_dir / "dpi.tif", 900, 700, mpp=25400 / 72)

    slide = do_import_slide(path, owner=teacher)

    assert slide.mpp_x is None and slide.mpp_y is None
