from django.conf import settings
from django.db import models

RECENT_VIEWS_KEPT = 20
# Upstream values are opaque strings; longer ones are cut, never rejected.
VALUE_MAX_LENGTH = 64


class RecentView(models.Model):
    """A followup a user looked up, so the search page can offer it again.

    Only identifiers and enum values are stored: nothing personal about the debtor, and never
    a media URL (they are short-lived secrets).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_views"
    )
    followup_id = models.CharField(max_length=VALUE_MAX_LENGTH)
    followup_type = models.CharField(max_length=VALUE_MAX_LENGTH, blank=True)
    followup_status = models.CharField(max_length=VALUE_MAX_LENGTH, blank=True)
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
