"""Who may see what, decided before GetBill is asked, and written to the audit trail.

Every lookup that reaches for GetBill goes through `upstream_lookup`: the permission check, the
ID check and the per-user limit come first (none of them costs a request to GetBill), then
the request, and every outcome is audited. What a user may not see is removed from the
followup here, before any view or template gets it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin

from followups.audit import audit_record
from followups.getbill import (
    AccessDeniedError,
    Followup,
    GetBillError,
    InvalidIdError,
    NotFoundError,
    RateLimitedError,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
    getbill_id_clean,
)
from followups.models import AuditAction, AuditOutcome
from followups.throttle import lookup_quota_take

PERM_VIEW_FOLLOWUP_DATA = "followups.view_followup_data"
PERM_LISTEN_RECORDING = "followups.listen_recording"
PERM_VIEW_FULL_PHONE = "followups.view_full_phone"
PERM_VIEW_AUDIT = "followups.view_auditentry"

# How the audit trail names a permission a user lacked, for people reading it.
PERMISSION_WORDS = {
    PERM_VIEW_FOLLOWUP_DATA: "view followups",
    PERM_LISTEN_RECORDING: "listen to recordings",
    PERM_VIEW_FULL_PHONE: "see full phone numbers",
    PERM_VIEW_AUDIT: "read the audit trail",
}
# How the audit trail says what went wrong at GetBill; the first matching class wins.
_GETBILL_ERROR_WORDS: tuple[tuple[type[GetBillError], str], ...] = (
    (NotFoundError, "GetBill found no such {kind}"),
    (AccessDeniedError, "GetBill denied access"),
    (RateLimitedError, "GetBill's rate limit reached"),
    (InvalidIdError, "GetBill refused the {kind} ID"),
    (UpstreamTimeoutError, "GetBill took too long to answer"),
    (UpstreamUnavailableError, "GetBill unreachable"),
    (UpstreamFailureError, "GetBill failed or sent an unreadable answer"),
)

PHONE_VISIBLE_DIGITS = 3
PHONE_MASK = "•"

T = TypeVar("T")


class PermissionMissingError(AccessDeniedError):
    """The signed-in user's roles do not allow this; GetBill was not asked."""

    default_message = (
        "Your account is not allowed to see this. Ask an administrator for the role you need "
        "(Collections managers or QA reviewers)."
    )


class LookupLimitError(RateLimitedError):
    """The user reached DASHBOARD_LOOKUPS_PER_MINUTE; GetBill was not asked."""

    def __init__(self, *, retry_after_seconds: int) -> None:
        limit = settings.DASHBOARD_LOOKUPS_PER_MINUTE
        super().__init__(
            f"You reached the limit of {limit} lookups a minute per person, which keeps the "
            f"company's shared GetBill quota available to everyone. Try again in "
            f"{retry_after_seconds} s.",
            retry_after_seconds=retry_after_seconds,
        )


def user_may(*, user: AbstractBaseUser | AnonymousUser, permissions: Sequence[str]) -> bool:
    """True when `user` is active, signed in and holds every permission (fails closed)."""
    return (
        isinstance(user, PermissionsMixin)
        and user.is_active
        and user.is_authenticated
        and user.has_perms(permissions)
    )


def phone_mask(*, number: str) -> str:
    """Every digit but the last three replaced by a dot; other characters kept."""
    digits_seen = 0
    total = sum(char.isdigit() for char in number)
    masked = []
    for char in number:
        if char.isdigit():
            digits_seen += 1
            masked.append(char if digits_seen > total - PHONE_VISIBLE_DIGITS else PHONE_MASK)
        else:
            masked.append(char)
    return "".join(masked)


def followup_restrict(*, user: AbstractBaseUser | AnonymousUser, followup: Followup) -> Followup:
    """`followup` without what `user` may not see: the recording link without "listen", the
    full phone number without "full phone"."""
    audio_url = followup.audio_url
    if not user_may(user=user, permissions=[PERM_LISTEN_RECORDING]):
        audio_url = None
    phone = followup.phone_number_used
    if phone and not user_may(user=user, permissions=[PERM_VIEW_FULL_PHONE]):
        phone = phone_mask(number=phone)
    if audio_url == followup.audio_url and phone == followup.phone_number_used:
        return followup
    return dataclasses.replace(followup, audio_url=audio_url, phone_number_used=phone)


def _outcome(error: GetBillError) -> str:
    if isinstance(error, NotFoundError):
        return AuditOutcome.NOT_FOUND
    if isinstance(error, AccessDeniedError):
        return AuditOutcome.DENIED
    if isinstance(error, RateLimitedError):
        return AuditOutcome.RATE_LIMITED
    if isinstance(error, InvalidIdError):
        return AuditOutcome.REJECTED_INPUT
    return AuditOutcome.FAILED


def _permission_missing_detail(*, user: AbstractBaseUser, permissions: Sequence[str]) -> str:
    # An inactive account holds no permission at all, so every one is named.
    missing = [
        permission
        for permission in permissions
        if not (isinstance(user, PermissionsMixin) and user.has_perm(permission))
    ] or list(permissions)
    return "No permission to " + " or ".join(
        PERMISSION_WORDS.get(permission, permission) for permission in missing
    )


def getbill_error_detail(*, error: GetBillError, is_debt: bool) -> str:
    """What went wrong at GetBill, in the audit trail's words, with the status answered."""
    words = next(
        (text for cls, text in _GETBILL_ERROR_WORDS if isinstance(error, cls)), "GetBill error"
    )
    return f"{words.format(kind='debt' if is_debt else 'followup')} ({error.status_code})"


def access_require(
    *,
    user: AbstractBaseUser,
    permissions: Sequence[str],
    action: AuditAction,
    followup_id: str = "",
    debt_id: str = "",
) -> None:
    """Raise PermissionMissingError, audited as denied, unless `user` holds `permissions`."""
    if user_may(user=user, permissions=permissions):
        return
    audit_record(
        user=user,
        action=action,
        outcome=AuditOutcome.DENIED,
        followup_id=followup_id,
        debt_id=debt_id,
        detail=_permission_missing_detail(user=user, permissions=permissions),
    )
    raise PermissionMissingError()


def id_require(*, user: AbstractBaseUser, action: AuditAction, raw: str, is_debt: bool) -> str:
    """The cleaned GetBill ID; InvalidIdError, audited as rejected input, if it is not one."""
    try:
        return getbill_id_clean(raw=raw)
    except InvalidIdError:
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.REJECTED_INPUT,
            detail=f"not a valid {'debt' if is_debt else 'followup'} ID",
        )
        raise


def upstream_lookup(
    *,
    user: AbstractBaseUser,
    action: AuditAction,
    permissions: Sequence[str],
    raw_id: str,
    is_debt: bool,
    fetch: Callable[[str], T],
    debt_id_of: Callable[[T], str | None] = lambda result: None,
) -> T:
    """Check, limit, fetch and audit one lookup; `fetch` gets the cleaned ID.

    Raises PermissionMissingError (403) or InvalidIdError (400) or LookupLimitError (429)
    without calling `fetch`, and re-raises the client's GetBillError subclasses; each case
    leaves one audit entry.
    """
    id_field = "debt_id" if is_debt else "followup_id"
    access_require(user=user, permissions=permissions, action=action, **{id_field: raw_id})
    clean_id = id_require(user=user, action=action, raw=raw_id, is_debt=is_debt)
    ids = {id_field: clean_id}
    wait = lookup_quota_take(user=user)
    if wait is not None:
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.RATE_LIMITED,
            detail=(
                "Over the dashboard's per-minute lookup limit "
                f"({settings.DASHBOARD_LOOKUPS_PER_MINUTE})"
            ),
            **ids,
        )
        raise LookupLimitError(retry_after_seconds=wait)
    try:
        result = fetch(clean_id)
    except GetBillError as error:
        audit_record(
            user=user,
            action=action,
            outcome=_outcome(error),
            detail=getbill_error_detail(error=error, is_debt=is_debt),
            **ids,
        )
        raise
    if not is_debt:
        ids["debt_id"] = debt_id_of(result) or ""
    audit_record(user=user, action=action, outcome=AuditOutcome.SHOWN, **ids)
    return result
