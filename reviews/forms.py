"""Reading what the review pages post and the list's filters into the services' inputs."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict

from reviews.models import ReviewStatus, Scorecard, Verdict
from reviews.services import CommentInput, ReviewError, ReviewFilters, ReviewInput

ANSWER_PREFIX = "answer-"
_ANSWER_FIELD = re.compile(rf"{ANSWER_PREFIX}([0-9]{{1,18}})")
ACTION_SUBMIT = "submit"
_ID_DIGITS = re.compile(r"[0-9]{1,18}")


class CommentForm(forms.Form):
    """A comment as typed: `at` and `end` (seconds or m:ss), `text`, and the recording's end
    as the page signed it. The moments and the text are judged by `services.comment_add`,
    against the recording's end; this reads the fields."""

    at = forms.CharField(required=False, strip=False)
    end = forms.CharField(required=False, strip=False)
    text = forms.CharField(required=False, strip=False)
    recording_end = forms.CharField(required=False)

    def comment_input(self) -> CommentInput:
        self.is_valid()
        values = {name: str(self.cleaned_data.get(name) or "") for name in self.fields}
        return CommentInput(**values)


class ReviewForm(forms.Form):
    """The posted review: `scorecard`, one `answer-<criterion ID>` per answered criterion,
    `summary`, and `action=submit` to submit."""

    scorecard = forms.CharField(required=False)
    summary = forms.CharField(required=False, strip=False)
    action = forms.CharField(required=False)

    def clean_scorecard(self) -> int | None:
        raw = self.cleaned_data.get("scorecard") or ""
        if not raw:
            return None
        if not _ID_DIGITS.fullmatch(raw):
            raise forms.ValidationError("That is not a valid scorecard.")
        return int(raw)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers: dict[int, str] = {}
        posted = cast(QueryDict, self.data)
        for name in posted:
            if not name.startswith(ANSWER_PREFIX):
                continue
            match = _ANSWER_FIELD.fullmatch(name)
            values = posted.getlist(name)
            if match is None or len(values) != 1:
                raise forms.ValidationError(
                    "The form holds an answer that is not one of the scorecard's."
                )
            if values[0]:
                answers[int(match.group(1))] = values[0]
        cleaned["answers"] = answers
        return cleaned

    def posted(self) -> ReviewInput | None:
        """The review as posted; None when a field is malformed."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return ReviewInput(
            scorecard_id=data["scorecard"],
            answers=data["answers"],
            summary=data.get("summary") or "",
            submit=data.get("action") == ACTION_SUBMIT,
        )

    def review_input(self) -> ReviewInput:
        """`posted`, or ReviewError with the first malformed field's message."""
        posted = self.posted()
        if posted is None:
            messages = [str(m) for errors in self.errors.values() for m in errors]
            raise ReviewError(messages[0])
        return posted


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
