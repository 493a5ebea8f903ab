"""What managers and reviewers type or pick for calibration, read by Django forms: a new session
(a call or a sample of the queue, a scorecard, reviewers) and the manager's reference answers.
A reviewer's calibration answers are posted like a review's (`reviews.forms.ReviewForm`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from calibration.errors import CalibrationError
from calibration.models import SESSION_NAME_MAX_LENGTH
from followups.getbill import InvalidIdError, getbill_id_clean
from reviews.forms import ReviewForm
from reviews.models import Scorecard

SAMPLE_MAX = 20
REVIEWERS_MIN = 2


@dataclass(frozen=True)
class SessionInput:
    name: str
    scorecard_id: int
    reviewer_ids: tuple[int, ...]
    # One call picked by its ID, or a sample of this many calls from the review queue.
    followup_id: str = ""
    sample_size: int | None = None


def _first_message(form: forms.Form) -> str:
    """The form's first refusal, naming its field ("Name: This field is required.")."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        prefix = f"{field.label or name.capitalize()}: " if field is not None else ""
        return prefix + str(errors[0])
    return "That cannot be done."


class SessionForm(forms.Form):
    name = forms.CharField(max_length=SESSION_NAME_MAX_LENGTH)
    scorecard = forms.ModelChoiceField(queryset=Scorecard.objects.none(), empty_label=None)
    followup_id = forms.CharField(
        label="One call (followup ID)", required=False, max_length=200, strip=True
    )
    sample_size = forms.IntegerField(
        label="Or a sample of calls from the review queue",
        required=False,
        min_value=1,
        max_value=SAMPLE_MAX,
        help_text=f"1 to {SAMPLE_MAX} calls, picked at random from the queue's first part.",
    )
    # Not required here: clean_reviewers says how many are needed.
    reviewers = forms.ModelMultipleChoiceField(
        queryset=Scorecard.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(
        self, *args: Any, scorecards: QuerySet[Scorecard], reviewers: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        scorecard_field = self.fields["scorecard"]
        reviewer_field = self.fields["reviewers"]
        assert isinstance(scorecard_field, forms.ModelChoiceField)
        assert isinstance(reviewer_field, forms.ModelMultipleChoiceField)
        scorecard_field.queryset = scorecards
        reviewer_field.queryset = reviewers

    def clean_followup_id(self) -> str:
        raw = self.cleaned_data.get("followup_id") or ""
        if not raw:
            return ""
        try:
            return str(getbill_id_clean(raw=raw))
        except InvalidIdError as error:
            raise forms.ValidationError(error.message) from None

    def clean_reviewers(self) -> Any:
        reviewers = self.cleaned_data.get("reviewers")
        if reviewers is None or len(reviewers) < REVIEWERS_MIN:
            raise forms.ValidationError(
                f"Pick at least {REVIEWERS_MIN} reviewers: calibration compares their answers."
            )
        return reviewers

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        picked, sample = cleaned.get("followup_id"), cleaned.get("sample_size")
        if bool(picked) == (sample is not None):
            raise forms.ValidationError(
                "Give either one call's followup ID or a number of calls to sample, not both."
            )
        return cleaned

    def session_input(self) -> SessionInput:
        """The session asked for; CalibrationError with the first refusal."""
        if not self.is_valid():
            raise CalibrationError(_first_message(self))
        data = self.cleaned_data
        return SessionInput(
            name=data["name"].strip(),
            scorecard_id=data["scorecard"].pk,
            reviewer_ids=tuple(sorted(user.pk for user in data["reviewers"])),
            followup_id=data["followup_id"],
            sample_size=data["sample_size"],
        )


def answers_posted(data: Mapping[str, Any]) -> tuple[dict[int, str], str]:
    """The answers (criterion ID -> value) and comment of a posted calibration review or of
    reference answers, read by the review form; CalibrationError when a field is malformed."""
    form = ReviewForm(data)
    posted = form.posted()
    if posted is None:
        raise CalibrationError(_first_message(form))
    return dict(posted.answers), posted.summary
