"""Who may see what, decided before GetBill is asked, and written to the audit trail.

The steps every lookup takes, in the order its service function calls them: the ID is cleaned
at the edge (`getbill_id_require`); the permission check (`access_require`) comes first, before
the shared cache of GetBill's answers is even read; then the answer, from the cache or from
GetBill, with the per-user limit (`getbill_request_take`) taken only when a request really goes
to GetBill, and failures audited by `failures_audited`; then what a user may not see is
removed from the followup (`followup_restrict`), after the cache, before any view or template
gets it. Every outcome leaves one audit entry, written through the lookup's `LookupAudit`, with
where the data came from.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from followups.audit import audit_record
from followups.errors import AppError, wait_describe
from followups.getbill import (
    Answer,
    AnswerSource,
    Followup,
    GetBillId,
    Subject,
    getbill_id_clean,
)
from followups.models import AuditAction, AuditOutcome
from followups.throttle import getbill_request_take as user_getbill_request_take

PERM_VIEW_FOLLOWUP_DATA = "followups.view_followup_data"
PERM_LISTEN_RECORDING = "followups.listen_recording"
PERM_VIEW_FULL_PHONE = "followups.view_full_phone"
PERM_VIEW_DEBTOR_NAME = "followups.view_debtor_name"
PERM_VIEW_AUDIT = "followups.view_auditentry"

# How the audit trail names a permission a user lacked, for people reading it.
PERMISSION_WORDS = {
    PERM_VIEW_FOLLOWUP_DATA: "view followups",
    PERM_LISTEN_RECORDING: "listen to recordings",
    PERM_VIEW_FULL_PHONE: "see full phone numbers",
    PERM_VIEW_DEBTOR_NAME: "see debtors' names",
    PERM_VIEW_AUDIT: "read the audit trail",
}

# Any error a use case raises, returned as it was given.
E = TypeVar("E", bound=AppError)

PHONE_VISIBLE_DIGITS = 3
PHONE_MASK = "•"


class PermissionMissingError(AppError):
    """The signed-in user's roles do not allow this; GetBill was not asked. `missing` says
    which permissions, in the audit trail's words."""

    status_code = 403
    default_message = (
        "Your account is not allowed to see this. Ask an administrator for the role you need "
        "(Collections managers or QA reviewers)."
    )
    title = "Access denied"
    audit_outcome = AuditOutcome.DENIED
    offers_lookup = True

    def __init__(self, *, missing: str = "") -> None:
        super().__init__()
        self.audit_words = missing


class LookupLimitError(AppError):
    """The user reached DASHBOARD_GETBILL_REQUESTS_PER_HOUR; GetBill was not asked."""

    status_code = 429
    title = "Too many requests to GetBill"
    audit_outcome = AuditOutcome.RATE_LIMITED
    offers_lookup = True

    def __init__(self, *, retry_after_seconds: int) -> None:
        limit = settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR
        self.reason = (
            f"You reached your share of the company's GetBill quota: {limit} requests to "
            "GetBill an hour per person, so that it lasts for everyone (pages already seen cost "
            "nothing)."
        )
        super().__init__(f"{self.reason} Try again {wait_describe(retry_after_seconds)}.")
        self.retry_after_seconds = retry_after_seconds
        # Words of this instance, not of the class: they name the limit in force.
        self.audit_words = f"Over the per-user limit of GetBill requests ({limit} an hour)"


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

    def record(
        self, *, outcome: str, detail: str = "", debt_id: str = "", source: str = ""
    ) -> None:
        """One entry; `debt_id` adds the debt a followup turned out to belong to, `source`
        where the data shown came from."""
        audit_record(
            user=self.user,
            action=self.action,
            outcome=outcome,
            followup_id=self.followup_id,
            debt_id=self.debt_id or debt_id,
            detail=detail,
            source=source,
        )

    def shown(self, *, answer: Answer[Any], debt_id: str = "", what: str = "") -> None:
        """The entry of a look that showed `answer`, saying where it came from (and, for a
        kept copy, when it was fetched and why GetBill was not asked); `what` says what the
        page showed (a list's filters), first."""
        detail = what
        if answer.source is AnswerSource.STALE or answer.quota_reserve:
            fetched = answer.fetched_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            reason = (
                answer.failure.audit_detail
                if answer.failure is not None
                else "GetBill quota under the reserve"
            )
            detail = "; ".join(part for part in (what, f"Copy fetched {fetched}", reason) if part)
        self.record(
            outcome=AuditOutcome.SHOWN, debt_id=debt_id, detail=detail, source=answer.source
        )


def access_require(*, audit: LookupAudit, permissions: Sequence[str]) -> None:
    """Raise PermissionMissingError, audited as denied, unless the user holds `permissions`."""
    user = audit.user
    if user_may(user=user, permissions=permissions):
        return
    missing = _permission_missing_detail(user=user, permissions=permissions)
    raise refused(audit=audit, error=PermissionMissingError(missing=missing))


def signed_in_user(request: HttpRequest) -> AbstractBaseUser:
    """The request's user. LoginRequiredMiddleware lets only signed-in users reach the views;
    this fails closed all the same (PermissionDenied), and gives the type checker the user."""
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    return request.user


def getbill_id_require(
    *, user: AbstractBaseUser, action: AuditAction, raw: str, subject: Subject = "followup"
) -> GetBillId:
    """The cleaned GetBill ID; InvalidIdError, audited as rejected input, if it is not one
    (the entry leaves the refused text out)."""
    with failures_audited(audit=LookupAudit(user=user, action=action)):
        return getbill_id_clean(raw=raw, subject=subject)


def getbill_request_take(*, audit: LookupAudit) -> None:
    """Count one request to GetBill against the user's hourly share; LookupLimitError when it
    is used up (GetBill is not asked). Called by the cache of answers only when a request is
    about to go to GetBill, inside `failures_audited`, which audits the refusal."""
    wait = user_getbill_request_take(user=audit.user)
    if wait is not None:
        raise LookupLimitError(retry_after_seconds=wait)


def refused(*, audit: LookupAudit, error: E) -> E:
    """`error`, with its audit entry (the outcome and words it carries) written unless it has
    one already: every refusal and failure of a use case is recorded here, once."""
    if not error.audited:
        audit.record(outcome=error.audit_outcome, detail=error.audit_detail)
        error.audited = True
    return error


@contextlib.contextmanager
def failures_audited(*, audit: LookupAudit) -> Iterator[None]:
    """Audit an AppError raised in the block (`refused`) and let it go on."""
    try:
        yield
    except AppError as error:
        refused(audit=audit, error=error)
        raise
