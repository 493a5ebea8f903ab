"""QA reviews kept by the dashboard itself: comments pinned to a moment of a followup's
recording, scorecards (versioned) and the reviews that answer them.

Everything is tied to a followup by its GetBill ID only: no copy of notes, summaries or phone
numbers is kept here.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from reviews.host import MOMENT_MAX_SECONDS

FOLLOWUP_ID_MAX_LENGTH = 64
CALL_TYPE_MAX_LENGTH = 32
COMMENT_MAX_LENGTH = 2000
SUMMARY_MAX_LENGTH = 4000
WEIGHT_MAX = 100
# Saving a new comment sets both times a hair apart; a later save is an edit.
EDITED_AFTER = timedelta(seconds=1)


class ReviewAccess(models.Model):
    """Holder of the reviews' permissions; its table stays empty (it exists because
    `manage.py dumpdata`, a backup, reads every model's table).

    - `reviews.review_followup`: comment on recordings and fill in scorecards.
    - `reviews.view_all_reviews`: see everyone's comments and reviews (others see their own).
    - `reviews.reopen_review`: turn a submitted review back into a draft.
    """

    class Meta:
        default_permissions = ()
        permissions = [
            ("review_followup", "Can comment on recordings and review followups"),
            ("view_all_reviews", "Can see everyone's comments and reviews"),
            ("reopen_review", "Can reopen a submitted review"),
        ]

    def __str__(self) -> str:
        return "review access"


class Comment(models.Model):
    """A reviewer's remark at a moment (optionally up to a later moment) of a recording."""

    followup_id = models.CharField("followup ID", max_length=FOLLOWUP_ID_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_comments"
    )
    at_seconds = models.PositiveIntegerField(
        "at (seconds)", validators=[MaxValueValidator(MOMENT_MAX_SECONDS)]
    )
    end_seconds = models.PositiveIntegerField(
        "until (seconds)", null=True, blank=True, validators=[MaxValueValidator(MOMENT_MAX_SECONDS)]
    )
    text = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["at_seconds", "created_at", "id"]
        indexes = [models.Index(fields=["followup_id", "at_seconds"], name="comment_followup_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_seconds__isnull=True) | Q(end_seconds__gt=models.F("at_seconds")),
                name="comment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.followup_id} at {self.at_seconds}s"

    @property
    def is_edited(self) -> bool:
        return self.updated_at - self.created_at > EDITED_AFTER


class Scorecard(models.Model):
    """One version of a scorecard. Editing a scorecard that reviews already answered makes a new
    row (same `family`, next `version`) so that those reviews keep the questions they answered;
    only the newest version of a family is `is_current`."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # Versions of one scorecard share it.
    family = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    is_current = models.BooleanField(default=True, editable=False)
    is_active = models.BooleanField(
        "offered to reviewers", default=True, help_text="Unticked: kept for old reviews only."
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=85,
        validators=[MaxValueValidator(100)],
        help_text="Lowest score (percent) that passes.",
    )
    coaching_mark = models.PositiveSmallIntegerField(
        default=70,
        validators=[MaxValueValidator(100)],
        help_text="Lowest score (percent) that needs coaching rather than failing.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="scorecard_family_version"),
            models.UniqueConstraint(
                fields=["family"], condition=Q(is_current=True), name="scorecard_one_current"
            ),
            models.CheckConstraint(
                condition=Q(coaching_mark__lte=models.F("pass_mark")),
                name="scorecard_coaching_below_pass",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Criterion(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=200)
    help_text = models.CharField(max_length=500, blank=True)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(WEIGHT_MAX)]
    )
    # A tracker whose result is shown next to the criterion as evidence, with the answer it
    # suggests (trackers.evidence).
    tracker = models.ForeignKey(
        "trackers.Tracker", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    critical = models.BooleanField(
        default=False, help_text="Answered no, the whole review fails whatever the score."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.label


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Verdict(models.TextChoices):
    PASS = "pass", "Pass"
    NEEDS_COACHING = "needs_coaching", "Needs coaching"
    FAIL = "fail", "Fail"


class AnswerValue(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"


class SuggestionUse(models.TextChoices):
    FOLLOWED = "followed", "Followed the suggestion"
    OVERRIDDEN = "overridden", "Overrode the suggestion"


class Review(models.Model):
    """A reviewer's scorecard for one followup: a draft until submitted, then read-only for the
    reviewer until a manager reopens it."""

    followup_id = models.CharField("followup ID", max_length=FOLLOWUP_ID_MAX_LENGTH)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    # Kept up to date on every save, from the answers given so far; None while nothing scores.
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True)
    summary = models.TextField(max_length=SUMMARY_MAX_LENGTH, blank=True)
    # GetBill's type of the followup, as the page that created the review fetched it. NULL, not
    # "", for "not known": reviews made before it was kept, shown as "type unknown".
    call_type = models.CharField(  # noqa: DJ001
        max_length=CALL_TYPE_MAX_LENGTH, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["followup_id", "reviewer"], name="review_one_per_reviewer"
            ),
        ]
        # The insights' figures read submitted reviews by submission time, everyone's or one
        # reviewer's: these indexes hold every column those queries read (no table lookups).
        indexes = [
            models.Index(
                fields=[
                    "reviewer",
                    "status",
                    "submitted_at",
                    "scorecard",
                    "verdict",
                    "score",
                    "call_type",
                ],
                name="review_reviewer_figures",
            ),
            models.Index(
                fields=[
                    "status",
                    "submitted_at",
                    "reviewer",
                    "scorecard",
                    "verdict",
                    "score",
                    "call_type",
                ],
                name="review_submitted_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.followup_id}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


class Answer(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(max_length=4, choices=AnswerValue.choices)
    # For a criterion linked to a tracker that suggested an answer: whether the reviewer's
    # answer followed the suggestion or overrode it ("" when nothing was suggested).
    suggestion = models.CharField(max_length=16, choices=SuggestionUse.choices, blank=True)
    # That tracker had flagged the call when the answer was saved (a hit, as the reviewer saw
    # it): counted by the insights without looking the call's tracker results up again.
    tracker_flagged = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="answer_one_per_criterion"
            ),
        ]
        # Counted per criterion for the insights, for a set of reviews: read from the index.
        indexes = [
            models.Index(
                fields=["review", "criterion", "value", "suggestion", "tracker_flagged"],
                name="answer_review_figures_hits",
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"
