"""Tracker results on a followup's page, and a finished transcript indexed and checked."""

from typing import Any

import pytest

from search.models import SegmentEntry
from tests.support.transcripts import transcript_make
from trackers.models import Tracker, TrackerResult
from trackers.services import transcript_trackers_check
from transcripts.models import Transcript
from transcripts.signals import transcript_done

ID = "abc123def456"
S3_URL = "https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc&X-Amz-Expires=3600"


@pytest.fixture
def with_recording(upstream_returns: Any, settings: Any) -> Any:
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]
    return upstream_returns(audio_url=S3_URL, duration_ms=80_000)


def test_results_above_the_transcript(qa_client: Any, with_recording: Any) -> None:
    transcript = transcript_make(ID)
    Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    Tracker.objects.create(name="Recorded", kind="required", phrases=["this call is recorded"])
    transcript_trackers_check(transcript=transcript)
    page = qa_client.get(f"/followups/{ID}/").content.decode()
    trackers_at = page.index('class="panel tracker-results"')
    assert trackers_at < page.index('id="transcript"')
    assert f'href="/followups/{ID}/?t=75#recording" data-transcript-seek>1:15 ▶</a>' in page
    assert (
        'Recorded</span>\n      <span class="muted">(required)</span>\n      \n        not found'
        in page
    )


def test_no_panel_without_listening(client: Any, db: None, with_recording: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from tests.support.accounts import signed_in_client

    user = get_user_model().objects.create_user(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    transcript = transcript_make(ID)
    Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    transcript_trackers_check(transcript=transcript)
    page = signed_in_client(user).get(f"/followups/{ID}/").content.decode()
    assert "tracker-results" not in page


@pytest.mark.django_db
def test_a_finished_transcript_is_indexed_and_checked() -> None:
    Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    transcript = transcript_make(ID)
    transcript_done.send(sender=Transcript, transcript=transcript)
    assert SegmentEntry.objects.filter(transcript=transcript).count() == 5
    assert TrackerResult.objects.get(transcript=transcript).found
