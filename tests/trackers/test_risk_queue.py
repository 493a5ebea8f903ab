from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.transcripts import transcript_make
from trackers.models import Tracker
from trackers.services import transcript_trackers_check
from transcripts.models import Transcript

pytestmark = pytest.mark.django_db

CALM = [{"start": 1.0, "end": 2.0, "speaker": 0, "text": "This call is recorded.", "words": []}]
THREAT = [
    {"start": 1.0, "end": 2.0, "speaker": 0, "text": "This call is recorded.", "words": []},
    {"start": 20.0, "end": 22.0, "speaker": 0, "text": "We will seize your car.", "words": []},
]


@pytest.fixture
def calls() -> None:
    Tracker.objects.create(name="Recorded", kind="required", phrases=["this call is recorded"])
    Tracker.objects.create(name="Threats", kind="forbidden", phrases=["we will seize"])
    Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    for followup_id, day, segments in [
        ("fu-calm", 9, CALM),
        ("fu-threat", 1, THREAT),
        ("fu-unannounced", 5, None),
    ]:
        fields: dict[str, Any] = {"called_at": datetime(2026, 3, day, tzinfo=UTC)}
        if segments is not None:
            fields["segments"] = segments
        transcript_trackers_check(transcript=transcript_make(followup_id, **fields))
    Transcript.objects.create(followup_id="fu-waiting", has_recording=True)
    # Without a recording, a call is never transcribed: it is not waiting for it.
    Transcript.objects.create(followup_id="fu-no-audio", status=Transcript.Status.KNOWN)


def _order(page: str) -> list[str]:
    ids = ["fu-calm", "fu-threat", "fu-unannounced"]
    return sorted((i for i in ids if f">{i}</a>" in page), key=page.index)


def test_flagged_first_with_reasons(qa_client: Any, calls: None) -> None:
    response = qa_client.get("/queue/", {"order": "risk"})
    page = response.content.decode()
    assert response.status_code == 200
    assert _order(page) == ["fu-threat", "fu-unannounced", "fu-calm"]
    assert "Said: Threats at 0:20" in page
    assert "Missing: Recorded" in page
    assert "Signal: Dispute at 1:15" in page
    assert "1 call not transcribed yet" in page


def test_filters_and_newest_first(qa_client: Any, calls: None) -> None:
    page = qa_client.get("/queue/", {"order": "risk", "flag": "required"}).content.decode()
    assert _order(page) == ["fu-unannounced"]
    page = qa_client.get("/queue/", {"order": "risk", "sort": "newest"}).content.decode()
    assert _order(page) == ["fu-calm", "fu-unannounced", "fu-threat"]
    assert qa_client.get("/queue/", {"order": "risk", "flag": "x' OR 1"}).status_code == 400


def test_next_in_queue_follows_the_risk_order(qa_client: Any, calls: None) -> None:
    qa_client.get("/queue/", {"order": "risk"})
    response = qa_client.get("/queue/next/", {"after": "fu-threat"})
    assert response["Location"] == "/followups/fu-unannounced/?from=queue"


def test_needs_listening(plain_client: Any, calls: None) -> None:
    assert plain_client.get("/queue/", {"order": "risk"}).status_code == 403
