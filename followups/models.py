from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

RECENT_VIEWS_KEPT = 20
# Upstream values are opaque strings; longer ones are cut, never rejected.
VALUE_MAX_LENGTH = 64
# Enough of GetBill's one-line summary to tell the followups of a list apart.
RECENT_SUMMARY_MAX_LENGTH = 120


class RecentView(models.Model):
    """A followup a user looked up, so the search page can offer it again.

    Only identifiers, enum values, the followup's own date and the start of GetBill's one-line
    summary are stored (cut to RECENT_SUMMARY_MAX_LENGTH, control characters and runs of white
    space removed), so rows of the list can be told apart; never the notes, phone numbers or a
    media URL (they are short-lived secrets).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_views"
    )
    followup_id = models.CharField(max_length=VALUE_MAX_LENGTH)
    followup_type = models.CharField(max_length=VALUE_MAX_LENGTH, blank=True)
    followup_status = models.CharField(max_length=VALUE_MAX_LENGTH, blank=True)
    followup_summary = models.CharField(max_length=RECENT_SUMMARY_MAX_LENGTH, blank=True)
    # When the followup happened (or is planned, or was processed): its own date in the list.
    followup_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-viewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "followup_id"], name="recent_view_unique_per_user"
            ),
        ]
        indexes = [models.Index(fields=["user", "-viewed_at"], name="recent_view_user_newest")]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.followup_id}"


class FollowupAccess(models.Model):
    """Holder of the dashboard's own permissions; its table stays empty.

    The table exists (it was table-less once) because `manage.py dumpdata`, a backup, reads
    every model's table.

    - `followups.view_followup_data`: look followups up and see their details.
    - `followups.listen_recording`: get and play call recordings.
    - `followups.view_full_phone`: see phone numbers in full (others see the last 3 digits).
    - `followups.view_debtor_name`: see the debtor's name on debt cards (others see initials).
    The audit trail's `followups.view_auditentry` comes with AuditEntry.
    """

    class Meta:
        default_permissions = ()
        permissions = [
            ("view_followup_data", "Can look up followups and see their details"),
            ("listen_recording", "Can listen to call recordings"),
            ("view_full_phone", "Can see full phone numbers"),
            ("view_debtor_name", "Can see debtors' names"),
        ]

    def __str__(self) -> str:
        return "followup access"


class AuditAction(models.TextChoices):
    LOOKUP = "lookup", "Followup lookup"
    DEBT_LOOKUP = "debt_lookup", "Debt lookup"
    RECORDING_PLAY = "recording_play", "Recording played"
    RECORDING_URL_REFRESH = "recording_url_refresh", "Recording link fetched"
    COMMENT_ADD = "comment_add", "Review comment added"
    COMMENT_EDIT = "comment_edit", "Review comment edited"
    COMMENT_DELETE = "comment_delete", "Review comment deleted"
    REVIEW_SAVE = "review_save", "Review draft saved"
    REVIEW_SUBMIT = "review_submit", "Review submitted"
    REVIEW_REOPEN = "review_reopen", "Review reopened"
    REVIEWS_EXPORT = "reviews_export", "Reviews exported"
    FOLLOWUPS_LIST = "followups_list", "Followups list"
    REVIEW_QUEUE = "review_queue", "Review queue"
    DEBT_DETAIL = "debt_detail", "Debt details"
    DOCUMENT_OPEN = "document_open", "Letter PDF opened"
    TRANSCRIPT_VIEW = "transcript_view", "Transcript read"
    TRANSCRIPT_DOWNLOAD = "transcript_download", "Transcript downloaded"
    TRANSCRIPT_SEARCH = "transcript_search", "Transcripts searched"
    CALIBRATION_CREATE = "calibration_create", "Calibration session created"
    CALIBRATION_SUBMIT = "calibration_submit", "Calibration review submitted"
    CALIBRATION_REFERENCE = "calibration_reference", "Calibration references saved"
    CALIBRATION_CLOSE = "calibration_close", "Calibration session closed"
    CALIBRATION_RESULTS = "calibration_results", "Calibration results viewed"
    CALIBRATION_EXPORT = "calibration_export", "Calibration results exported"


class AuditOutcome(models.TextChoices):
    SHOWN = "shown", "Shown"
    NOT_FOUND = "not_found", "Not found"
    DENIED = "denied", "Denied"
    FAILED = "failed", "Failed"
    REJECTED_INPUT = "rejected_input", "Rejected input"
    RATE_LIMITED = "rate_limited", "Rate limited"


class AuditSource(models.TextChoices):
    """Where the data a look showed came from. Empty for entries where nothing was fetched
    (denied, rejected input, a played recording) and for entries made before it was kept."""

    GETBILL = "getbill", "GetBill"
    CACHE = "cache", "Cache"
    STALE = "stale", "Stale copy"


class AuditTrailImmutableError(Exception):
    """An attempt to change or delete audit entries outside the retention purge."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    # Bulk paths bypass Model.save()/delete(), so they are closed here too.
    def update(self, **kwargs: object) -> int:
        raise AuditTrailImmutableError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailImmutableError("Audit entries cannot be deleted, only purged.")

    def expired_purge(self, *, before: datetime) -> int:
        """Delete entries older than `before`: the retention purge, the only deleting path."""
        deleted, _ = models.QuerySet.delete(self.filter(at__lt=before))
        return deleted


AUDIT_DETAIL_MAX_LENGTH = 200


class AuditEntry(models.Model):
    """One look at or listen to debtor data, or an attempt at one. Append-only.

    The user row is protected (deactivate accounts rather than deleting them) and the user
    name is copied, so an entry always says who it was.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_entries"
    )
    username = models.CharField("user name", max_length=150)
    at = models.DateTimeField("time", default=timezone.now, db_index=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    outcome = models.CharField(max_length=32, choices=AuditOutcome.choices)
    followup_id = models.CharField(
        "followup ID", max_length=VALUE_MAX_LENGTH, blank=True, db_index=True
    )
    debt_id = models.CharField("debt ID", max_length=VALUE_MAX_LENGTH, blank=True, db_index=True)
    detail = models.CharField(max_length=AUDIT_DETAIL_MAX_LENGTH, blank=True)
    source = models.CharField(max_length=16, choices=AuditSource.choices, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"{at:%Y-%m-%d %H:%M:%S %Z} {self.username} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditTrailImmutableError("Audit entries cannot be changed.")
        # An INSERT even when a primary key is given, so no existing row is ever overwritten.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailImmutableError("Audit entries cannot be deleted, only purged.")
