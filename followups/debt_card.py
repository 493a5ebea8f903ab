"""The debt behind a followup, as a card: who owes what to whom, its status and its plan.

One use case, `debt_card_get`, read top to bottom: access, the user's limit, GetBill (or only
the shared cache, for a peek), the audit trail, then what the role may see. It never fails the
page around it: a missing `debts:read` scope or a GetBill failure becomes a card that says so
in one line.

Who sees the debtor's name: Collections managers (`followups.view_debtor_name`) act on the debt
itself (they call back, agree plans, answer disputes) and need it. QA reviewers judge how a call
went: the amount, the status and the plan matter for that, the person's identity does not, so
they see initials, just as they see phone numbers masked (GDPR's data minimisation). The name is
also in the browser tab's title, which ends up in history and on shared screens: the same rule
applies there.

When the detail page shows the card (`followup_debt_card_get`): at once when it costs nothing,
a fresh kept copy of the debt's answer in the shared cache (someone's look already brought it),
peeked at with AnswerMode.KEPT, which never asks GetBill. Otherwise the card is `on_demand`, and
the page never waits for GetBill's debt answer after its followup answer (two round trips one
after the other would make a first look cost twice a GetBill request): for collections
managers, who act on the debt, the card's region loads it right after the page (`loads_at_once`,
an htmx load whose address is also a link without JavaScript); for everyone else (QA reviewers
judging the call) a "Show the debt" control loads it in place. Either way `debt_card_get`, one
request at most, counted against the user's share and audited as any card look. Why not at
once for reviewers: in a
reviewer's queue most debts have one call, so the card cost a request on nearly every call
(2.86 requests a call instead of 2.24, `bench/quota.py`: 34 reviewers in the hourly quota
instead of 44) for facts a reviewer seldom needs to judge a call. A peek that finds nothing
is not a look at anything and leaves no audit entry; one that finds a copy is audited like any
look (source: cache). The debt's own page shows the card at once for everyone: whoever opens
it wants the debt.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from django.contrib.auth.models import AbstractBaseUser
from django.utils import dateformat, timezone

from followups import access
from followups.debt_display import debt_status_display, debtor_name_compose, money_format
from followups.errors import AppError
from followups.getbill import (
    AnswerMode,
    Debt,
    Followup,
    GetBillId,
    InvalidIdError,
    NotKeptError,
    ScopeMissingError,
    ScopeRefusedError,
    debt_answer_get,
    getbill_id_clean,
)
from followups.models import AuditAction
from followups.presentation import Fact, FactKind
from followups.values import StatusDisplay

# "on_demand": not loaded, to spare GetBill's quota; the page offers to load it.
CardState = Literal["shown", "scope_missing", "error", "on_demand"]
DATE_FORMAT = "j M Y"


@dataclass(frozen=True)
class DebtCard:
    state: CardState
    debt_id: str
    debtor: Fact | None = None
    # True when the role sees initials instead of the name.
    name_hidden: bool = False
    status: StatusDisplay | None = None
    # The amount owed, one of `facts` too, named for the page's title.
    amount: Fact | None = None
    facts: tuple[Fact, ...] = ()
    # The one line shown instead of the details (scope missing).
    message: str = ""
    error: AppError | None = None
    # `on_demand` only: the page loads the card right after itself instead of offering to.
    loads_at_once: bool = False

    @property
    def retry_at(self) -> datetime | None:
        """When a rate-limited card may be asked for again."""
        if self.error is None or self.error.retry_after_seconds is None:
            return None
        return timezone.now() + timedelta(seconds=self.error.retry_after_seconds)

    @property
    def debtor_shown(self) -> str | None:
        """The debtor as this role may see them, for the tab's title; None when not known."""
        if self.debtor is None or self.debtor.kind != "text":
            return None
        return str(self.debtor.value)


def _fact(debt: Debt, field: str, label: str, *, value: Any, kind: FactKind = "text") -> Fact:
    if field in debt.invalid_fields:
        return Fact(label=label, kind="unknown")
    if value is None or value == "":
        return Fact(label=label, kind="missing")
    return Fact(label=label, kind=kind, value=value)


def _day(value: Any) -> str | None:
    return None if value is None else dateformat.format(value, DATE_FORMAT)


def _plan_words(debt: Debt) -> str | None:
    if debt.payment_plan_active is None:
        return None
    if not debt.payment_plan_active:
        return "No plan"
    if debt.plan_start_date is None:
        return "Active"
    return f"Active since {_day(debt.plan_start_date)}"


def debt_card_build(*, debt: Debt, name_visible: bool) -> DebtCard:
    """The card of `debt`; `name_visible` False gives the debtor's initials only."""
    name_fields = {"civility", "firstname", "lastname", "debtor_company"}
    debtor = debtor_name_compose(
        civility=debt.civility,
        firstname=debt.firstname,
        lastname=debt.lastname,
        company=debt.debtor_company,
        initials_only=not name_visible,
    )
    if name_fields & debt.invalid_fields and debtor is None:
        debtor_fact = Fact(label="Debtor", kind="unknown")
    else:
        debtor_fact = _fact(debt, "debtor", "Debtor", value=debtor)
    status = (
        debt_status_display(status="unknown")
        if "status" in debt.invalid_fields
        else debt_status_display(status=debt.status)
    )
    amount = _fact(
        debt,
        "amount",
        "Amount",
        value=money_format(amount=debt.amount, currency=debt.currency),
        kind="mono",
    )
    return DebtCard(
        state="shown",
        debt_id=debt.id,
        debtor=debtor_fact,
        name_hidden=not name_visible and debtor is not None,
        status=status,
        amount=amount,
        facts=(
            _fact(debt, "creditor", "Creditor", value=debt.creditor),
            amount,
            _fact(debt, "due_date", "Due", value=_day(debt.due_date)),
            _fact(debt, "invoice_reference", "Invoice", value=debt.invoice_reference, kind="mono"),
            _fact(
                debt,
                "payment_plan_active"
                if "plan_start_date" not in debt.invalid_fields
                else "plan_start_date",
                "Payment plan",
                value=_plan_words(debt),
            ),
            _fact(debt, "followups_count", "Followups", value=debt.followups_count),
            _fact(debt, "answered_count", "Answered calls", value=debt.answered_count),
        ),
    )


def debt_card_get(*, user: AbstractBaseUser, debt_id: GetBillId, peek: bool = False) -> DebtCard:
    """The card of debt `debt_id` for `user`, audited; never raises an AppError.

    Before any request to GetBill, the permission to see followups. The card is part of the
    page that shows it (a followup, a debt) and comes from the shared cache of answers like
    it; a request it makes to GetBill counts against the user's hourly share, as every one
    does (past it the card says so, and the page still shows). Without `debts:read` the card
    says what to grant (and GetBill is not asked again while it is known to be missing).

    `peek`: only a fresh kept copy, never GetBill; without one the card is `on_demand`, and
    nothing is audited (nothing was looked at).
    """
    audit = access.LookupAudit(user=user, action=AuditAction.DEBT_DETAIL, debt_id=debt_id)
    try:
        access.access_require(audit=audit, permissions=[access.PERM_VIEW_FOLLOWUP_DATA])
        with access.failures_audited(audit=audit):
            try:
                answer = debt_answer_get(
                    debt_id=debt_id,
                    mode=AnswerMode.KEPT if peek else AnswerMode.CACHED,
                    before_request=functools.partial(access.getbill_request_take, audit=audit),
                )
            except NotKeptError:
                return DebtCard(state="on_demand", debt_id=debt_id)
            except ScopeMissingError as error:
                # Nothing about the debt was seen; the card only says what to grant. GetBill's
                # own refusal is a lookup that reached it, audited like any other.
                if isinstance(error, ScopeRefusedError):
                    audit.record(outcome=error.audit_outcome, detail=error.audit_detail)
                return DebtCard(state="scope_missing", debt_id=debt_id, message=error.user_message)
    except AppError as error:
        return DebtCard(state="error", debt_id=debt_id, error=error)
    audit.shown(answer=answer)
    return debt_card_build(
        debt=answer.value,
        name_visible=access.user_may(user=user, permissions=[access.PERM_VIEW_DEBTOR_NAME]),
    )


def followup_debt_card_get(*, user: AbstractBaseUser, followup: Followup) -> DebtCard | None:
    """The card of the debt behind `followup` on its detail page: from a fresh kept copy, else
    `on_demand`, loaded right after the page for those who see debtors' names (collections
    managers); None when GetBill gave the followup no usable debt ID."""
    try:
        debt_id = getbill_id_clean(raw=followup.debt_id or "", subject="debt")
    except InvalidIdError:
        return None
    card = debt_card_get(user=user, debt_id=debt_id, peek=True)
    if card.state != "on_demand":
        return card
    acts_on_debts = access.user_may(user=user, permissions=[access.PERM_VIEW_DEBTOR_NAME])
    return replace(card, loads_at_once=acts_on_debts)


def debt_page_title(*, card: DebtCard) -> str:
    """The debt page's tab title: the debtor as the role sees them and the amount owed."""
    if card.debtor_shown is None:
        return f"Debt {card.debt_id}"
    # Only an amount GetBill gave (not one missing or sent with the wrong type) is in the title.
    amount = card.amount.value if card.amount and card.amount.kind == "mono" else None
    return " · ".join(str(part) for part in (f"Debt of {card.debtor_shown}", amount) if part)
