"""Reading what the review pages post and the list's filters into the services' inputs."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict

from reviews.models import ReviewStatus, Scorecard, Verdict
from reviews.services import CommentInput, ReviewError, ReviewFilters, ReviewInput

ANSWER_PREFIX = "answer-"
_ANSWER_FIELD = re.compile(rf"{ANSWER_PREFIX}([0-9]{{1,18}})")
ACTION_SUBMIT = "submit"


def comment_input(data: QueryDict) -> CommentInput:
    return CommentInput(
        at=data.get("at", ""),
        end=data.get("end", ""),
        text=data.get("text", ""),
        recording_end=data.get("recording_end", ""),
    )


def _int_or_none(raw: str | None, *, what: str) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ReviewError(f"That is not a valid {what}.")
    return int(raw)


def review_input(data: QueryDict) -> ReviewInput:
    """The posted review: `scorecard`, one `answer-<criterion ID>` per answered criterion,
    `summary`, and `action=submit` to submit. Raises ReviewError for malformed fields."""
    answers: dict[int, str] = {}
    for name in data:
        if not name.startswith(ANSWER_PREFIX):
            continue
        match = _ANSWER_FIELD.fullmatch(name)
        values = data.getlist(name)
        if match is None or len(values) != 1:
            raise ReviewError("The form holds an answer that is not one of the scorecard's.")
        if values[0]:
            answers[int(match.group(1))] = values[0]
    return ReviewInput(
        scorecard_id=_int_or_none(data.get("scorecard"), what="scorecard"),
        answers=answers,
        summary=data.get("summary", ""),
        submit=data.get("action") == ACTION_SUBMIT,
    )


class ReviewFilterForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Everyone"
    )
    verdict = forms.ChoiceField(choices=[("", "Any verdict"), *Verdict.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Drafts and submitted"), *ReviewStatus.choices], required=False
    )
    scorecard = forms.ChoiceField(choices=[], required=False)
    submitted_from = forms.DateField(
        required=False, label="Submitted from", widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        required=False, label="to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and end < start:
            raise forms.ValidationError("The end date comes before the start date.")
        return cleaned

    def filters(self) -> ReviewFilters:
        """The filters of a valid form."""
        data = self.cleaned_data
        reviewer = data.get("reviewer")
        return ReviewFilters(
            reviewer_id=reviewer.pk if reviewer is not None else None,
            verdict=data.get("verdict") or "",
            status=data.get("status") or "",
            scorecard_family=data.get("scorecard") or "",
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
        )
