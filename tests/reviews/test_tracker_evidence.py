"""A scorecard criterion linked to a tracker: the evidence next to it, the answer suggested,
and whether the reviewer followed or overrode it."""

from typing import Any

import pytest

from reviews import services
from reviews.models import Answer, SuggestionUse
from reviews.panels import review_context
from tests.support.pages import followup_page
from tests.support.transcripts import transcript_make
from trackers.models import Tracker
from trackers.services import transcript_trackers_check

CALL_ID = "abc123def456"


@pytest.fixture
def linked(scorecard: Any) -> Any:
    disclosure, balance, _wrap = scorecard.criteria.all()
    disclosure.tracker = Tracker.objects.create(
        name="Disclosure", kind="required", phrases=["this call is recorded"]
    )
    disclosure.save()
    balance.tracker = Tracker.objects.create(name="Dispute", kind="forbidden", phrases=["dispute"])
    balance.save()
    transcript_trackers_check(transcript=transcript_make(CALL_ID))
    return scorecard


def test_the_form_shows_evidence_and_suggestions(qa_user: Any, linked: Any) -> None:
    rows = review_context(user=qa_user, followup_id=CALL_ID)["rows"]
    disclosure, balance, wrap = (row.evidence for row in rows)
    assert disclosure is not None
    assert (disclosure.found, disclosure.suggested) == (False, "no")
    assert balance is not None
    assert (balance.found, balance.moment, balance.suggested) == (True, "1:15", "no")
    assert wrap is None


def test_the_review_records_followed_or_overridden(qa_user: Any, linked: Any) -> None:
    disclosure, balance, wrap = linked.criteria.all()
    services.review_save(
        user=qa_user,
        followup_id=CALL_ID,
        data=services.ReviewInput(
            scorecard_id=linked.pk,
            answers={disclosure.pk: "no", balance.pk: "yes", wrap.pk: "yes"},
            summary="",
            submit=True,
        ),
    )
    uses = dict(Answer.objects.values_list("criterion_id", "suggestion"))
    assert uses == {
        disclosure.pk: SuggestionUse.FOLLOWED,
        balance.pk: SuggestionUse.OVERRIDDEN,
        wrap.pk: "",
    }
    # Both trackers flagged the call (the disclosure missing, the dispute said): hits.
    hits = dict(Answer.objects.values_list("criterion_id", "tracker_flagged"))
    assert hits == {disclosure.pk: True, balance.pk: True, wrap.pk: False}


def test_the_panel_shows_the_evidence(qa_client: Any, linked: Any, upstream_returns: Any) -> None:
    upstream_returns()
    page = followup_page(qa_client, f"/followups/{CALL_ID}/").content.decode()
    assert "Not found in the transcript; suggests <strong>No</strong>" in page
    assert "«dispute» said at" in page
