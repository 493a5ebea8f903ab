"""Finding the work: the followups list (GetBill's filters and pages, in the URL) and the QA
reviewer's queue of calls to review, with "Next in queue".

Each use case reads top to bottom: access, the user's limit, GetBill, the audit trail (one
entry per page, with its filters), then what the role may see. Input is checked before any of
it (`list_filters_require`), and only GetBill's documented filter values are ever sent.

The queue is the call-like followups that have a recording, newest first, without those the
reviewer has reviewed. GetBill filters its list by one type at a time and not by recording, so
a part of the queue is one page of each call-like type, merged and filtered here. The order of
the part a reviewer saw is kept in their session (IDs only), so "Next in queue" costs no request
to GetBill until that part is used up.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils.http import urlencode

from followups import access, extensions, forms, presentation, values
from followups.debts import MomentKind, debt_followups_sort, followup_moment
from followups.getbill import (
    Followup,
    GetBillId,
    answers_combined,
    followups_list_answer_get,
)
from followups.models import AuditAction
from followups.moments import duration_format

LIST_PAGE_SIZE = 25
LIST_PAGE_MAX = forms.LIST_PAGE_MAX
# GetBill's largest page: a part of the queue is one request per call-like type.
QUEUE_PAGE_SIZE = 100
QUEUE_PART_MAX = forms.QUEUE_PART_MAX
SUMMARY_MAX_LENGTH = 140
# The detail page shows "Next in queue" when opened from the queue (`?from=queue`).
FROM_QUEUE = "queue"
# Reviewers listen: the queue is for those who may.
QUEUE_PERMISSIONS = (access.PERM_VIEW_FOLLOWUP_DATA, access.PERM_LISTEN_RECORDING)


ListInputError = forms.ListInputError


def queue_reviewed_ids(*, user: AbstractBaseUser) -> set[str]:
    """The followups `user` is done with, which their queue leaves out: those the apps built on
    followups register (the reviews app: a submitted review; a draft stays in the queue)."""
    return extensions.queue_excluded_ids(user=user)


# --- Rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowupRow:
    """One followup as a line of the list or the queue. `followup` has no media links."""

    followup: Followup
    type: str | None
    status: str | None
    moment: datetime | None
    moment_kind: MomentKind | None
    duration: str | None
    recording: bool
    summary: str | None
    detail_url: str
    debt_url: str | None


def followup_row(
    *, user: AbstractBaseUser, followup: Followup, from_queue: bool = False
) -> FollowupRow:
    """The row of `followup` as `user` may see it: media links never reach a row."""
    recording = bool(followup.audio_url) and "audio_url" not in followup.invalid_fields
    restricted = access.followup_restrict(user=user, followup=followup)
    shown = dataclasses.replace(restricted, audio_url=None, pdf_url=None)
    moment, kind = followup_moment(followup=shown)
    detail_url = reverse("followups:detail", kwargs={"followup_id": shown.id})
    return FollowupRow(
        followup=shown,
        type=values.enum_value_shown(followup=shown, field="type"),
        status=values.enum_value_shown(followup=shown, field="status"),
        moment=moment,
        moment_kind=kind,
        duration=duration_format(ms=shown.duration_ms)
        if values.followup_is_call(followup=followup)
        else None,
        recording=recording,
        summary=values.summary_line(text=shown.summary, max_length=SUMMARY_MAX_LENGTH) or None,
        detail_url=f"{detail_url}?{urlencode({'from': FROM_QUEUE})}" if from_queue else detail_url,
        debt_url=presentation.debt_page_url(debt_id=shown.debt_id),
    )


# --- The followups list -----------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    """What a page of the list shows; valid by construction (`list_filters_require`)."""

    type: str | None = None
    status: str | None = None
    page: int = 1

    @property
    def filtered(self) -> bool:
        return self.type is not None or self.status is not None

    def url(self, *, page: int | None = None) -> str:
        """The list's address for these filters (and `page`): shareable, works without JS."""
        wanted = self.page if page is None else page
        params = {"type": self.type, "status": self.status, "page": wanted if wanted > 1 else None}
        query = urlencode({name: value for name, value in params.items() if value})
        base = reverse("followups:lookup")
        return f"{base}?{query}" if query else base

    @property
    def audit_words(self) -> str:
        words = [
            f"type {self.type}" if self.type else "",
            f"status {self.status}" if self.status else "",
        ]
        return ", ".join([w for w in words if w] or ["all followups"]) + f", page {self.page}"


def list_filters_require(*, user: AbstractBaseUser, query: Mapping[str, str]) -> ListFilters:
    """The list's filters from the query string (empty values mean "all"); ListInputError,
    audited as rejected, for anything GetBill does not document or a page outside 1 to
    LIST_PAGE_MAX."""
    with access.failures_audited(
        audit=access.LookupAudit(user=user, action=AuditAction.FOLLOWUPS_LIST)
    ):
        values = forms.ListFiltersForm(query).cleaned_require()
    return ListFilters(
        type=values["type"] or None, status=values["status"] or None, page=values["page"]
    )


@dataclass(frozen=True)
class FollowupsListing:
    filters: ListFilters
    rows: tuple[FollowupRow, ...]
    total: int
    pages: int

    @classmethod
    def empty(cls) -> FollowupsListing:
        """The list with no rows and no filter chosen, around a message about refused input."""
        return cls(filters=ListFilters(), rows=(), total=0, pages=0)

    @property
    def page(self) -> int:
        return self.filters.page

    @property
    def filtered(self) -> bool:
        return self.filters.filtered

    @property
    def page_url(self) -> str:
        return reverse("followups:lookup")

    @property
    def previous_url(self) -> str | None:
        return self.filters.url(page=self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return (
            self.filters.url(page=self.page + 1)
            if self.page < min(self.pages, LIST_PAGE_MAX)
            else None
        )

    @property
    def last_url(self) -> str:
        return self.filters.url(page=max(1, min(self.pages, LIST_PAGE_MAX)))

    @property
    def type_choices(self) -> tuple[values.FilterChoice, ...]:
        # GetBill's list gives no counts per value (a debt's page, which has them all, does).
        return values.filter_choices(field="type", selected=self.filters.type)

    @property
    def status_choices(self) -> tuple[values.FilterChoice, ...]:
        return values.filter_choices(field="status", selected=self.filters.status)

    @property
    def title(self) -> str:
        """The tab's title: what the page shows."""
        type_, status = self.filters.type, self.filters.status
        parts = [
            values.enum_label(field="type", value=type_) if type_ else "Followups",
            values.enum_label(field="status", value=status) if status else "",
            f"page {self.page}" if self.page > 1 else "",
        ]
        return " · ".join(part for part in parts if part)


def followups_browse(*, user: AbstractBaseUser, filters: ListFilters) -> FollowupsListing:
    """A page of the company's followups, newest first, as `user` may see them; one audit entry
    with the filters. Raises, before any request to GetBill, PermissionMissingError and
    LookupLimitError; then the client's GetBillError subclasses."""
    audit = access.LookupAudit(user=user, action=AuditAction.FOLLOWUPS_LIST)
    access.access_require(audit=audit, permissions=[access.PERM_VIEW_FOLLOWUP_DATA])
    with access.failures_audited(audit=audit):
        answer = followups_list_answer_get(
            page=filters.page,
            limit=LIST_PAGE_SIZE,
            status=filters.status,
            type=filters.type,
            before_request=functools.partial(access.getbill_request_take, audit=audit),
        )
    page = answer.value
    audit.shown(
        answer=answer,
        what=f"{filters.audit_words}: {len(page.followups)} of {page.pagination.total}",
    )
    return FollowupsListing(
        filters=filters,
        rows=tuple(followup_row(user=user, followup=f) for f in page.followups),
        total=page.pagination.total,
        pages=page.pagination.pages,
    )


# --- The review queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueSnapshot:
    """The order of the queue's part a reviewer last saw, kept in their session: IDs only."""

    part: int
    ids: tuple[str, ...]
    has_older: bool

    def as_session(self) -> dict[str, Any]:
        return {"part": self.part, "ids": list(self.ids), "has_older": self.has_older}

    @classmethod
    def from_session(cls, value: object) -> QueueSnapshot | None:
        if not isinstance(value, dict):
            return None
        part, ids, older = value.get("part"), value.get("ids"), value.get("has_older")
        if not (isinstance(part, int) and isinstance(ids, list) and isinstance(older, bool)):
            return None
        return cls(part=part, ids=tuple(i for i in ids if isinstance(i, str)), has_older=older)


@dataclass(frozen=True)
class ReviewQueue:
    rows: tuple[FollowupRow, ...]
    part: int
    has_older: bool

    @property
    def snapshot(self) -> QueueSnapshot:
        ids = tuple(row.followup.id for row in self.rows)
        return QueueSnapshot(part=self.part, ids=ids, has_older=self.has_older)

    @property
    def previous_url(self) -> str | None:
        return queue_url(part=self.part - 1) if self.part > 1 else None

    @property
    def next_url(self) -> str | None:
        return queue_url(part=self.part + 1) if self.has_older else None

    @property
    def title(self) -> str:
        return f"Calls to review ({len(self.rows)})"


def queue_url(*, part: int = 1) -> str:
    base = reverse("followups:queue")
    return f"{base}?{urlencode({'part': part})}" if part > 1 else base


def queue_part_require(*, user: AbstractBaseUser, query: Mapping[str, str]) -> int:
    """The queue's part from the query string; ListInputError, audited as rejected, outside 1
    to QUEUE_PART_MAX."""
    with access.failures_audited(
        audit=access.LookupAudit(user=user, action=AuditAction.REVIEW_QUEUE)
    ):
        part: int = forms.QueuePartForm(query).cleaned_require()["part"]
    return part


def review_queue_get(*, user: AbstractBaseUser, part: int) -> ReviewQueue:
    """Part `part` of `user`'s queue: call-like followups with a recording, newest first,
    without those they reviewed. One audit entry and one lookup of the user's limit, however
    many requests it takes. Needs the "listen" permission; raises like `followups_browse`."""
    audit = access.LookupAudit(user=user, action=AuditAction.REVIEW_QUEUE)
    access.access_require(audit=audit, permissions=QUEUE_PERMISSIONS)
    before_request = functools.partial(access.getbill_request_take, audit=audit)
    with access.failures_audited(audit=audit):
        answers = [
            followups_list_answer_get(
                page=part, limit=QUEUE_PAGE_SIZE, type=followup_type, before_request=before_request
            )
            for followup_type in values.CALL_TYPES
        ]
    pages = [answer.value for answer in answers]
    reviewed = queue_reviewed_ids(user=user)
    merged = debt_followups_sort(followups=[f for page in pages for f in page.followups])
    waiting = [f for f in merged if f.audio_url and f.id not in reviewed]
    audit.shown(
        answer=answers_combined(answers, value=None),
        what=f"part {part}: {len(waiting)} calls to review",
    )
    return ReviewQueue(
        rows=tuple(followup_row(user=user, followup=f, from_queue=True) for f in waiting),
        part=part,
        has_older=part < QUEUE_PART_MAX and any(p.pagination.pages > part for p in pages),
    )


def queue_next_find(
    *, user: AbstractBaseUser, after_id: GetBillId, snapshot: QueueSnapshot | None
) -> tuple[str | None, QueueSnapshot | None]:
    """The followup that comes after `after_id` in `user`'s queue, and the queue's part it was
    found in (to keep in the session); None at the end of the queue.

    Read from `snapshot` when `after_id` is in it, which costs GetBill nothing; the next part is
    fetched when the snapshot is used up, the first one when it does not hold `after_id`.
    Raises like `review_queue_get` when a part has to be fetched.
    """
    audit = access.LookupAudit(user=user, action=AuditAction.REVIEW_QUEUE, followup_id=after_id)
    access.access_require(audit=audit, permissions=QUEUE_PERMISSIONS)
    part = 1
    if snapshot is not None and after_id in snapshot.ids:
        reviewed = queue_reviewed_ids(user=user)
        later = snapshot.ids[snapshot.ids.index(after_id) + 1 :]
        following = next((i for i in later if i not in reviewed and i != after_id), None)
        if following is not None or not snapshot.has_older:
            return following, snapshot
        part = snapshot.part + 1
    queue = review_queue_get(user=user, part=part)
    ids = queue.snapshot.ids
    later = ids[ids.index(after_id) + 1 :] if after_id in ids else ids
    return next((i for i in later if i != after_id), None), queue.snapshot
