"""manage.py make_demo_slides: cached generation and idempotent import."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from slides.demo import DEMO_SLIDES, demo_path, demo_slide
from slides.models import Slide

SCALE = "0.05"  # 1000 x 750, 800 x 600 and 2500 x 2000 px


def test_the_demo_set_has_an_svs_with_mpp_and_power_a_generic_tiff_and_a_50k_by_40k_slide():
    svs = [s for s in DEMO_SLIDES if s.kind == "svs"]
    assert any(s.mpp > 0 and s.magnification > 0 for s in svs)
    assert any(s.kind == "generic-tiff" for s in DEMO_SLIDES)
    large = [s for s in DEMO_SLIDES if s.width >= 50_000 and s.height >= 40_000]
    assert large and all(s.large for s in large)  # --skip-large leaves it out
    assert large[0].size(1.0) == (large[0].width, large[0].height)


def make(*args: str) -> str:
    out = io.StringIO()
    call_command("make_demo_slides", "--scale", SCALE, *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_generates_and_imports_the_demo_slides(slide_storage, settings):
    settings.SCOPECAST_INPROCESS_WORKER = False
    User.objects.create_user("demo-teacher")

    out = make()

    assert Slide.objects.filter(status=Slide.Status.READY).count() == len(DEMO_SLIDES) == 3
    liver = demo_slide("liver")
    kidney = demo_slide("kidney")
    large = demo_slide("lymph-node-large")
    assert liver is not None and kidney is not None and large is not None
    assert (liver.format, liver.mpp_x, liver.objective_power) == ("aperio", 0.25, 40)
    assert {"label", "macro", "thumbnail"} <= set(liver.associated_images)
    assert (kidney.format, kidney.mpp_x) == ("generic-tiff", 0.5)
    assert (large.width, large.height) == (2500, 2000)
    assert all(s.visibility == Slide.Visibility.PUBLIC for s in Slide.objects.all())
    assert all(s.owner and s.owner.username == "demo-teacher" for s in Slide.objects.all())
    assert liver.file_path == "demo/liver-he.svs"
    assert "Liver H&E: imported as slide" in out
    assert "demo slides done in" in out


@pytest.mark.django_db
def test_running_it_again_uses_the_cache_and_duplicates_nothing(slide_storage):
    make()
    before = {s.pk: (s.version, s.content_hash) for s in Slide.objects.all()}

    out = make()

    assert out.count(": cached ") == 3
    assert out.count(": unchanged as slide") == 3
    assert {s.pk: (s.version, s.content_hash) for s in Slide.objects.all()} == before


@pytest.mark.django_db
def test_it_regenerates_a_damaged_file_and_refreshes_the_slide(slide_storage):
    make("--skip-large")
    liver = demo_slide("liver")
    assert liver is not None
    path = demo_path(DEMO_SLIDES[0])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    out = make("--skip-large")

    assert "Liver H&E: writing" in out
    assert "Kidney H&E: cached" in out
    refreshed = demo_slide("liver")
    assert refreshed is not None and refreshed.pk == liver.pk
    assert refreshed.status == Slide.Status.READY
    assert Slide.objects.count() == 2


@pytest.mark.django_db
def test_it_can_leave_out_the_large_slide_and_skip_importing(slide_storage):
    out = make("--skip-large", "--no-import")

    assert "Lymph node" not in out
    assert not Slide.objects.exists()
    assert demo_path(DEMO_SLIDES[0]).is_file()


@pytest.mark.django_db
def test_an_unmigrated_database_gets_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.management.base import CommandError
    from django.db import OperationalError
    from django.db.models import QuerySet

    def no_table(self: QuerySet[User]) -> None:
        raise OperationalError("no such table: auth_user")

    monkeypatch.setattr(QuerySet, "first", no_table)
    with pytest.raises(CommandError, match=r"run `manage\.py migrate` first"):
        call_command("make_demo_slides", "--scale", SCALE, stdout=io.StringIO())
