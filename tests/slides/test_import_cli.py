"""manage.py import_slides: files and folders, progress, summary, exit status."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from slides import synthetic
from slides.models import Slide


def summary_row(out: str, name: str) -> str:
    """The summary-table line for the path ending in `name`."""
    table = out.split("\npath ", 1)[1]
    return next(line for line in table.splitlines() if line.split()[0].endswith(name))


def run(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("import_slides", *args, stdout=out, stderr=io.StringIO())
    except CommandError as e:
        return out.getvalue(), e
    return out.getvalue(), None


@pytest.mark.django_db
def test_it_imports_a_folder_recursively_and_prints_a_summary(place, import_dir, teacher, course):
    place("svs", "liver.svs")
    place("tiff", "kidney.tif", folder=import_dir / "renal")
    place("jpeg", "photo.jpg", folder=import_dir / "renal" / "gross")
    (import_dir / "renal" / "notes.txt").write_text("scanned on monday")

    out, error = run(
        str(import_dir), "--owner", "tess", "--course", "PATH101", "--visibility", "public"
    )

    assert error is None, out
    assert Slide.objects.filter(status=Slide.Status.READY).count() == 3
    assert set(course.slides.values_list("title", flat=True)) == {"liver", "kidney", "photo"}
    assert all(s.owner == teacher and s.visibility == "public" for s in Slide.objects.all())
    lines = out.splitlines()
    assert any(line.startswith("path") and "result" in line for line in lines)
    assert sum(" imported " in line for line in lines) == 3
    assert any("notes.txt" in line and " skipped " in line for line in lines)
    assert "[1/4]" in out  # progress per slide
    assert "3 imported, 1 skipped" in out


@pytest.mark.django_db
def test_it_exits_non_zero_and_lists_each_failure(place, import_dir, teacher):
    good = place("svs", "good.svs")
    cut = synthetic.write_truncated_copy(good, import_dir / "cut.svs", keep=0.9)
    text = synthetic.write_text_file(import_dir / "fake.svs")

    out, error = run(str(good), str(cut), str(text), str(import_dir / ".." / "escape.svs"))

    assert error is not None
    assert "3 of 4 imports failed" in str(error)
    assert " imported " in summary_row(out, "/good.svs")
    assert " failed " in summary_row(out, "/cut.svs")
    assert "truncated" in summary_row(out, "/cut.svs")
    assert " failed " in summary_row(out, "/fake.svs")
    assert "not a slide" in summary_row(out, "/fake.svs")
    escape = summary_row(out, "escape.svs")
    assert " failed " in escape and ("outside" in escape or "no such file" in escape)
    assert Slide.objects.filter(status=Slide.Status.READY).count() == 1


@pytest.mark.django_db
def test_it_reports_duplicates_as_failures_unless_asked_to_skip_them(place, teacher):
    path = place("svs")
    run(str(path))

    out, error = run(str(path))
    assert error is not None and "duplicate of slide #" in out

    out, error = run(str(path), "--skip-duplicates")
    assert error is None
    assert " skipped " in out
    assert Slide.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_an_unknown_owner_or_course_before_importing(place):
    path = place("svs")

    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("import_slides", str(path), "--owner", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no course with code 'NOPE'"):
        call_command("import_slides", str(path), "--course", "NOPE", stdout=io.StringIO())
    assert not Slide.objects.exists()


@pytest.mark.django_db
def test_it_can_queue_conversions_in_the_background(place):
    path = place("jpeg")

    out, error = run(str(path), "--background")

    assert error is None
    assert " queued " in out
    assert Slide.objects.get().status == Slide.Status.IMPORTING
