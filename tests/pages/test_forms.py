"""The followups pages' forms: whatever arrives in the query string, a form gives documented
values or refuses with a message; it never raises anything else."""

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from followups import forms
from followups.forms import FIRST_DAY, LAST_DAY
from followups.getbill import FOLLOWUP_STATUSES, FOLLOWUP_TYPES

_TEXT = st.text(max_size=60) | st.sampled_from(["", " call ", "2", "1000", "1001", "٣", "2.0"])


@given(type_=_TEXT, status=_TEXT, page=_TEXT)
def test_the_list_filters_are_documented_values_or_a_refusal(type_, status, page):
    form = forms.ListFiltersForm({"type": type_, "status": status, "page": page})
    if not form.is_valid():
        with pytest.raises(forms.ListInputError) as refused:
            form.cleaned_require()
        assert refused.value.status_code == 400
        assert 0 < len(refused.value.user_message) < 400
        return
    values = form.cleaned_require()
    assert values["type"] in ("", *FOLLOWUP_TYPES)
    assert values["status"] in ("", *FOLLOWUP_STATUSES)
    assert 1 <= values["page"] <= forms.LIST_PAGE_MAX


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"type": "fax"}, "There is no type “fax” in GetBill"),
        ({"status": "x" * 200}, "“" + "x" * 40 + "”"),
        ({"page": "٣"}, "whole number from 1 to 1000"),
        ({"page": "2.0"}, "whole number from 1 to 1000"),
    ],
)
def test_a_refusal_says_what_is_wrong(query, says):
    with pytest.raises(forms.ListInputError, match=says):
        forms.ListFiltersForm(query).cleaned_require()


def test_empty_values_mean_all_and_the_first_page():
    assert forms.ListFiltersForm({"type": " ", "page": ""}).cleaned_require() == {
        "type": "",
        "status": "",
        "page": 1,
    }


@given(part=_TEXT)
def test_the_queue_part_is_a_small_whole_number_or_a_refusal(part):
    form = forms.QueuePartForm({"part": part})
    if not form.is_valid():
        with pytest.raises(forms.ListInputError):
            form.cleaned_require()
        return
    assert 1 <= form.cleaned_require()["part"] <= forms.QUEUE_PART_MAX


@given(values=st.dictionaries(st.sampled_from(["type", "status", "current"]), _TEXT))
def test_debt_filters_never_refuse(values):
    chosen = forms.DebtFiltersForm(values).values()
    assert set(chosen) == {"type", "status", "current"}
    assert all(isinstance(value, str) for value in chosen.values())


# --- Days picked in a filter (DayField) ----------------------------------------------------------

DAY_FILTERS = [
    ("/reviews/", "submitted_from", "submitted_to"),
    ("/reviews/export.csv", "submitted_from", "submitted_to"),
    ("/insights/", "start", "end"),
    ("/insights/export/weeks.csv", "start", "end"),
    ("/transcripts/", "called_from", "called_to"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "first", "last"), DAY_FILTERS)
@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Paris", "America/Los_Angeles"])
def test_the_calendars_ends_are_refused_with_the_days_taken(
    manager_client: Any, settings: Any, url: str, first: str, last: str, time_zone: str
) -> None:
    settings.TIME_ZONE = time_zone
    for query in (
        {first: "0001-01-01"},
        {last: "9999-12-31"},
        {first: "9999-12-27", last: "9999-12-31"},
    ):
        response = manager_client.get(url, {"q": "payment", **query})
        assert response.status_code == 400, (url, query)
        assert "1 January 1900 to 31 December 2999" in response.content.decode()


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    filters=st.sampled_from(DAY_FILTERS),
    start=st.dates() | st.sampled_from([FIRST_DAY, LAST_DAY]),
    end=st.dates() | st.sampled_from([FIRST_DAY, LAST_DAY]),
)
def test_any_days_are_answered_or_refused(
    manager_client: Any, filters: tuple[str, str, str], start: date, end: date
) -> None:
    url, first, last = filters
    response = manager_client.get(url, {"q": "payment", first: start, last: end})
    assert response.status_code in (200, 400)
