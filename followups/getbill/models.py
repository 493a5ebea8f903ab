"""What the client hands back: GetBill's followups, its pages of them, and the quota seen."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Followup:
    """A followup as GetBill describes it; a field GetBill sent with a wrong type is None and
    named in `invalid_fields`, so pages can say "unknown" instead of failing."""

    id: str
    debt_id: str | None = None
    status: str | None = None
    type: str | None = None
    call_date: datetime | None = None
    scheduled_at: datetime | None = None
    processed_at: datetime | None = None
    summary: str | None = None
    notes: str | None = None
    call_id: str | None = None
    # Signed URLs are credentials for as long as they last: keep them out of reprs and logs.
    audio_url: str | None = field(default=None, repr=False)
    pdf_url: str | None = field(default=None, repr=False)
    duration_ms: int | None = None
    disconnection_reason: str | None = None
    direction: str | None = None
    phone_number_used: str | None = None
    is_retry: bool | None = None
    triggered_payment: bool | None = None
    email_opened: bool | None = None
    email_open_count: int | None = None
    email_first_opened_at: datetime | None = None
    email_clicked: bool | None = None
    email_click_count: int | None = None
    media_urls_expire_at: datetime | None = None
    invalid_fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pagination:
    total: int
    page: int
    limit: int
    pages: int


@dataclass(frozen=True)
class FollowupPage:
    followups: tuple[Followup, ...]
    pagination: Pagination


@dataclass(frozen=True)
class RateLimitStatus:
    limit: int | None
    remaining: int | None
    reset_at: datetime | None
    window_seconds: int | None
