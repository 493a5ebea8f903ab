"""What the review panels and pages show, built once for a followup's page (registered in
`followups.extensions`) and for the views that answer htmx with the same panels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.template.loader import render_to_string

from followups.getbill import Followup
from reviews import forms, services
from reviews.host import MOMENT_MAX_LENGTH, moment_format
from reviews.models import COMMENT_MAX_LENGTH, AnswerValue, Comment, Criterion, Review, Scorecard
from reviews.services import CommentInput, ReviewInput, User
from trackers.evidence import Evidence, evidence_for, page_tracker_results
from trackers.models import TrackerResult

# The list page shows this many reviews; the CSV has all of the selection.
LIST_LIMIT = 200

# The comment fields' `maxlength`s: the lengths the form and the model accept.
COMMENT_FIELD_LIMITS = {"moment": MOMENT_MAX_LENGTH, "text": COMMENT_MAX_LENGTH}


def comment_input_of(comment: Comment) -> CommentInput:
    end = comment.end_seconds
    return CommentInput(
        at=moment_format(comment.at_seconds),
        end=moment_format(end) if end is not None else "",
        text=comment.text,
    )


def _comment_empty(*, recording_end: str) -> CommentInput:
    return CommentInput(at="", text="", recording_end=recording_end)


def comments_context(
    *,
    user: User,
    followup_id: str,
    recording_end: str = "",
    error: str = "",
    data: CommentInput | None = None,
) -> dict[str, Any]:
    """The comments panel: the comments `user` may read, and the form when they may write."""
    return {
        "followup_id": followup_id,
        "comments": list(services.comments_visible(user=user, followup_id=followup_id)),
        "may_comment": services.may_review(user=user),
        "recording_end": recording_end,
        "error": error,
        # A refused comment keeps what was typed; a saved one empties the form.
        "data": data if error and data else _comment_empty(recording_end=recording_end),
        "limits": COMMENT_FIELD_LIMITS,
    }


@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    value: str  # an AnswerValue, or "" when unanswered
    evidence: Evidence | None = None  # the linked tracker's result on this call

    @property
    def value_label(self) -> str:
        return AnswerValue(self.value).label if self.value else "Not answered"


def _rows(
    scorecard: Scorecard,
    answers: dict[int, str],
    followup_id: str,
    tracker_results: list[TrackerResult] | None = None,
) -> list[CriterionRow]:
    criteria = list(scorecard.criteria.all())
    evidence = evidence_for(
        followup_id=followup_id,
        tracker_ids=[c.tracker_id for c in criteria],
        results=tracker_results,
    )
    return [
        CriterionRow(
            criterion=c,
            value=answers.get(c.pk, ""),
            evidence=evidence.get(c.tracker_id) if c.tracker_id is not None else None,
        )
        for c in criteria
    ]


def _scorecard_chosen(chosen: str) -> tuple[Scorecard | None, list[Scorecard]]:
    offered = list(services.scorecards_offered())
    picked = next((card for card in offered if str(card.pk) == chosen), None)
    return picked or (offered[0] if offered else None), offered


def review_context(
    *,
    user: User,
    followup_id: str,
    chosen: str = "",
    error: str = "",
    posted: ReviewInput | None = None,
    call_type: str = "",
    tracker_results: list[TrackerResult] | None = None,
) -> dict[str, Any]:
    """The review panel: the user's review of the followup (or a new one on the chosen
    scorecard), with the posted answers kept when they were refused; `call_type` is the page's
    signed note of the followup's type (kept from the post when one was refused);
    `tracker_results` the followup's, when the page already read them."""
    review = services.review_own_get(user=user, followup_id=followup_id)
    offered: list[Scorecard] = []
    if review is not None:
        scorecard: Scorecard | None = review.scorecard
        answers = {answer.criterion_id: answer.value for answer in review.answers.all()}
    else:
        scorecard, offered = _scorecard_chosen(chosen)
        answers = {}
    summary = review.summary if review else ""
    if posted is not None and error:
        answers = dict(posted.answers)
        summary = posted.summary
    return {
        "followup_id": followup_id,
        "review": review,
        "scorecard": scorecard,
        "scorecards": offered,
        "rows": _rows(scorecard, answers, followup_id, tracker_results) if scorecard else [],
        "summary": summary,
        "answer_choices": AnswerValue.choices,
        "read_only": bool(review and review.is_submitted),
        "error": error,
        "call_type": posted.call_type if posted is not None else call_type,
    }


def review_display(*, review: Review) -> dict[str, Any]:
    """A review as its read-only page shows it."""
    answers = {answer.criterion_id: answer.value for answer in review.answers.all()}
    return {"review": review, "rows": _rows(review.scorecard, answers, review.followup_id)}


def detail_panels_html(request: HttpRequest, followup: Followup) -> str:
    """The panels a followup's page shows next to the recording: the comments pinned to its
    moments and the user's review, for those who review (or see reviews); "" for anyone else.
    `followup` is the one the page just fetched."""
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not services.may_see_reviews(user=user):
        return ""
    # Comments are pinned to moments of a recording: none for an email or a letter.
    has_recording = bool(followup.audio_url or followup.duration_ms)
    context = {
        "comments_panel": comments_context(
            user=user,
            followup_id=followup.id,
            recording_end=forms.recording_end_token(
                followup_id=followup.id, duration_ms=followup.duration_ms
            ),
        )
        if has_recording
        else None,
        "review_panel": review_context(
            user=user,
            followup_id=followup.id,
            call_type=forms.call_type_token(followup_id=followup.id, call_type=followup.type),
            tracker_results=page_tracker_results(request=request, followup=followup),
        )
        if services.may_review(user=user)
        else None,
    }
    return render_to_string("reviews/_panels.html", context, request=request)
