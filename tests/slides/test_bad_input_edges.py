"""Less common bad inputs: odd paths, looping TIFFs, malformed headers and options."""

from __future__ import annotations

import io
import json
import os
import struct

import pytest
from django.core.management import CommandError, call_command

from slides import formats
from slides.importer import ImportRefused, check_import_path, do_import_slide


def test_it_refuses_a_path_with_a_nul_byte(import_dir):
    with pytest.raises(ImportRefused, match="NUL byte"):
        check_import_path(f"{import_dir}/a\x00.svs")


def test_it_refuses_a_symlink_loop(import_dir):
    os.symlink(import_dir / "b", import_dir / "a")
    os.symlink(import_dir / "a", import_dir / "b")

    with pytest.raises(ImportRefused, match=r"cannot be resolved|no such file"):
        check_import_path(import_dir / "a")


@pytest.mark.django_db
def test_it_refuses_something_that_is_not_a_regular_file(import_dir, teacher):
    fifo = import_dir / "pipe.svs"
    os.mkfifo(fifo)

    with pytest.raises(ImportRefused, match="not a regular file"):
        do_import_slide(fifo, owner=teacher)


def test_it_reports_a_tiff_whose_directories_loop(tmp_path):
    path = tmp_path / "loop.tif"
    # Header -> IFD at 8 with zero entries whose "next" points back to 8.
    path.write_bytes(
        b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 0) + struct.pack("<I", 8)
    )

    with pytest.raises(formats.CorruptSlide, match="form a loop"):
        formats.check_tiff_extents(path)


def test_it_reports_a_tiff_directory_beyond_the_end_of_the_file(tmp_path):
    path = tmp_path / "short.tif"
    path.write_bytes(b"II*\x00" + struct.pack("<I", 10_000))

    with pytest.raises(formats.CorruptSlide, match="truncated"):
        formats.check_tiff_extents(path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "message"),
    [(".", "filename must be 1-255 characters"), ("a\\b.svs", "must not contain a path")],
)
def test_it_rejects_unusable_upload_file_names(client, teacher, slide_storage, filename, message):
    client.force_login(teacher)

    response = client.post(
        "/slides/uploads/",
        json.dumps({"filename": filename, "size": 5}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.django_db(transaction=True)
def test_it_rejects_a_malformed_chunk_checksum_header(client, teacher, slide_storage):
    client.force_login(teacher)
    upload_id = client.post(
        "/slides/uploads/",
        json.dumps({"filename": "a.svs", "size": 4}),
        content_type="application/json",
    ).json()["id"]

    response = client.put(
        f"/slides/uploads/{upload_id}",
        b"abcd",
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE="bytes 0-3/4",
        HTTP_X_CHUNK_SHA256="not-hex",
    )

    assert response.status_code == 400
    assert response.json()["error"] == "X-Chunk-SHA256 must be 64 hexadecimal characters"


@pytest.mark.django_db
def test_import_slides_refuses_one_title_for_many_slides(place):
    place("svs", "a.svs")
    place("tiff", "b.tif")

    with pytest.raises(CommandError, match="--title needs exactly one slide"):
        call_command(
            "import_slides", str(place("svs").parent), "--title", "X", stdout=io.StringIO()
        )


@pytest.mark.django_db
def test_make_demo_slides_refuses_a_bad_scale(slide_storage):
    with pytest.raises(CommandError, match="--scale must be in"):
        call_command("make_demo_slides", "--scale", "3", stdout=io.StringIO())
