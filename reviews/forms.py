"""What users type or pick on the review pages, read by Django forms into the services' inputs:
a comment, a review's answers, the list's filters; and the signed note of a recording's end
that a comment is checked against."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import QueryDict

from followups.forms import DayField
from reviews.errors import ReviewError
from reviews.host import MomentError, moment_format, moment_parse
from reviews.models import (
    CALL_TYPE_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    ReviewStatus,
    Scorecard,
    Verdict,
)

ANSWER_PREFIX = "answer-"
_ANSWER_FIELD = re.compile(rf"{ANSWER_PREFIX}([0-9]{{1,18}})")
ACTION_SUBMIT = "submit"
_ID_DIGITS = re.compile(r"[0-9]{1,18}")


_RECORDING_END_SALT = "reviews.recording-end"


def recording_end_token(*, followup_id: str, duration_ms: int | None) -> str:
    """A signed note of the recording's length, for the comment form of the detail page.

    The page fetched the followup from GetBill moments ago; signing what it saw lets the comment
    endpoint check a moment against the real end without spending another GetBill request (the
    company shares 1,000 an hour) or one of the user's lookups per comment.
    """
    if not duration_ms or duration_ms <= 0:
        return ""
    return signing.dumps({"f": followup_id, "ms": int(duration_ms)}, salt=_RECORDING_END_SALT)


def _recording_end_seconds(*, token: str, followup_id: str) -> float | None:
    # A missing, forged or foreign token means the end is unknown: only the general bound holds.
    if not token:
        return None
    try:
        value = signing.loads(token, salt=_RECORDING_END_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("f") != followup_id:
        return None
    milliseconds = value.get("ms")
    return milliseconds / 1000 if isinstance(milliseconds, int) and milliseconds > 0 else None


_CALL_TYPE_SALT = "reviews.call-type"


def call_type_token(*, followup_id: str, call_type: str | None) -> str:
    """A signed note of the followup's type, for the review form of the detail page: the review
    keeps the type the page fetched without asking GetBill again, and a reviewer cannot pick
    another one."""
    if not call_type:
        return ""
    return signing.dumps({"f": followup_id, "t": call_type}, salt=_CALL_TYPE_SALT)


def call_type_of(*, token: str, followup_id: str) -> str | None:
    """The type signed in `token` for `followup_id`; None when missing, forged or foreign."""
    if not token:
        return None
    try:
        value = signing.loads(token, salt=_CALL_TYPE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("f") != followup_id:
        return None
    call_type = value.get("t")
    if not isinstance(call_type, str) or not 0 < len(call_type) <= CALL_TYPE_MAX_LENGTH:
        return None
    return call_type


@dataclass(frozen=True)
class CommentInput:
    """A comment as typed."""

    at: str
    text: str
    end: str = ""
    # recording_end_token() of the page the comment was written on; "" when unknown.
    recording_end: str = ""


def _first_message(form: forms.Form) -> str:
    return next(str(message) for errors in form.errors.values() for message in errors)


class CommentForm(forms.Form):
    """A comment: `at` and optionally `end` (seconds or m:ss, within the recording when the
    page signed its end), and `text`; `recording_end` is the page's signed note."""

    at = forms.CharField(required=False, strip=False)
    end = forms.CharField(required=False, strip=False)
    text = forms.CharField(required=False, strip=False)
    recording_end = forms.CharField(required=False)

    def __init__(self, *args: Any, followup_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.followup_id = followup_id

    @classmethod
    def of_input(cls, data: CommentInput, *, followup_id: str) -> CommentForm:
        return cls(asdict(data), followup_id=followup_id)

    def comment_input(self) -> CommentInput:
        """The fields as typed, whatever they hold (to show them again with a refusal)."""
        return CommentInput(**{name: str(self.data.get(name) or "") for name in self.fields})

    def _moment(self, name: str) -> int | None:
        raw = self.cleaned_data.get(name) or ""
        if name == "end" and not raw.strip():
            return None
        try:
            return moment_parse(raw=raw)
        except MomentError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_at(self) -> int | None:
        return self._moment("at")

    def clean_end(self) -> int | None:
        return self._moment("end")

    def clean(self) -> dict[str, Any]:
        # In the order a reviewer fixes them: the moments, then the text.
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        at, end = cleaned["at"], cleaned["end"]
        token = cleaned.get("recording_end") or ""
        recording_end = _recording_end_seconds(token=token, followup_id=self.followup_id)
        if recording_end is not None:
            for moment in (at, end):
                if moment is not None and moment > recording_end:
                    raise forms.ValidationError(
                        f"{moment_format(moment)} is past the end of the recording "
                        f"({moment_format(int(recording_end))})."
                    )
        if end is not None and end <= at:
            raise forms.ValidationError("The end of a comment must come after its start.")
        text = (cleaned.get("text") or "").strip()
        if not text:
            raise forms.ValidationError("Write the comment's text.")
        if len(text) > COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                f"A comment holds at most {COMMENT_MAX_LENGTH} characters; "
                f"this one has {len(text)}."
            )
        cleaned["text"] = text
        return cleaned

    def comment_require(self) -> tuple[int, int | None, str]:
        """The comment's start, end and text; ReviewError with the first refusal."""
        if not self.is_valid():
            raise ReviewError(_first_message(self))
        data = self.cleaned_data
        return data["at"], data["end"], data["text"]


@dataclass(frozen=True)
class ReviewInput:
    scorecard_id: int | None
    # criterion ID -> AnswerValue; criteria left out are unanswered.
    answers: Mapping[int, str]
    summary: str = ""
    submit: bool = False
    # call_type_token() of the page the review was written on; "" when unknown.
    call_type: str = ""


class ReviewForm(forms.Form):
    """The posted review: `scorecard`, one `answer-<criterion ID>` per answered criterion,
    `summary`, `action=submit` to submit, and `call_type`, the page's signed note."""

    scorecard = forms.CharField(required=False)
    summary = forms.CharField(required=False, strip=False)
    action = forms.CharField(required=False)
    call_type = forms.CharField(required=False)

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
            call_type=data.get("call_type") or "",
        )

    def review_input(self) -> ReviewInput:
        """`posted`, or ReviewError with the first malformed field's message."""
        posted = self.posted()
        if posted is None:
            raise ReviewError(_first_message(self))
        return posted


@dataclass(frozen=True)
class ReviewFilters:
    reviewer_id: int | None = None
    verdict: str = ""
    status: str = ""
    scorecard_family: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None


class ReviewFilterForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Everyone"
    )
    verdict = forms.ChoiceField(choices=[("", "Any verdict"), *Verdict.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Drafts and submitted"), *ReviewStatus.choices], required=False
    )
    scorecard = forms.ChoiceField(choices=[], required=False)
    submitted_from = DayField(required=False, label="Submitted from")
    submitted_to = DayField(required=False, label="to")

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
