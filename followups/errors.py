"""The base of every error the dashboard tells a user about: GetBill's failures (the client
package's `GetBillError`), the dashboard's own refusals (a filter it does not offer, a missing
permission) and those of the apps built on it (`reviews.services.ReviewError`).

An error carries all that is said about it: the HTTP status it is answered with, the message
shown to the user, the page's title and hint, how the audit trail records it, and whether
trying again may help. Views raise it; the audit trail records it once
(`followups.access.refusals_audited`); one boundary renders it (`followups.error_boundary`).

No Django import here: the GetBill client builds on this class and is imported by the settings.
"""

from __future__ import annotations

import math


class AppError(Exception):
    """A failure or refusal with a message for the person who met it."""

    status_code: int = 400
    default_message: str = "That cannot be done."
    title: str = "That cannot be done"
    # What to do about it, under the message.
    hint: str = ""
    # A value of `followups.models.AuditOutcome` (spelled out: see the module's docstring).
    audit_outcome: str = "rejected_input"
    # The audit trail's words; "" records the message itself.
    audit_words: str = ""
    audit_shows_status: bool = False
    # Seconds until trying again may succeed, when known (pages count them down).
    retry_after_seconds: int | None = None
    # The message without the wait, for pages that count the wait down ("": the message).
    reason: str = ""
    # Whether the error page offers the lookup box again (a followup that could not be shown).
    offers_lookup: bool = False

    def __init__(self, user_message: str | None = None) -> None:
        self.user_message = user_message or self.default_message
        # Set once the audit trail has its entry, so that nested audited blocks write one.
        self.audited = False
        super().__init__(self.user_message)

    @property
    def message(self) -> str:
        return self.user_message

    @property
    def page_title(self) -> str:
        return self.title

    @property
    def audit_detail(self) -> str:
        words = self.audit_words or self.user_message
        return f"{words} ({self.status_code})" if self.audit_shows_status else words

    @property
    def retryable(self) -> bool:
        """True when the same request may succeed later (a wait, a fault upstream): pages
        offer "Try again" only then."""
        return self.status_code == 429 or self.status_code >= 500


def wait_describe(seconds: int) -> str:
    """A wait in words, for a message: "now", "in 30 seconds", "in 5 minutes"."""
    if seconds < 1:
        return "now"
    if seconds < 120:
        return f"in {seconds} seconds"
    return f"in {math.ceil(seconds / 60)} minutes"
