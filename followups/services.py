"""Business logic of looking followups up: reading an ID out of what people paste, fetching the
followup from GetBill, and remembering what each user looked at."""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from followups import access
from followups.audit import audit_record
from followups.getbill import (
    Followup,
    GetBillId,
    InvalidIdError,
    followup_get,
    getbill_id_clean,
)
from followups.models import (
    RECENT_VIEWS_KEPT,
    VALUE_MAX_LENGTH,
    AuditAction,
    AuditOutcome,
    RecentView,
)

# A followup ID in a GetBill link: the segment after `/followups/` (app pages, API URLs and this
# dashboard's own links), but not the by-debt API path, whose next segment is a debt ID.
_URL_ID = re.compile(r"/followups/(?!debt/)([^/?#\s\"'<>]+)", re.IGNORECASE)
# `?followup_id=...` / `followupId=...` in a query string.
_PARAM_ID = re.compile(r"[?&]followup_?id=([^&#\s\"'<>]+)", re.IGNORECASE)
_DEBT_URL = re.compile(r"/followups/debt/|/debts?/[^/?#\s]+/?(?:$|[?#])", re.IGNORECASE)
_ANY_URL = re.compile(r"\S+://\S+|\bwww\.\S+")
# A stand-alone token in free text that looks like an encrypted ID: letters and digits mixed,
# which rules out words, dates, amounts and phone numbers around it.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{6,64}(?![A-Za-z0-9_-])")

ID_HELP = (
    "Paste a followup ID (like abc123def456), a GetBill link to a followup, "
    "or text that contains one."
)


def _invalid(message: str) -> InvalidIdError:
    return InvalidIdError(message)


def _looks_like_id(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def followup_id_from_text(*, text: str) -> GetBillId:
    """The followup ID in `text`: an ID on its own, a pasted link, or a sentence with one in it.

    Raises InvalidIdError with a message saying what was wrong.
    """
    stripped = text.strip()
    if not stripped:
        raise _invalid("Enter a followup ID. " + ID_HELP)
    try:
        return getbill_id_clean(raw=stripped)
    except InvalidIdError:
        pass

    for pattern in (_URL_ID, _PARAM_ID):
        match = pattern.search(stripped)
        if match:
            try:
                return getbill_id_clean(raw=unquote(match.group(1)))
            except InvalidIdError:
                raise _invalid(
                    "That link does not contain a valid followup ID. " + ID_HELP
                ) from None

    if _DEBT_URL.search(stripped) and " " not in stripped:
        raise _invalid("That is a link to a debt, not to a followup. " + ID_HELP)
    # Words of a link are not IDs: only the link's own followup segment counts, checked above.
    prose = _ANY_URL.sub(" ", stripped)
    if not prose.strip():
        raise _invalid("That link does not point to a followup. " + ID_HELP)
    candidates = list(dict.fromkeys(t for t in _TOKEN.findall(prose) if _looks_like_id(t)))
    if len(candidates) == 1:
        return getbill_id_clean(raw=candidates[0])
    if len(candidates) > 1:
        raise _invalid("That text contains more than one possible ID. Paste only one.")
    raise _invalid("No followup ID found in that text. " + ID_HELP)


def recent_view_record(
    *, user: AbstractBaseUser, followup_id: str, followup: Followup
) -> RecentView:
    """Remember that `user` looked at `followup`, keeping only their newest views.

    `followup_id` is the validated ID the user asked for, so links built from it always resolve.
    Two statements, each atomic on its own and neither reading first: an upsert (INSERT ... ON
    CONFLICT DO UPDATE) and a delete of all but the newest views. Many users looking followups
    up at once then only queue briefly for the database's write lock, with no transaction held
    between a read and a write.
    """
    view = RecentView(
        user_id=user.pk,
        followup_id=followup_id,
        followup_type=(followup.type or "")[:VALUE_MAX_LENGTH],
        followup_status=(followup.status or "")[:VALUE_MAX_LENGTH],
        viewed_at=timezone.now(),
    )
    RecentView.objects.bulk_create(
        [view],
        update_conflicts=True,
        unique_fields=["user", "followup_id"],
        update_fields=["followup_type", "followup_status", "viewed_at"],
    )
    newest = RecentView.objects.filter(user_id=user.pk).values("pk")[:RECENT_VIEWS_KEPT]
    RecentView.objects.filter(user_id=user.pk).exclude(pk__in=newest).delete()
    return view


def recent_views_list(
    *, user: AbstractBaseUser | AnonymousUser, limit: int = RECENT_VIEWS_KEPT
) -> list[RecentView]:
    if not user.is_authenticated:
        return []
    return list(RecentView.objects.filter(user_id=user.pk)[:limit])


def followup_id_from_input(*, user: AbstractBaseUser, text: str) -> GetBillId:
    """`followup_id_from_text`, with input that holds no ID audited as rejected."""
    try:
        return followup_id_from_text(text=text)
    except InvalidIdError as error:
        audit_record(
            user=user,
            action=AuditAction.LOOKUP,
            outcome=AuditOutcome.REJECTED_INPUT,
            detail=error.user_message,
        )
        raise


def _followup_fetch(
    *, audit: access.LookupAudit, followup_id: GetBillId, permissions: list[str]
) -> Followup:
    # The steps every followup use case starts with: access, the user's limit, the request,
    # and the audit entry of its outcome.
    access.access_require(audit=audit, permissions=permissions)
    access.lookup_limit_take(audit=audit)
    with access.getbill_failures_audited(audit=audit):
        followup = followup_get(followup_id=followup_id)
    audit.record(outcome=AuditOutcome.SHOWN, debt_id=followup.debt_id or "")
    return followup


def followup_lookup(*, user: AbstractBaseUser, followup_id: GetBillId) -> Followup:
    """Fetch a followup from GetBill for `user`, audit it and record the view.

    The followup comes without what the user may not see (recording link, full phone number).
    Raises, before any request to GetBill, PermissionMissingError and LookupLimitError; then
    the client's GetBillError subclasses (not found, denied, upstream faults).
    """
    followup = _followup_fetch(
        audit=access.LookupAudit(user=user, action=AuditAction.LOOKUP, followup_id=followup_id),
        followup_id=followup_id,
        permissions=[access.PERM_VIEW_FOLLOWUP_DATA],
    )
    # The client checked that GetBill answered for the ID asked for, already cleaned.
    recent_view_record(user=user, followup_id=followup.id, followup=followup)
    return access.followup_restrict(user=user, followup=followup)


def followup_recording_refresh(*, user: AbstractBaseUser, followup_id: GetBillId) -> Followup:
    """The followup fetched again for a fresh signed recording link, audited as such.

    Always asks GetBill: a kept copy would carry the link that is about to expire. Renewing the
    link is part of listening, so it is not another entry in the recently viewed list. Needs
    the "listen" permission and counts against the per-user limit; raises like
    `followup_lookup`.
    """
    followup = _followup_fetch(
        audit=access.LookupAudit(
            user=user, action=AuditAction.RECORDING_URL_REFRESH, followup_id=followup_id
        ),
        followup_id=followup_id,
        permissions=[access.PERM_VIEW_FOLLOWUP_DATA, access.PERM_LISTEN_RECORDING],
    )
    return access.followup_restrict(user=user, followup=followup)


def recording_play_record(*, user: AbstractBaseUser, followup_id: GetBillId) -> None:
    """Audit that `user` started playing the followup's recording (reported by the player).

    Raises PermissionMissingError without the "listen" permission.
    """
    audit = access.LookupAudit(
        user=user, action=AuditAction.RECORDING_PLAY, followup_id=followup_id
    )
    access.access_require(
        audit=audit, permissions=[access.PERM_VIEW_FOLLOWUP_DATA, access.PERM_LISTEN_RECORDING]
    )
    audit.record(outcome=AuditOutcome.SHOWN)
