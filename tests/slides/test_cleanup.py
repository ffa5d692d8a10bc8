"""Files Scopecast made go with their slide; abandoned uploads are purged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from slides.importer import do_import_slide
from slides.jobs import run_pending_jobs
from slides.models import Slide, Upload
from slides.uploads import do_create_upload, purge_stale_uploads


@pytest.mark.django_db(transaction=True)
def test_deleting_a_converted_slide_deletes_its_conversion_but_not_the_source(place, teacher):
    source = place("jpeg", "gross.jpg")
    slide = do_import_slide(source, owner=teacher)
    run_pending_jobs()
    slide.refresh_from_db()
    converted = slide.storage_path()
    assert converted is not None and converted.is_file()

    slide.delete()

    assert not converted.exists()
    assert not converted.parent.exists()
    assert source.is_file()  # imported in place: never deleted


@pytest.mark.django_db(transaction=True)
def test_deleting_an_in_place_slide_keeps_its_file(place, teacher):
    path = place("svs")
    slide = do_import_slide(path, owner=teacher)

    slide.delete()

    assert path.is_file()
    assert not Slide.objects.exists()


@pytest.mark.django_db
def test_abandoned_uploads_are_purged_with_their_partial_files(teacher, slide_storage):
    stale = do_create_upload(teacher, filename="old.svs", size=100)
    fresh = do_create_upload(teacher, filename="new.svs", size=100)
    Upload.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=8))

    assert purge_stale_uploads() == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Upload.Status.FAILED
    assert stale.message.startswith("abandoned")
    assert not (slide_storage / stale.temp_path).exists()
    assert fresh.status == Upload.Status.RECEIVING
    assert (slide_storage / fresh.temp_path).exists()


@pytest.mark.django_db
def test_the_job_runners_housekeeping_purges_abandoned_uploads(teacher, slide_storage, settings):
    settings.SCOPECAST_INPROCESS_WORKER = False
    stale = do_create_upload(teacher, filename="old.svs", size=100)
    Upload.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=8))

    run_pending_jobs()

    stale.refresh_from_db()
    assert stale.status == Upload.Status.FAILED
