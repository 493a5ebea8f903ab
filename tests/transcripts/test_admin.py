"""The transcripts' admin page: how many wait for a worker and since when; and the purge."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from transcripts.models import Transcript

pytestmark = pytest.mark.django_db
Status = Transcript.Status


def test_the_admin_says_how_many_wait_and_since_when(admin_client):
    now = timezone.now()
    for followup_id, status in [
        ("a1", Status.QUEUED),
        ("b1", Status.QUEUED),
        ("c1", Status.RUNNING),
    ]:
        Transcript.objects.create(
            followup_id=followup_id,
            status=status,
            segments=[{"start": 0, "end": 1, "speaker": None, "text": "IBAN 7612345", "words": []}],
        )
    Transcript.objects.filter(followup_id="a1").update(updated_at=now - timedelta(minutes=7))

    page = admin_client.get("/admin/transcripts/transcript/").content.decode()

    assert "2 transcripts waiting for a worker; the oldest since 7\xa0minutes." in page
    assert "1 being made now." in page
    # The admin shows jobs, not what was said.
    assert (
        "IBAN"
        not in admin_client.get(
            f"/admin/transcripts/transcript/{Transcript.objects.get(followup_id='a1').pk}/change/"
        ).content.decode()
    )


def test_the_admin_says_when_nothing_waits(admin_client):
    page = admin_client.get("/admin/transcripts/transcript/").content.decode()

    assert "No transcript is waiting for a worker." in page


def test_transcripts_purge_deletes_old_transcripts(settings, capsys):
    settings.DASHBOARD_TRANSCRIPT_RETENTION_DAYS = 10
    Transcript.objects.create(followup_id="old1")
    Transcript.objects.create(followup_id="new1")
    Transcript.objects.filter(followup_id="old1").update(
        created_at=timezone.now() - timedelta(days=11)
    )

    call_command("transcripts_purge")

    assert "Deleted 1 transcripts made more than 10 days ago." in capsys.readouterr().out
    assert list(Transcript.objects.values_list("followup_id", flat=True)) == ["new1"]
