"""The filters of the insights page, read by a Django form into `InsightsFilters`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from followups.forms import DayField
from followups.values import TYPE_WORDS
from reviews.models import Scorecard

# Charts of more weeks than this are unreadable and cost the database for nothing.
RANGE_MAX_DAYS = 2 * 366
# Reviews did not exist before the dashboard did; a year before that is a typo.
EARLIEST = date(2000, 1, 1)
DEFAULT_WEEKS = 12
CALL_TYPE_UNKNOWN = "unknown"


@dataclass(frozen=True)
class InsightsFilters:
    """What the figures are of: submission days `start` to `end` (both included, in the
    company's time zone), and optionally one scorecard (its family, and one version of it),
    one reviewer, one call type (CALL_TYPE_UNKNOWN for reviews that did not keep one)."""

    start: date
    end: date
    scorecard_family: str = ""
    scorecard_version: int | None = None
    reviewer_id: int | None = None
    call_type: str = ""


def default_range(*, today: date) -> tuple[date, date]:
    """The last DEFAULT_WEEKS weeks, from a Monday to today."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(weeks=DEFAULT_WEEKS - 1), today


class InsightsFilterForm(forms.Form):
    start = DayField(required=False, label="From")
    end = DayField(required=False, label="to")
    scorecard = forms.ChoiceField(choices=[], required=False)
    version = forms.IntegerField(
        required=False, min_value=1, max_value=10_000, label="Version", help_text="Any if empty."
    )
    reviewer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Everyone"
    )
    call_type = forms.ChoiceField(
        choices=[
            ("", "Any type"),
            *((value, label) for value, (label, _icon) in TYPE_WORDS.items()),
            (CALL_TYPE_UNKNOWN, "Type unknown"),
        ],
        required=False,
        label="Call type",
    )

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        """`reviewers`: the users whose figures the viewer may pick; None hides the field
        (a reviewer sees their own figures only)."""
        super().__init__(*args, **kwargs)
        if reviewers is None:
            del self.fields["reviewer"]
        else:
            reviewer_field = self.fields["reviewer"]
            assert isinstance(reviewer_field, forms.ModelChoiceField)
            reviewer_field.queryset = reviewers
        scorecard_field = self.fields["scorecard"]
        assert isinstance(scorecard_field, forms.ChoiceField)
        scorecard_field.choices = [
            ("", "Any scorecard"),
            *(
                (str(card.family), card.name)
                for card in Scorecard.objects.filter(is_current=True).order_by("name")
            ),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        today = timezone.localdate()
        default_start, default_end = default_range(today=today)
        start = cleaned.get("start") or default_start
        end = cleaned.get("end") or max(default_end, start)
        if end < start:
            raise forms.ValidationError("The end date comes before the start date.")
        if start < EARLIEST:
            raise forms.ValidationError(
                f"There are no reviews before {EARLIEST:%Y}; pick a later start date."
            )
        if (end - start).days + 1 > RANGE_MAX_DAYS:
            raise forms.ValidationError(
                f"Pick at most {RANGE_MAX_DAYS} days (about two years); "
                f"this range has {(end - start).days + 1}."
            )
        if cleaned.get("version") is not None and not cleaned.get("scorecard"):
            raise forms.ValidationError("A version is one of a scorecard's: pick the scorecard.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def filters(self) -> InsightsFilters:
        """The filters of a valid form."""
        data = self.cleaned_data
        reviewer = data.get("reviewer")
        return InsightsFilters(
            start=data["start"],
            end=data["end"],
            scorecard_family=data.get("scorecard") or "",
            scorecard_version=data.get("version"),
            reviewer_id=reviewer.pk if reviewer is not None else None,
            call_type=data.get("call_type") or "",
        )
