from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from search.indexing import transcript_index
from search.models import (
    FIRST_PERIOD,
    LAST_PERIOD,
    UNDATED_PERIOD,
    SegmentEntry,
    call_period,
    segment_entry_id,
)
from tests.support.transcripts import transcript_make
from transcripts.models import Transcript

pytestmark = pytest.mark.django_db

# Dates as GetBill may give them: any moment, to the microsecond.
DATES = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
    ),
)


def test_later_calls_later_periods() -> None:
    start = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert call_period(None) == UNDATED_PERIOD < FIRST_PERIOD
    assert call_period(start) == call_period(start + timedelta(seconds=119))
    assert call_period(start) < call_period(start + timedelta(seconds=120))
    assert call_period(datetime(1990, 1, 1, tzinfo=UTC)) == FIRST_PERIOD
    assert call_period(datetime(9999, 1, 1, tzinfo=UTC)) == LAST_PERIOD


@given(earlier=DATES, later=DATES)
def test_periods_keep_the_order_of_dates(earlier: Any, later: Any) -> None:
    if earlier is not None and later is not None and earlier > later:
        earlier, later = later, earlier
    if later is None:  # undated calls are listed last
        earlier, later = later, earlier
    assert call_period(earlier) <= call_period(later)


@pytest.fixture
def indexed() -> Transcript:
    transcript = transcript_make("fu-1")
    transcript_index(transcript=transcript)
    return transcript


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigger (migration 0003)")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(called_at=DATES)
@example(called_at=datetime(2026, 1, 1, 10, 1, 59, 999_999, tzinfo=UTC))
@example(called_at=datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC))
def test_a_new_date_gives_the_rows_the_ids_indexing_gives(
    indexed: Transcript, called_at: Any
) -> None:
    Transcript.objects.filter(pk=indexed.pk).update(called_at=called_at)
    positions = SegmentEntry.objects.filter(transcript=indexed).values_list("position", flat=True)
    expected = {
        segment_entry_id(transcript_id=indexed.pk, called_at=called_at, position=position)
        for position in positions
    }
    assert set(SegmentEntry.objects.filter(transcript=indexed).values_list("pk", flat=True)) == (
        expected
    )
