"""Which of two states of a followup is the earlier one: the rule that keeps a followup GetBill
told of late (webhooks may come out of order) from rolling the kept one back."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from followups.getbill.cached import followup_is_older
from tests.support.examples import followup_make

PROCESSED = datetime(2024, 1, 22, 10, 35, tzinfo=UTC)
MOMENTS = st.none() | st.datetimes(timezones=st.just(UTC))


def test_a_followup_not_processed_yet_is_older_than_one_processed() -> None:
    created = followup_make(status="in_progress", processed_at=None)
    completed = followup_make(processed_at=PROCESSED)
    assert followup_is_older(created, than=completed)
    assert not followup_is_older(completed, than=created)


def test_the_one_processed_later_is_the_newer() -> None:
    first = followup_make(processed_at=PROCESSED)
    again = followup_make(status="no_answer", processed_at=PROCESSED.replace(hour=11))
    assert followup_is_older(first, than=again)
    assert not followup_is_older(again, than=first)


@given(one=MOMENTS, other=MOMENTS)
def test_no_two_states_are_each_older_than_the_other(
    one: datetime | None, other: datetime | None
) -> None:
    first, second = followup_make(processed_at=one), followup_make(processed_at=other)
    assert not (followup_is_older(first, than=second) and followup_is_older(second, than=first))
    # The same moment (or none known) is not older: the state told last stands.
    assert not followup_is_older(first, than=followup_make(processed_at=one))
