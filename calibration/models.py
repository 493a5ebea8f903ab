"""Calibration sessions: several reviewers answer the same calls on one scorecard version, blind
to each other, so that a manager can see where they agree.

A calibration review is a record of its own, not a `reviews.Review`: a reviewer may have
reviewed the call already, and calibration answers never count in the review queue, the
reviews list or the insights' regular figures. Calls are kept by their GetBill ID only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviews.models import (
    COMMENT_MAX_LENGTH,
    FOLLOWUP_ID_MAX_LENGTH,
    AnswerValue,
    Criterion,
    Scorecard,
    Verdict,
)

SESSION_NAME_MAX_LENGTH = 120


class CalibrationAccess(models.Model):
    """Holder of the calibration permission; its table stays empty.

    - `calibration.run_calibration`: create sessions, give reference answers, close sessions.
    """

    class Meta:
        default_permissions = ()
        permissions = [("run_calibration", "Can run calibration sessions")]

    def __str__(self) -> str:
        return "calibration access"


class SessionState(models.TextChoices):
    OPEN = "open", "Open"
    # Results are open: every reviewer answered every call, or the manager closed it.
    CLOSED = "closed", "Closed"


class CalibrationSession(models.Model):
    name = models.CharField(max_length=SESSION_NAME_MAX_LENGTH)
    # One version of a scorecard: every reviewer answers the same questions.
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.PROTECT, related_name="calibration_sessions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calibration_sessions_run"
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="calibration_sessions"
    )
    state = models.CharField(max_length=8, choices=SessionState.choices, default=SessionState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state"], name="calibration_session_state")]

    def __str__(self) -> str:
        return f"calibration {self.pk}: {self.name}"

    @property
    def results_open(self) -> bool:
        return self.state == SessionState.CLOSED


class CalibrationCall(models.Model):
    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="calls")
    followup_id = models.CharField("followup ID", max_length=FOLLOWUP_ID_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "followup_id"], name="calibration_call_once_per_session"
            ),
        ]
        indexes = [models.Index(fields=["followup_id"], name="calibration_call_followup")]

    def __str__(self) -> str:
        return f"{self.followup_id} in calibration {self.session_id}"


class CalibrationReview(models.Model):
    """One reviewer's submitted answers to one call of a session (read-only once made)."""

    call = models.ForeignKey(CalibrationCall, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calibration_reviews"
    )
    comment = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True)
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "reviewer__username", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "reviewer"], name="calibration_review_one_per_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"calibration review {self.pk} of {self.call.followup_id}"


class CalibrationAnswer(models.Model):
    review = models.ForeignKey(CalibrationReview, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=4, choices=AnswerValue.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="calibration_answer_one_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class ReferenceAnswer(models.Model):
    """The manager's answer to a criterion of a call: what the reviewers are measured against."""

    call = models.ForeignKey(CalibrationCall, on_delete=models.CASCADE, related_name="references")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=4, choices=AnswerValue.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["call", "criterion"], name="calibration_reference_one_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"reference {self.criterion_id}: {self.value}"
