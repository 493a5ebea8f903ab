"""The search page's form: the words and the filters, all from the query string."""

from __future__ import annotations

from typing import Any

from django import forms

from followups.forms import DayField
from search.query import MAX_QUERY_LENGTH
from search.services import SearchFilters
from trackers.models import Tracker
from transcripts.models import Transcript

MAX_PAGE = 10_000


def _choices(field: str) -> list[tuple[str, str]]:
    values = (
        Transcript.objects.filter(status=Transcript.Status.DONE)
        .exclude(**{field: ""})
        .order_by(field)
        .values_list(field, flat=True)
        .distinct()
    )
    return [("", "Any"), *((value, value.replace("_", " ").capitalize()) for value in values)]


class TranscriptSearchForm(forms.Form):
    q = forms.CharField(
        label="Words said",
        max_length=MAX_QUERY_LENGTH,
        required=False,
        strip=True,
        error_messages={"max_length": f"A search is at most {MAX_QUERY_LENGTH} characters."},
    )
    call_type = forms.ChoiceField(label="Type", required=False)
    call_status = forms.ChoiceField(label="Status", required=False)
    called_from = DayField(label="From", required=False)
    called_to = DayField(label="To", required=False)
    tracker = forms.ModelChoiceField(
        label="Tracker found", queryset=Tracker.objects.all(), required=False, empty_label="Any"
    )
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call_type"].choices = _choices("call_type")  # type: ignore[attr-defined]
        self.fields["call_status"].choices = _choices("call_status")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("called_from"), cleaned.get("called_to")
        if start and end and start > end:
            self.add_error("called_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        tracker = data.get("tracker")
        return SearchFilters(
            call_type=data.get("call_type") or "",
            call_status=data.get("call_status") or "",
            called_from=data.get("called_from"),
            called_to=data.get("called_to"),
            tracker_id=tracker.pk if tracker is not None else None,
        )
