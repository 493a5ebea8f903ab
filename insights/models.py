"""The insights' weekly roll-up: submitted reviews counted per week and per everything the
page filters by, kept in step with the reviews as they are submitted and reopened (see
`insights.rollup`), so that a year of figures reads a few thousand rows, not 100,000 reviews.

A review counts in the week (Monday, in the company's time zone) it was submitted. Calibration
reviews are records of the calibration app and never reach these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviews.models import CALL_TYPE_MAX_LENGTH, Criterion, Scorecard

# The roll-up's `call_type` for reviews that kept none (NULL in reviews): a column of the
# bucket's unique key, where NULLs would never be equal.
CALL_TYPE_NONE = ""


class WeekRollup(models.Model):
    """The submitted reviews of one week, reviewer, scorecard version and call type."""

    week = models.DateField()  # its Monday
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="+")
    call_type = models.CharField(max_length=CALL_TYPE_MAX_LENGTH, blank=True)
    reviews = models.IntegerField(default=0)
    passed = models.IntegerField(default=0)
    # Reviews with a score, and their scores' sum in tenths of a percent (scores have one
    # decimal): the average is exact on either database.
    scored = models.IntegerField(default=0)
    score_tenths = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["week", "reviewer", "scorecard", "call_type"], name="week_rollup_bucket"
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "week"], name="week_rollup_reviewer_week"),
        ]

    def __str__(self) -> str:
        return f"week of {self.week}: {self.reviews} reviews"


class CriterionWeekRollup(models.Model):
    """The answers to one criterion in the submitted reviews of one week, reviewer, scorecard
    version and call type; with the tracker hits among them (the criterion's linked tracker had
    flagged the call) and how reviewers answered those."""

    week = models.DateField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="+")
    call_type = models.CharField(max_length=CALL_TYPE_MAX_LENGTH, blank=True)
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    answers = models.IntegerField(default=0)  # "not applicable" included
    answered = models.IntegerField(default=0)  # yes or no
    failed = models.IntegerField(default=0)  # no
    hits = models.IntegerField(default=0)
    confirmed = models.IntegerField(default=0)
    overridden = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["week", "reviewer", "scorecard", "call_type", "criterion"],
                name="criterion_rollup_bucket",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "week"], name="criterion_rollup_reviewer_week"),
        ]

    def __str__(self) -> str:
        return f"criterion {self.criterion_id}, week of {self.week}: {self.answers} answers"
