"""Writing the audit trail: who looked at or listened to what, and how it went."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import AbstractBaseUser

from dashboard.logging import secrets_redact
from followups.models import (
    AUDIT_DETAIL_MAX_LENGTH,
    VALUE_MAX_LENGTH,
    AuditAction,
    AuditEntry,
    AuditOutcome,
    AuditSource,
)

_URL_LIKE = ("://", "www.")
# The entries waiting for `audit_entries_together`'s one INSERT, when a block is open.
_together: ContextVar[list[AuditEntry] | None] = ContextVar("audit_together", default=None)
_ID_RE = re.compile(rf"[A-Za-z0-9_-]{{1,{VALUE_MAX_LENGTH}}}")


def _id_clean(value: str) -> str:
    # Rejected input can be anything a user pasted, a signed link included: only values shaped
    # like a GetBill ID are kept.
    return value if _ID_RE.fullmatch(value) else ""


def _detail_clean(detail: str) -> str:
    # The detail is a short reason for people reading the trail; anything that looks like a
    # link is dropped whole (a signed media URL is a secret), and control characters go.
    words = [
        "[link]" if any(mark in word.lower() for mark in _URL_LIKE) else word
        for word in secrets_redact(detail).split()
    ]
    return " ".join(words)[:AUDIT_DETAIL_MAX_LENGTH]


def audit_record(
    *,
    user: AbstractBaseUser,
    action: AuditAction | str,
    outcome: AuditOutcome | str,
    followup_id: str = "",
    debt_id: str = "",
    detail: str = "",
    source: AuditSource | str = "",
) -> AuditEntry:
    """Append one entry to the audit trail.

    IDs are stored only when shaped like a GetBill ID (otherwise left empty); the user's name
    is copied so the entry still says who it was if the account is renamed. `source` says
    where shown data came from (GetBill, the shared cache, a stale copy). Inside
    `audit_entries_together`, written as the block ends.
    """
    entry = AuditEntry(
        user_id=user.pk,
        username=user.get_username()[:150],
        action=AuditAction(action),
        outcome=AuditOutcome(outcome),
        followup_id=_id_clean(followup_id),
        debt_id=_id_clean(debt_id),
        detail=_detail_clean(detail),
        source=AuditSource(source) if source else "",
    )
    pending = _together.get()
    if pending is not None:
        pending.append(entry)
    else:
        entry.save()
    return entry


@contextmanager
def audit_entries_together() -> Iterator[None]:
    """Write the entries recorded inside the block in one INSERT as it ends, whether it ends
    well or raises: a page that records its look and its debt card's writes once, still before
    it is shown (an entry that cannot be written fails the page, as ever). One write instead of
    two matters most on SQLite, where writers take turns."""
    pending: list[AuditEntry] = []
    token = _together.set(pending)
    try:
        yield
    finally:
        _together.reset(token)
        if pending:
            _entries_insert(pending)


def _entries_insert(entries: list[AuditEntry]) -> None:
    # One INSERT of every row, in autocommit: a single statement is atomic on its own, where
    # bulk_create wraps even one in a transaction, two more round trips to PostgreSQL on every
    # page. `_insert` is the step bulk_create and save() both end in; the IDs are not read back.
    fields = [field for field in AuditEntry._meta.concrete_fields if not field.primary_key]
    AuditEntry.objects._insert(entries, fields=fields)  # type: ignore[attr-defined]
