"""What a warm followup page, and the panels it loads right after itself, read from the database
when every panel of a reviewed call is shown: the page reads only what the look needs, and the
trackers panel and the review panel's evidence share one read of the tracker results."""

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext

from followups import extensions
from followups.models import AuditEntry
from reviews import services
from reviews.models import Answer, Comment, Review
from tests.support.pages import PANELS_HEADERS
from tests.support.transcripts import transcript_make
from trackers.models import Tracker
from trackers.services import transcript_trackers_check

ID = "abc123def456"
S3_URL = "https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc&X-Amz-Expires=3600"
PANELS = f"/followups/{ID}/panels/"
# Session; user with permissions; the look's audit entry (with the debt card's, when the card
# is kept and shown, in the same INSERT, in no transaction of its own); the recent view
# (written after the response). The debt card is not kept here, so it loads after the page, as
# the panels do.
WARM_PAGE_STATEMENTS = 4
# Session; user with permissions; tracker results; the transcript and its "words shown" entry; the
# reviewer's calibration of this call still to answer; comments; the review, its answers, its
# criteria.
PANELS_STATEMENTS = 10


@pytest.fixture
def reviewed_call(upstream_returns: Any, settings: Any, manager_user: Any) -> None:
    """A call with a checked transcript, criteria linked to its trackers, and the manager's
    comment and draft review."""
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]
    upstream_returns(audio_url=S3_URL, duration_ms=80_000)
    scorecard = services.scorecard_create(
        name="Calls",
        criteria=[
            services.CriterionSpec(label="Disclosure given", critical=True),
            services.CriterionSpec(label="Balance stated"),
            services.CriterionSpec(label="Wrapped up"),
        ],
    )
    disclosure, balance, _wrap = scorecard.criteria.all()
    disclosure.tracker = Tracker.objects.create(
        name="Disclosure", kind="required", phrases=["this call is recorded"]
    )
    disclosure.save()
    balance.tracker = Tracker.objects.create(name="Dispute", kind="forbidden", phrases=["dispute"])
    balance.save()
    transcript_trackers_check(transcript=transcript_make(ID))
    review = Review.objects.create(followup_id=ID, reviewer=manager_user, scorecard=scorecard)
    Answer.objects.create(review=review, criterion=disclosure, value="no")
    Comment.objects.create(followup_id=ID, author=manager_user, at_seconds=3, text="Card read")


def _warm_page(client: Any) -> tuple[str, list[str], str, list[str]]:
    """The page and its panels, each with the statements it ran, once both were seen before."""
    assert client.get(f"/followups/{ID}/").status_code == 200
    assert client.get(PANELS, headers=PANELS_HEADERS).status_code == 200
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(f"/followups/{ID}/")
    assert page.status_code == 200
    with CaptureQueriesContext(connection) as panels_queries:
        panels = client.get(PANELS, headers=PANELS_HEADERS)
    assert panels.status_code == 200
    return (
        page.content.decode(),
        [query["sql"] for query in page_queries.captured_queries],
        panels.content.decode(),
        [query["sql"] for query in panels_queries.captured_queries],
    )


def _reading(statements: list[str], table: str) -> list[str]:
    return [sql for sql in statements if sql.startswith("SELECT") and f'FROM "{table}"' in sql]


def test_every_panel_is_shown(manager_client: Any, reviewed_call: None) -> None:
    page, _, panels, _ = _warm_page(manager_client)
    assert 'hx-get="/followups/abc123def456/panels/"' in page
    page = panels
    assert 'class="panel tracker-results"' in page
    assert 'id="transcript"' in page
    assert 'id="comments"' in page
    assert "Card read" in page
    assert 'id="review-panel"' in page
    # The review panel's evidence, from the same results as the trackers panel's.
    assert "Not found in the transcript; suggests <strong>No</strong>" in page
    assert "«dispute» said at" in page


def test_tracker_results_are_read_once(manager_client: Any, reviewed_call: None) -> None:
    _, _, _, statements = _warm_page(manager_client)
    assert len(_reading(statements, "trackers_trackerresult")) == 1, statements


def test_the_transcript_is_read_once(manager_client: Any, reviewed_call: None) -> None:
    _, _, _, statements = _warm_page(manager_client)
    assert len(_reading(statements, "transcripts_transcript")) == 1, statements


def test_a_call_never_transcribed_reads_no_tracker_results(
    manager_client: Any, upstream_returns: Any
) -> None:
    upstream_returns(audio_url=None, duration_ms=None)
    _, _, _, statements = _warm_page(manager_client)
    assert len(_reading(statements, "transcripts_transcript")) == 1, statements
    assert _reading(statements, "trackers_trackerresult") == [], statements


def test_a_followup_without_a_player_reads_no_transcript(
    manager_client: Any, upstream_returns: Any
) -> None:
    upstream_returns(type="email", audio_url=None, duration_ms=None)
    _, _, _, statements = _warm_page(manager_client)
    assert _reading(statements, "transcripts_transcript") == [], statements
    assert _reading(statements, "trackers_trackerresult") == [], statements


def test_the_review_panels_read_comments_review_answers_and_criteria_once_each(
    manager_client: Any, reviewed_call: None
) -> None:
    _, _, _, statements = _warm_page(manager_client)
    for table in ("reviews_comment", "reviews_review", "reviews_answer", "reviews_criterion"):
        assert len(_reading(statements, table)) == 1, (table, statements)
    assert _reading(statements, "reviews_scorecard") == []  # read with the review


def test_the_warm_page_reads_no_more_than_it_needs(
    manager_client: Any, reviewed_call: None
) -> None:
    _, page_statements, _, panels_statements = _warm_page(manager_client)
    assert len(page_statements) <= WARM_PAGE_STATEMENTS, "\n".join(page_statements)
    assert len(panels_statements) <= PANELS_STATEMENTS, "\n".join(panels_statements)
    assert not [sql for sql in page_statements if 'FROM "reviews_' in sql]


def test_the_lookup_is_audited_before_the_page_is_shown_and_once_a_look(
    manager_client: Any, reviewed_call: None
) -> None:
    _, statements, _, panels_statements = _warm_page(manager_client)
    audit_writes = [
        n
        for n, sql in enumerate(statements)
        if sql.startswith('INSERT INTO "followups_auditentry"')
    ]
    assert audit_writes
    assert audit_writes[0] < len(statements) - 1  # before the recent view, written after
    # The panels show the page's kept copy: the page's entry covers the look.
    assert AuditEntry.objects.filter(action="lookup", followup_id=ID).count() == 2
    assert len([sql for sql in panels_statements if "followups_auditentry" in sql]) == 1


def test_panels_whose_copy_is_gone_ask_getbill_and_audit_that_look(
    manager_client: Any, reviewed_call: None
) -> None:
    assert manager_client.get(f"/followups/{ID}/").status_code == 200
    cache.clear()
    panels = manager_client.get(PANELS, headers=PANELS_HEADERS)
    assert panels.status_code == 200
    assert 'id="review-panel"' in panels.content.decode()
    sources = AuditEntry.objects.filter(action="lookup", followup_id=ID).order_by("id")
    assert list(sources.values_list("source", flat=True)) == ["getbill", "getbill"]


def test_a_page_memo_is_computed_once_per_request() -> None:
    computed: list[int] = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    first, second = HttpRequest(), HttpRequest()
    assert extensions.page_memo(first, "test:value", compute) == 1
    assert extensions.page_memo(first, "test:value", compute) == 1
    assert extensions.page_memo(second, "test:value", compute) == 2
    assert extensions.page_memo(first, "test:other", compute) == 3
