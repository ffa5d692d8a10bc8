"""Multi-file slides (MRXS with its data folder, VMS with its images): which files
belong to a slide and how folder walks treat them (slides.formats, slides.importer).

No vendor file is needed: OpenSlide's MIRAX detection only checks for the
``.mrxs`` name and the ``<name>/Slidedat.ini`` next to it, and
``slide_files`` takes the vendor as an argument. These tests never open the
fakes with OpenSlide (they are not readable slides); importing real MRXS/VMS
files is not covered here.
"""

from __future__ import annotations

from pathlib import Path

import openslide

from slides import formats
from slides.importer import discover_slides


def fake_mrxs(folder: Path, name: str = "case-7") -> tuple[Path, Path]:
    """An .mrxs index and its data folder, laid out like 3DHISTECH's."""
    index = folder / f"{name}.mrxs"
    index.write_bytes(b"not a real MIRAX index")
    data = folder / name
    data.mkdir()
    (data / "Slidedat.ini").write_text("[GENERAL]\nSLIDE_VERSION=01.03\n")
    (data / "Index.dat").write_bytes(b"\0" * 16)
    (data / "Data0000.dat").write_bytes(b"\1" * 16)
    (data / "Data0001.dat").write_bytes(b"\2" * 16)
    return index, data


def test_openslide_detects_the_fake_as_mirax_by_name_and_slidedat_alone(tmp_path: Path) -> None:
    index, _ = fake_mrxs(tmp_path)
    assert openslide.OpenSlide.detect_format(str(index)) == "mirax"


def test_mirax_data_dir_is_the_folder_named_after_the_mrxs_file(tmp_path: Path) -> None:
    index, data = fake_mrxs(tmp_path)
    assert formats.mirax_data_dir(index) == data


def test_mirax_data_dir_is_none_for_other_files_and_for_an_mrxs_without_its_folder(
    tmp_path: Path,
) -> None:
    lonely = tmp_path / "lonely.mrxs"
    lonely.write_bytes(b"no data folder next to me")
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    index, data = fake_mrxs(tmp_path)

    assert formats.mirax_data_dir(lonely) is None
    assert formats.mirax_data_dir(other) is None
    assert formats.mirax_data_dir(data) is None  # the folder itself is no .mrxs file
    assert formats.mirax_data_dir(index) == data


def test_an_mrxs_slide_is_its_index_then_every_file_of_its_data_folder_in_order(
    tmp_path: Path,
) -> None:
    index, data = fake_mrxs(tmp_path)
    (data / "sub").mkdir()
    (data / "sub" / "extra.dat").write_bytes(b"x")

    assert formats.slide_files(index, "mirax") == (
        index,
        data / "Data0000.dat",
        data / "Data0001.dat",
        data / "Index.dat",
        data / "Slidedat.ini",
        data / "sub" / "extra.dat",
    )


def test_an_mrxs_slide_without_its_data_folder_is_just_the_index(tmp_path: Path) -> None:
    index = tmp_path / "lonely.mrxs"
    index.write_bytes(b"x")
    assert formats.slide_files(index, "mirax") == (index,)


def test_a_vms_slide_is_its_index_plus_the_existing_files_it_names_once_each(
    tmp_path: Path,
) -> None:
    index = tmp_path / "kidney.vms"
    index.write_text(
        "[Virtual Microscope Specimen]\n"
        "NoLayers=1\n"
        "ImageFile=kidney.jpg\n"
        "ImageFile(1,0)=kidney-1.jpg\n"
        "MapFile=kidney_map.jpg\n"
        "OptimisationFile=kidney.opt\n"
        "MacroImage=kidney_macro.jpg\n"
        "ImageFile(2,0)=missing.jpg\n"
        "ImageFile(0,1)=kidney.jpg\n"
    )
    for name in ("kidney.jpg", "kidney-1.jpg", "kidney_map.jpg", "kidney.opt", "kidney_macro.jpg"):
        (tmp_path / name).write_bytes(b"\xff\xd8")

    assert formats.slide_files(index, "hamamatsu-vms-vmu") == (
        index,
        tmp_path / "kidney.jpg",
        tmp_path / "kidney-1.jpg",
        tmp_path / "kidney_map.jpg",
        tmp_path / "kidney.opt",
    )


def test_a_single_file_vendor_is_just_its_file(tmp_path: Path) -> None:
    vmu = tmp_path / "a.vmu"
    vmu.write_bytes(b"x")
    assert formats.slide_files(vmu, "hamamatsu-vms-vmu") == (vmu,)
    assert formats.slide_files(vmu, "aperio") == (vmu,)


def test_a_folder_walk_yields_the_mrxs_file_and_skips_its_data_folder(tmp_path: Path) -> None:
    index, _ = fake_mrxs(tmp_path)
    nested = tmp_path / "week2"
    nested.mkdir()
    nested_index, _ = fake_mrxs(nested, "case-8")
    (nested / "liver.svs").write_bytes(b"x")
    # A folder that merely looks like a data folder (no .mrxs next to it) is walked.
    orphan = tmp_path / "orphan"
    orphan.mkdir()
    (orphan / "Slidedat.ini").write_text("[GENERAL]\n")
    (tmp_path / ".hidden.svs").write_bytes(b"x")

    assert list(discover_slides(tmp_path)) == [
        index,
        orphan / "Slidedat.ini",
        nested_index,
        nested / "liver.svs",
    ]
