"""Non-pyramidal images are converted to a tiled pyramid by a job, with progress."""

from __future__ import annotations

import numpy as np
import openslide
import pytest
import pyvips
import tifffile

from slides import formats, synthetic
from slides.conversion import convert_to_pyramid
from slides.importer import do_import_slide
from slides.jobs import run_pending_jobs
from slides.models import Job, Slide


@pytest.mark.django_db
def test_it_converts_a_large_jpeg_in_a_background_job(place, slide_storage, teacher):
    slide = do_import_slide(place("jpeg", "biopsy.jpg"), owner=teacher)

    assert slide.status == Slide.Status.IMPORTING
    job = Job.objects.get(slide=slide)
    assert (job.kind, job.status) == ("convert_slide", Job.Status.QUEUED)

    assert run_pending_jobs() == 1

    job.refresh_from_db()
    slide.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.DONE, 1.0)
    assert slide.status == Slide.Status.READY
    assert slide.progress == 1.0
    assert slide.reader == "pyvips"
    assert slide.properties["scopecast.converted-from"] == "jpeg"
    assert slide.file_path.startswith("converted/")
    stored = slide_storage / slide.file_path
    assert openslide.OpenSlide.detect_format(str(stored)) == "generic-tiff"
    assert (slide.width, slide.height) == (1800, 1300)
    assert slide.level_count > 1


def test_it_reports_conversion_progress(slide_templates, tmp_path):
    seen: list[float] = []

    convert_to_pyramid(slide_templates["jpeg"], tmp_path / "out.tif", progress=seen.append)

    assert seen, "no progress was reported"
    assert max(seen) >= 0.9
    assert all(0.0 <= value <= 1.0 for value in seen)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tif"]


@pytest.mark.django_db
def test_it_can_convert_inline_for_the_command_line(place, teacher):
    seen: list[float] = []

    slide = do_import_slide(place("jpeg"), owner=teacher, convert="inline", progress=seen.append)

    assert slide.status == Slide.Status.READY
    assert seen[-1] == 1.0
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_it_converts_a_png_with_alpha_and_an_ome_tiff(import_dir, teacher):
    rgba = synthetic.tissue_image(900, 700, seed=5).bandjoin(255)
    rgba.write_to_file(str(import_dir / "alpha.png"))
    pixels = np.zeros((600, 800, 3), dtype=np.uint8) + 200
    tifffile.imwrite(import_dir / "scan.ome.tif", pixels, ome=True, photometric="rgb")

    png = do_import_slide(import_dir / "alpha.png", owner=teacher)
    ome = do_import_slide(import_dir / "scan.ome.tif", owner=teacher)
    run_pending_jobs()

    png.refresh_from_db()
    ome.refresh_from_db()
    assert png.status == ome.status == Slide.Status.READY
    assert png.properties["scopecast.converted-from"] == "png"
    assert ome.properties["scopecast.converted-from"] == "ome-tiff"
    assert (ome.width, ome.height) == (800, 600)


@pytest.mark.django_db
def test_it_converts_a_big_single_level_tiled_tiff(import_dir, teacher, monkeypatch):
    monkeypatch.setattr(formats, "MAX_FLAT_SIDE", 1000)
    flat = synthetic.tissue_image(1500, 900, seed=6)
    flat.tiffsave(str(import_dir / "flat.tif"), tile=True, pyramid=False, compression="jpeg")

    slide = do_import_slide(import_dir / "flat.tif", owner=teacher)
    run_pending_jobs()

    slide.refresh_from_db()
    assert slide.status == Slide.Status.READY
    assert slide.reader == "pyvips"
    assert slide.level_count > 1


@pytest.mark.django_db
def test_it_fails_the_slide_when_the_image_is_truncated(place, import_dir, teacher):
    whole = place("jpeg", "whole.jpg")
    cut = synthetic.write_truncated_copy(whole, import_dir / "cut.jpg", keep=0.5)
    whole.unlink()

    slide = do_import_slide(cut, owner=teacher)
    run_pending_jobs()

    slide.refresh_from_db()
    job = Job.objects.get(slide=slide)
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1  # bad input is not retried
    assert slide.status == Slide.Status.FAILED
    assert "conversion failed" in slide.status_message
    assert "premature end" in slide.status_message.lower()


def test_the_converted_pyramid_keeps_a_plausible_resolution(tmp_path):
    source = tmp_path / "res.tif"
    image = synthetic.tissue_image(700, 500).copy(xres=2000.0, yres=2000.0)  # 0.5 um/px
    image.tiffsave(str(source), tile=False)

    mpp = convert_to_pyramid(source, tmp_path / "out.tif")

    assert mpp == pytest.approx(0.5)
    with openslide.OpenSlide(str(tmp_path / "out.tif")) as slide:
        assert float(slide.properties[openslide.PROPERTY_NAME_MPP_X]) == pytest.approx(0.5)
    assert pyvips.Image.new_from_file(str(tmp_path / "out.tif")).width == 700
