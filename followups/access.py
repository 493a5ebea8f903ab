"""Who may see what, decided before GetBill is asked, and written to the audit trail.

The steps every lookup takes, in the order its service function calls them: the ID is cleaned
at the edge (`getbill_id_require`); the permission check (`access_require`) and the per-user
limit (`lookup_limit_take`) come first, none of them costing a request to GetBill; then the
request, whose failures are audited by `getbill_failures_audited`; then what a user may not see
is removed from the followup (`followup_restrict`), before any view or template gets it. Every
outcome leaves one audit entry, written through the lookup's `LookupAudit`.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin

from followups.audit import audit_record
from followups.getbill import (
    AccessDeniedError,
    Followup,
    GetBillError,
    GetBillId,
    InvalidIdError,
    RateLimitedError,
    Subject,
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

PHONE_VISIBLE_DIGITS = 3
PHONE_MASK = "•"


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


@dataclasses.dataclass(frozen=True)
class LookupAudit:
    """Who looks up what, for the audit trail: each step of a lookup records through this."""

    user: AbstractBaseUser
    action: AuditAction
    followup_id: str = ""
    debt_id: str = ""

    def record(self, *, outcome: str, detail: str = "", debt_id: str = "") -> None:
        """One entry; `debt_id` adds the debt a followup turned out to belong to."""
        audit_record(
            user=self.user,
            action=self.action,
            outcome=outcome,
            followup_id=self.followup_id,
            debt_id=self.debt_id or debt_id,
            detail=detail,
        )


def access_require(*, audit: LookupAudit, permissions: Sequence[str]) -> None:
    """Raise PermissionMissingError, audited as denied, unless the user holds `permissions`."""
    user = audit.user
    if user_may(user=user, permissions=permissions):
        return
    detail = _permission_missing_detail(user=user, permissions=permissions)
    audit.record(outcome=AuditOutcome.DENIED, detail=detail)
    raise PermissionMissingError()


def getbill_id_require(
    *, user: AbstractBaseUser, action: AuditAction, raw: str, subject: Subject = "followup"
) -> GetBillId:
    """The cleaned GetBill ID; InvalidIdError, audited as rejected input, if it is not one."""
    try:
        return getbill_id_clean(raw=raw, subject=subject)
    except InvalidIdError as error:
        LookupAudit(user=user, action=action).record(
            outcome=error.audit_outcome, detail=error.audit_detail
        )
        raise


def lookup_limit_take(*, audit: LookupAudit) -> None:
    """Count one lookup against the user's per-minute limit; LookupLimitError, audited as rate
    limited, when it is reached (GetBill is not asked)."""
    wait = lookup_quota_take(user=audit.user)
    if wait is None:
        return
    limit = settings.DASHBOARD_LOOKUPS_PER_MINUTE
    audit.record(
        outcome=AuditOutcome.RATE_LIMITED,
        detail=f"Over the dashboard's per-minute lookup limit ({limit})",
    )
    raise LookupLimitError(retry_after_seconds=wait)


@contextlib.contextmanager
def getbill_failures_audited(*, audit: LookupAudit) -> Iterator[None]:
    """Audit a GetBillError raised in the block with the outcome and words it carries, and let
    it go on."""
    try:
        yield
    except GetBillError as error:
        audit.record(outcome=error.audit_outcome, detail=error.audit_detail)
        raise
