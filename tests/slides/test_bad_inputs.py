"""Every bad input gets a clear error and nothing half-imported is served."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from slides import synthetic
from slides.importer import DuplicateSlide, ImportRefused, do_import_slide
from slides.models import Slide


@pytest.mark.django_db
def test_it_refuses_a_text_file_as_not_a_slide(import_dir, teacher):
    path = synthetic.write_text_file(import_dir / "notes.svs")

    with pytest.raises(ImportRefused, match="is not a slide or image"):
        do_import_slide(path, owner=teacher)

    assert not Slide.objects.exists()


@pytest.mark.django_db
def test_it_refuses_random_bytes_named_like_a_slide(import_dir, teacher):
    path = synthetic.write_random_bytes(import_dir / "scan.svs")

    with pytest.raises(ImportRefused, match=r"scan\.svs is not a slide"):
        do_import_slide(path, owner=teacher)

    assert not Slide.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_empty_file(import_dir, teacher):
    path = import_dir / "empty.ndpi"
    path.touch()

    with pytest.raises(ImportRefused, match="empty"):
        do_import_slide(path, owner=teacher)


@pytest.mark.django_db
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_it_fails_a_truncated_slide_at_import_and_never_serves_it(place, import_dir, teacher, keep):
    whole = place("svs", "whole.svs")
    cut = synthetic.write_truncated_copy(whole, import_dir / "cut.svs", keep=keep)
    whole.unlink()

    with pytest.raises(ImportRefused, match=r"truncated|corrupt|not a slide|cannot"):
        do_import_slide(cut, owner=teacher)

    assert not Slide.objects.filter(status=Slide.Status.READY).exists()
    for slide in Slide.objects.all():
        assert slide.status == Slide.Status.FAILED
        assert slide.status_message


@pytest.mark.django_db
def test_it_reuses_the_failed_record_when_the_same_corrupt_file_is_imported_again(
    place, import_dir, teacher
):
    cut = synthetic.write_truncated_copy(place("svs", "w.svs"), import_dir / "cut.svs", keep=0.95)

    for _ in range(2):
        with pytest.raises(ImportRefused):
            do_import_slide(cut, owner=teacher)

    assert Slide.objects.count() <= 1


@pytest.mark.django_db
def test_it_refuses_an_image_format_it_does_not_support(import_dir, teacher):
    path = import_dir / "animation.tif"  # the extension lies; the content is GIF
    Image.new("RGB", (64, 48), (200, 120, 180)).save(path, format="GIF")

    with pytest.raises(ImportRefused, match=r"unsupported format \(gif"):
        do_import_slide(path, owner=teacher)

    assert not Slide.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_path_that_escapes_the_import_root_with_dot_dot(
    import_dir, slide_templates, teacher
):
    outside = import_dir.parent / "elsewhere"
    outside.mkdir()
    synthetic.write_generic_tiff(outside / "secret.tif", 600, 400)
    sneaky = import_dir / ".." / "elsewhere" / "secret.tif"

    with pytest.raises(ImportRefused, match="outside the slide import roots"):
        do_import_slide(sneaky, owner=teacher)

    assert not Slide.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_symlink_that_points_outside_the_import_roots(
    import_dir, slide_templates, teacher
):
    link = import_dir / "innocent.svs"
    os.symlink(slide_templates["svs"], link)  # the template lives outside every root

    with pytest.raises(ImportRefused, match="outside the slide import roots"):
        do_import_slide(link, owner=teacher)

    assert not Slide.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_path_that_does_not_exist(import_dir, teacher):
    with pytest.raises(ImportRefused, match="no such file"):
        do_import_slide(import_dir / "missing.svs", owner=teacher)


@pytest.mark.django_db
def test_it_refuses_a_duplicate_and_names_the_existing_slide(place, teacher, bob):
    first = do_import_slide(place("svs", "a.svs"), owner=teacher, title="Liver H&E")

    with pytest.raises(DuplicateSlide) as caught:
        do_import_slide(place("svs", "copy-of-a.svs"), owner=bob)

    assert f'slide #{first.pk} "Liver H&E"' in str(caught.value)
    assert Slide.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_folder_that_holds_no_dicom_series(import_dir, teacher):
    folder = import_dir / "misc"
    folder.mkdir()
    (folder / "readme.txt").write_text("hello")

    with pytest.raises(ImportRefused, match="folder without a DICOM"):
        do_import_slide(folder, owner=teacher)


def test_symlinks_inside_the_root_are_followed(import_dir: Path, settings) -> None:
    from slides.importer import check_import_path

    settings.SLIDE_IMPORT_ROOTS = [import_dir]
    real = import_dir / "real.txt"
    real.write_text("x")
    link = import_dir / "link.txt"
    os.symlink(real, link)

    assert check_import_path(link) == real.resolve()
