"""The insights filters: whatever is typed, the form is valid with a bounded range or says
why not; it never raises."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.forms import RANGE_MAX_DAYS, InsightsFilterForm

_TEXT = st.text(max_size=20) | st.sampled_from(["", "2026-11-02", "1999-01-01", "9999-12-31"])
_DATE = st.dates(min_value=date(1, 1, 1)).map(date.isoformat) | _TEXT


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150)
@given(start=_DATE, end=_DATE, version=_TEXT, call_type=_TEXT, scorecard=_TEXT)
def test_filters_are_read_or_refused_with_a_message(start, end, version, call_type, scorecard):
    form = InsightsFilterForm(
        {
            "start": start,
            "end": end,
            "version": version,
            "call_type": call_type,
            "scorecard": scorecard,
        },
        reviewers=None,
    )
    if not form.is_valid():
        assert form.errors
        assert all(message for messages in form.errors.values() for message in messages)
        return
    filters = form.filters()
    assert filters.start <= filters.end
    assert (filters.end - filters.start).days < RANGE_MAX_DAYS


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"start": "2026-11-10", "end": "2026-11-01"}, "before the start date"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "at most"),
        ({"start": "1900-01-01", "end": "1900-02-01"}, "no reviews before"),
        ({"version": "2"}, "pick the scorecard"),
    ],
)
def test_bad_ranges_are_refused_with_a_clear_message(data, says):
    form = InsightsFilterForm(data, reviewers=None)
    assert not form.is_valid()
    assert says in " ".join(str(m) for m in form.non_field_errors())


@pytest.mark.django_db
def test_no_dates_is_the_last_twelve_weeks_to_today():
    form = InsightsFilterForm({}, reviewers=None)
    assert form.is_valid()
    filters = form.filters()
    assert filters.start.weekday() == 0
    assert filters.end - filters.start < timedelta(weeks=12)
    assert filters.end - filters.start >= timedelta(weeks=11)
