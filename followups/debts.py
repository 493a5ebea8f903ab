"""Business logic of a debt's story: every followup of one debt, fetched page by page from
GetBill (or read from the shared cache of its answers), in time order, counted, filtered and cut
to a window around the followup under review.

The debt page and the detail page's side panel ask for the same pages (DEBT_PAGE_SIZE), so
either one reads what the other fetched.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import urlencode

from followups import access, values
from followups.getbill import (
    Answer,
    AnswerMode,
    Followup,
    FollowupPage,
    GetBillId,
    InvalidIdError,
    UpstreamTimeoutError,
    answers_combined,
    debt_answers_drop,
    debt_followups_answer_get,
    getbill_id_clean,
    lookup_deadline,
    time_left,
)
from followups.models import AuditAction

# GetBill's largest page: one request covers almost every debt.
DEBT_PAGE_SIZE = 100
# A debt with more followups than this is shown in part, with a note: each page is a request
# from the company's shared quota and one more wait for the reviewer.
DEBT_PAGES_MAX = 20
# All the pages of a debt are one lookup, under one GETBILL_DEADLINE; no further page is asked
# for with less than this left of it, as it could not arrive in time.
DEBT_PAGE_MIN_SECONDS = 0.25


def debt_kept_answers_drop(*, debt_id: str, card: bool) -> None:
    """Forget the debt's kept pages of followups (as this module asks for them), and with
    `card` its debt card's answer: GetBill said they changed."""
    debt_answers_drop(debt_id=debt_id, page_size=DEBT_PAGE_SIZE, pages=DEBT_PAGES_MAX, card=card)


# Followups shown around the current one in the detail page's side panel.
SIDE_WINDOW = 11
# The debt page opens its newest months until this many followups show; older months are
# folded, on the page already: opening one asks GetBill nothing.
MONTHS_OPEN_ENTRIES = 30
NO_DATE_LABEL = "No date"

MomentKind = Literal["executed", "scheduled", "processed"]


@dataclass(frozen=True)
class DebtTotals:
    followups: int
    calls: int
    emails: int
    letters: int
    messages: int
    others: int
    deals: int
    payments: int


@dataclass(frozen=True)
class DebtTimeline:
    """A debt's followups as fetched, newest first.

    `listed` is how many GetBill says the debt has; `incomplete` is True when fewer were
    fetched (page cap or time budget), and then totals and filters cover the fetched ones only.
    """

    debt_id: str
    followups: tuple[Followup, ...]
    listed: int
    pages_fetched: int
    incomplete: bool
    totals: DebtTotals


@dataclass(frozen=True)
class TimelineEntry:
    """One followup as a line of the timeline."""

    followup: Followup
    moment: datetime | None
    moment_kind: MomentKind | None
    status: str | None
    type: str | None
    duration_ms: int | None
    current: bool


@dataclass(frozen=True)
class DebtTimelineView:
    """The full page's list after the filters: `followup_type`/`status` are the filters in
    effect ("" for all); unknown values were dropped."""

    entries: tuple[TimelineEntry, ...]
    followup_type: str
    status: str
    current_id: str
    type_choices: tuple[values.FilterChoice, ...]
    status_choices: tuple[values.FilterChoice, ...]

    @property
    def filtered(self) -> bool:
        return bool(self.followup_type or self.status)


@dataclass(frozen=True)
class TimelineMonth:
    """A month of the debt page's list (newest first), shown open or folded."""

    label: str
    entries: tuple[TimelineEntry, ...]
    recordings: int
    open: bool


@dataclass(frozen=True)
class DebtLinks:
    """The side panel's addresses: the timeline fragment, and the full page (the way there
    without JavaScript), both marking the followup under review."""

    timeline: str
    page: str


@dataclass(frozen=True)
class DebtTimelineWindow:
    """The side panel's slice: up to SIDE_WINDOW entries around the current followup."""

    entries: tuple[TimelineEntry, ...]
    newer_hidden: int
    older_hidden: int
    current_found: bool


# --- One followup's place in the story -------------------------------------------------------


def followup_moment(*, followup: Followup) -> tuple[datetime | None, MomentKind | None]:
    """When the followup happened, or is planned, or was processed: the first one known."""
    if followup.call_date is not None:
        return followup.call_date, "executed"
    if followup.scheduled_at is not None:
        return followup.scheduled_at, "scheduled"
    if followup.processed_at is not None:
        return followup.processed_at, "processed"
    return None, None


def _entry(followup: Followup, *, current_id: str) -> TimelineEntry:
    moment, kind = followup_moment(followup=followup)
    return TimelineEntry(
        followup=followup,
        moment=moment,
        moment_kind=kind,
        status=values.enum_value_shown(followup=followup, field="status"),
        type=values.enum_value_shown(followup=followup, field="type"),
        duration_ms=followup.duration_ms if values.followup_is_call(followup=followup) else None,
        current=bool(current_id) and followup.id == current_id,
    )


# --- The whole debt ---------------------------------------------------------------------------


def debt_followups_sort(*, followups: Iterable[Followup]) -> list[Followup]:
    """Newest first by call date, else scheduled, else processed time; undated last.

    Ties go by ID, so the order is the same on every load whatever order GetBill sent.
    """

    def key(followup: Followup) -> tuple[bool, float]:
        moment, _ = followup_moment(followup=followup)
        return (moment is not None, moment.timestamp() if moment else 0.0)

    # A reversed sort keeps equal keys in their order: the ID order of the first sort.
    return sorted(sorted(followups, key=lambda followup: followup.id), key=key, reverse=True)


def debt_totals_count(*, followups: Iterable[Followup]) -> DebtTotals:
    categories: Counter[str] = Counter()
    deals = payments = 0
    for followup in followups:
        categories[values.followup_category(followup=followup)] += 1
        deals += values.enum_value_shown(followup=followup, field="status") == "deal_found"
        payments += followup.triggered_payment is True
    return DebtTotals(
        followups=sum(categories.values()),
        calls=categories["calls"],
        emails=categories["emails"],
        letters=categories["letters"],
        messages=categories["messages"],
        others=categories["others"],
        deals=deals,
        payments=payments,
    )


def debt_followups_fetch(
    *,
    debt_id: GetBillId,
    mode: AnswerMode = AnswerMode.CACHED,
    before_request: Callable[[], None] | None = None,
) -> Answer[DebtTimeline]:
    """Every followup of the debt GetBill lists, up to DEBT_PAGES_MAX pages of DEBT_PAGE_SIZE,
    each page from the shared cache or GetBill as `mode` allows (`before_request` runs before
    each page that is really asked of GetBill).

    All pages together end within one GETBILL_DEADLINE: the pages that did not come in time
    are left out and the timeline is marked incomplete (UpstreamTimeoutError when not even the
    first came). Any other failure on any page fails the whole fetch (the client already
    retried it once): totals of a silently partial story would mislead. Raises the client's
    GetBillError subclasses.
    """

    def page_get(number: int) -> Answer[FollowupPage]:
        return debt_followups_answer_get(
            debt_id=debt_id,
            page=number,
            limit=DEBT_PAGE_SIZE,
            mode=mode,
            before_request=before_request,
        )

    with lookup_deadline():
        answers = [page_get(1)]
        wanted = min(answers[0].value.pagination.pages, DEBT_PAGES_MAX)
        for number in range(2, wanted + 1):
            if time_left() < DEBT_PAGE_MIN_SECONDS:
                break
            try:
                answers.append(page_get(number))
            except UpstreamTimeoutError:
                break
            if not answers[-1].value.followups:
                break
    pages = [answer.value for answer in answers]
    # A followup added while paging shifts the pages: the same one can come twice.
    unique = {f.id: f for page in reversed(pages) for f in page.followups}
    followups = tuple(debt_followups_sort(followups=unique.values()))
    listed = max(pages[-1].pagination.total, len(followups))
    timeline = DebtTimeline(
        debt_id=debt_id,
        followups=followups,
        listed=listed,
        pages_fetched=len(pages),
        incomplete=listed > len(followups),
        totals=debt_totals_count(followups=followups),
    )
    return answers_combined(answers, value=timeline)


def debt_timeline_get(
    *, user: AbstractBaseUser, debt_id: GetBillId, panel: bool = False
) -> Answer[DebtTimeline]:
    """The debt's timeline for `user`, audited as one debt lookup, with where it came from.

    Like a followup lookup it needs `followups.view_followup_data`, and each page really asked
    of GetBill counts against the user's limit. The detail page's side `panel` is left out
    (QuotaReserveSkippedError) rather than spend the last of the company's quota. Raises,
    before any request to GetBill, PermissionMissingError (403) and LookupLimitError (429);
    then the client's GetBillError subclasses.
    """
    audit = access.LookupAudit(user=user, action=AuditAction.DEBT_LOOKUP, debt_id=debt_id)
    access.access_require(audit=audit, permissions=[access.PERM_VIEW_FOLLOWUP_DATA])
    with access.failures_audited(audit=audit):
        answer = debt_followups_fetch(
            debt_id=debt_id,
            mode=AnswerMode.OPTIONAL if panel else AnswerMode.CACHED,
            before_request=functools.partial(access.getbill_request_take, audit=audit),
        )
    audit.shown(answer=answer)
    # The timeline shows neither recordings nor phone numbers; restricting anyway keeps what a
    # user may not see out of every template context.
    timeline = answer.value
    followups = tuple(access.followup_restrict(user=user, followup=f) for f in timeline.followups)
    return dataclasses.replace(answer, value=dataclasses.replace(timeline, followups=followups))


# --- What one request shows ------------------------------------------------------------------


def _filter_value(raw: str, *, field: values.EnumField, present: set[str | None]) -> str:
    # Only a documented value or one the debt holds is a filter; anything else is ignored, so
    # a mistyped or stale link shows the whole debt rather than an error, and a bookmark with a
    # documented value this debt does not (or no longer) have reads "no followup matches".
    value = raw.strip()
    return value if value in values.documented_values(field=field) or value in present else ""


def _current_clean(raw: str) -> str:
    try:
        return getbill_id_clean(raw=raw) if raw else ""
    except InvalidIdError:
        return ""


def debt_timeline_filter(
    *, timeline: DebtTimeline, followup_type: str = "", status: str = "", current_id: str = ""
) -> DebtTimelineView:
    """The timeline's entries of one type and status (each "" for all), with the filter
    choices the debt's followups offer and the current followup marked."""
    current = _current_clean(current_id)
    types = [values.enum_value_shown(followup=f, field="type") for f in timeline.followups]
    statuses = [values.enum_value_shown(followup=f, field="status") for f in timeline.followups]
    chosen_type = _filter_value(followup_type, field="type", present=set(types))
    chosen_status = _filter_value(status, field="status", present=set(statuses))
    entries = tuple(
        _entry(f, current_id=current)
        for f, f_type, f_status in zip(timeline.followups, types, statuses, strict=True)
        if (not chosen_type or f_type == chosen_type)
        and (not chosen_status or f_status == chosen_status)
    )
    return DebtTimelineView(
        entries=entries,
        followup_type=chosen_type,
        status=chosen_status,
        current_id=current,
        type_choices=values.filter_choices(field="type", selected=chosen_type, present=types),
        status_choices=values.filter_choices(
            field="status", selected=chosen_status, present=statuses
        ),
    )


def _month_label(entry: TimelineEntry) -> str:
    if entry.moment is None:
        return NO_DATE_LABEL
    return dateformat.format(timezone.localtime(entry.moment), "F Y")


def debt_timeline_months(
    *, entries: Iterable[TimelineEntry], open_entries: int = MONTHS_OPEN_ENTRIES
) -> tuple[TimelineMonth, ...]:
    """The entries (newest first, undated last) by month in the user's time zone: the newest
    months open until `open_entries` are shown, and the month of the current followup."""
    months = []
    shown = 0
    for label, group in itertools.groupby(entries, key=_month_label):
        month_entries = tuple(group)
        is_open = shown < open_entries or any(entry.current for entry in month_entries)
        if is_open:
            shown += len(month_entries)
        months.append(
            TimelineMonth(
                label=label,
                entries=month_entries,
                recordings=sum(1 for entry in month_entries if entry.followup.audio_url),
                open=is_open,
            )
        )
    return tuple(months)


def debt_timeline_window(
    *, timeline: DebtTimeline, current_id: str, size: int = SIDE_WINDOW
) -> DebtTimelineWindow:
    """Up to `size` entries with the current followup in the middle (or the newest ones when
    the current followup is not among them)."""
    current = _current_clean(current_id)
    followups = timeline.followups
    index = next((i for i, f in enumerate(followups) if current and f.id == current), None)
    start = 0 if index is None else max(0, min(index - size // 2, len(followups) - size))
    end = min(len(followups), start + size)
    return DebtTimelineWindow(
        entries=tuple(_entry(f, current_id=current) for f in followups[start:end]),
        newer_hidden=start,
        older_hidden=len(followups) - end,
        current_found=index is not None,
    )


def debt_links(*, debt_id: GetBillId, current_id: str) -> DebtLinks:
    """Links for a clean debt ID; `current_id` (a followup ID, or "") is highlighted."""
    current_id = _current_clean(current_id)
    kwargs = {"debt_id": debt_id}
    query = f"?{urlencode({'current': current_id})}" if current_id else ""
    anchor = f"#followup-{current_id}" if current_id else ""
    return DebtLinks(
        timeline=reverse("followups:debt_timeline", kwargs=kwargs) + query,
        page=reverse("followups:debt_followups", kwargs=kwargs) + query + anchor,
    )
