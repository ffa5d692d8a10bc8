"""A DICOM WSI series is one slide: a folder, detected by content, hashed as a whole."""

from __future__ import annotations

import io
import shutil

import openslide
import pytest
from django.core.management import call_command

from slides import synthetic_dicom
from slides.importer import DuplicateSlide, ImportRefused, do_import_slide, hash_files
from slides.models import Slide


@pytest.fixture(scope="module")
def dicom_template(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("dicom") / "series"
    return synthetic_dicom.write_dicom_folder(folder, 1200, 900, mpp=0.25, seed=21)


def test_the_synthetic_series_is_read_by_openslide_as_dicom(dicom_template):
    first = sorted(dicom_template.iterdir())[0]

    assert openslide.OpenSlide.detect_format(str(first)) == "dicom"
    with openslide.OpenSlide(str(first)) as slide:
        assert slide.level_dimensions[0] == (1200, 900)
        assert slide.level_count == 3


@pytest.mark.django_db
def test_it_imports_a_dicom_folder_as_one_slide(import_dir, dicom_template, teacher):
    folder = shutil.copytree(dicom_template, import_dir / "case-17")

    slide = do_import_slide(folder, owner=teacher)

    assert slide.status == Slide.Status.READY
    assert slide.format == "dicom"
    assert slide.title == "case 17"
    assert slide.source_path == str(folder)
    assert slide.file_path.endswith(".dcm") and slide.file_path.startswith(str(folder))
    assert (slide.width, slide.height, slide.level_count) == (1200, 900, 3)
    assert slide.mpp_x == pytest.approx(0.25)
    files = sorted(folder.iterdir())
    assert slide.file_size == sum(f.stat().st_size for f in files)
    assert slide.content_hash == hash_files(files)[0]


@pytest.mark.django_db
def test_it_refuses_the_same_series_copied_elsewhere(import_dir, dicom_template, teacher):
    do_import_slide(shutil.copytree(dicom_template, import_dir / "a"), owner=teacher)

    with pytest.raises(DuplicateSlide):
        do_import_slide(shutil.copytree(dicom_template, import_dir / "b"), owner=teacher)


@pytest.mark.django_db
def test_it_fails_a_series_with_a_truncated_instance(import_dir, dicom_template, teacher):
    folder = shutil.copytree(dicom_template, import_dir / "broken")
    level0 = folder / "level-0.dcm"
    level0.write_bytes(level0.read_bytes()[: level0.stat().st_size // 2])

    with pytest.raises(ImportRefused):
        do_import_slide(folder, owner=teacher)

    assert not Slide.objects.filter(status=Slide.Status.READY).exists()


@pytest.mark.django_db
def test_the_command_line_counts_a_dicom_folder_as_one_slide(
    import_dir, dicom_template, place, teacher
):
    shutil.copytree(dicom_template, import_dir / "scans" / "dicom-case")
    place("svs", "liver.svs", folder=import_dir / "scans")
    out = io.StringIO()

    call_command("import_slides", str(import_dir / "scans"), stdout=out)

    assert "2 path(s): 2 imported" in out.getvalue()
    assert sorted(Slide.objects.values_list("format", flat=True)) == ["aperio", "dicom"]
