"""Synthetic demo slides are read by OpenSlide as vendor files (see docs/slides.md)."""

from __future__ import annotations

from pathlib import Path

import openslide
import pyvips

from slides import synthetic, synthetic_svs


def test_it_writes_an_aperio_svs_with_mpp_magnification_and_associated_images(tmp_path: Path):
    path = synthetic_svs.write_svs(tmp_path / "liver.svs", 1200, 900, mpp=0.5, magnification=20)

    assert openslide.OpenSlide.detect_format(str(path)) == "aperio"
    with openslide.OpenSlide(str(path)) as slide:
        assert slide.dimensions == (1200, 900)
        assert slide.level_count >= 2
        assert float(slide.properties[openslide.PROPERTY_NAME_MPP_X]) == 0.5
        assert float(slide.properties[openslide.PROPERTY_NAME_MPP_Y]) == 0.5
        assert slide.properties[openslide.PROPERTY_NAME_OBJECTIVE_POWER] == "20"
        assert {"thumbnail", "label", "macro"} <= set(slide.associated_images)


def test_it_writes_a_generic_tiled_tiff_pyramid(tmp_path: Path):
    path = synthetic.write_generic_tiff(tmp_path / "kidney.tif", 1000, 700, seed=3)

    assert openslide.OpenSlide.detect_format(str(path)) == "generic-tiff"
    with openslide.OpenSlide(str(path)) as slide:
        assert slide.level_dimensions[0] == (1000, 700)
        assert slide.level_count >= 2


def test_it_paints_pink_tissue_with_purple_nuclei_on_white(tmp_path: Path):
    image = synthetic.tissue_image(2000, 1600, seed=1)
    centre = image.crop(800, 600, 400, 400)
    corner = image.crop(0, 0, 60, 60)

    red, green, blue = (centre[i].avg() for i in range(3))
    assert red > green and blue > green  # pink/purple: green is absorbed
    assert min(corner[i].avg() for i in range(3)) > 225  # background is near white
    assert centre[1].min() < 80  # dark hematoxylin nuclei exist


def test_it_only_leaves_a_finished_file_behind(tmp_path: Path):
    synthetic.write_generic_tiff(tmp_path / "a.tif", 600, 400)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tif"]


def test_it_writes_bad_inputs_that_openslide_refuses(tmp_path: Path):
    good = synthetic_svs.write_svs(tmp_path / "good.svs", 1000, 800)
    truncated = synthetic.write_truncated_copy(good, tmp_path / "cut.svs", keep=0.5)
    noise = synthetic.write_random_bytes(tmp_path / "noise.svs")
    text = synthetic.write_text_file(tmp_path / "notes.svs")
    flat = synthetic.write_flat_image(tmp_path / "photo.jpg", 900, 600)

    assert truncated.stat().st_size < good.stat().st_size
    assert openslide.OpenSlide.detect_format(str(noise)) is None
    assert openslide.OpenSlide.detect_format(str(text)) is None
    assert openslide.OpenSlide.detect_format(str(flat)) is None
    assert pyvips.Image.new_from_file(str(flat)).width == 900
