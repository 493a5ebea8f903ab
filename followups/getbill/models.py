"""What the client hands back: GetBill's followups, its pages of them, debts, and the quota
seen."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


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
class Debt:
    """A debt as GetBill describes it, with only what a debt card shows.

    GetBill's answer also holds the debtor's phone, e-mail, birth date, postal address, IBAN
    and contacts: the parser never copies them, so no page, log, cache or error report can hold
    them. A field sent with a wrong type is None and named in `invalid_fields`.
    """

    id: str
    civility: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    # The debtor's company (B2B debts); `creditor` is GetBill's `company`, the client owed.
    debtor_company: str | None = None
    creditor: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    # `status.default.*` or a status of the company's own, as sent.
    status: str | None = None
    invoice_reference: str | None = None
    due_date: date | None = None
    payment_plan_active: bool | None = None
    plan_start_date: date | None = None
    followups_count: int | None = None
    # GetBill's `nb_answered`: calls the debtor answered.
    answered_count: int | None = None
    invalid_fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RateLimitStatus:
    limit: int | None
    remaining: int | None
    reset_at: datetime | None
    window_seconds: int | None

    def supersedes(self, kept: "RateLimitStatus") -> bool:
        """Whether this count is at least as recent as `kept`: a later window (reset), or the
        same window with no more requests left. Answers to concurrent requests come back, and
        are recorded, in any order; an older count must not replace a later one (the footer's
        fragments follow the same rule in static/js/dashboard.js). A count missing either figure
        cannot be compared, and is taken as the later."""
        if self.reset_at is None or kept.reset_at is None:
            return True
        if self.remaining is None or kept.remaining is None:
            return True
        if self.reset_at != kept.reset_at:
            return self.reset_at > kept.reset_at
        return self.remaining <= kept.remaining
