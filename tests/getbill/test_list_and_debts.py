"""The client's followups list and debt reads against the sandbox, over real HTTP on loopback,
and the fallback to `followups:read` when the service account lacks `debts:read`."""

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from followups.getbill import (
    FOLLOWUP_STATUSES,
    FOLLOWUP_TYPES,
    Debt,
    NotFoundError,
    UpstreamFailureError,
    debt_get,
    followups_list_get,
)
from sandbox.data import EXAMPLES, FAULT_IDS, SANDBOX_FOLLOWUPS
from sandbox.debt_data import PERSONAL_FIELDS, SANDBOX_DEBT_RECORDS
from sandbox.state import requests_counted, sandbox_state_reset

HISTORY = EXAMPLES["debt_with_history"]


# --- The list ---------------------------------------------------------------------------------


def test_list_pages_newest_first(sandbox_upstream: str):
    first = followups_list_get(page=1, limit=20)
    assert [f.id for f in first.followups] == [r["id"] for r in SANDBOX_FOLLOWUPS[:20]]
    assert first.pagination.total == len(SANDBOX_FOLLOWUPS)
    second = followups_list_get(page=2, limit=20)
    assert [f.id for f in second.followups] == [r["id"] for r in SANDBOX_FOLLOWUPS[20:40]]


def test_list_filters(sandbox_upstream: str):
    page = followups_list_get(page=1, limit=100, status="no_answer", type="call")
    expected = [
        r["id"]
        for r in SANDBOX_FOLLOWUPS
        if r.get("type") == "call" and r.get("status") == "no_answer"
    ]
    assert [f.id for f in page.followups] == expected[:100]
    assert page.pagination.total == len(expected)


def test_list_past_its_end_is_an_empty_page(sandbox_upstream: str):
    page = followups_list_get(page=500, limit=100)
    assert page.followups == ()
    assert page.pagination.page == 500


@pytest.mark.parametrize(
    "arguments",
    [
        {"page": 0, "limit": 20},
        {"page": 100_001, "limit": 20},
        {"page": 1, "limit": 0},
        {"page": 1, "limit": 101},
        {"page": True, "limit": 20},
        {"page": 1, "limit": 20, "status": "escalated_legal"},
        {"page": 1, "limit": 20, "type": "fax"},
        {"page": 1, "limit": 20, "type": "call&status=x"},
    ],
)
def test_list_refuses_what_getbill_does_not_document_without_asking(
    sandbox_upstream: str, arguments: dict[str, Any]
):
    before = requests_counted()
    with pytest.raises(ValueError, match="must be"):
        followups_list_get(**arguments)
    assert requests_counted() == before


@hypothesis_settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    status=st.one_of(st.none(), st.sampled_from(FOLLOWUP_STATUSES)),
    type_=st.one_of(st.none(), st.sampled_from(FOLLOWUP_TYPES)),
)
def test_every_documented_filter_is_answered_and_matches(
    sandbox_upstream: str, status: str | None, type_: str | None
):
    sandbox_state_reset()
    page = followups_list_get(page=1, limit=100, status=status, type=type_)
    for followup in page.followups:
        assert status in (None, followup.status)
        assert type_ in (None, followup.type)


# --- Debts ------------------------------------------------------------------------------------


def test_debt_has_the_cards_fields_and_nothing_personal(sandbox_upstream: str):
    debt = debt_get(debt_id=HISTORY)
    assert debt == Debt(
        id=HISTORY,
        civility="Ms",
        firstname="Amélie",
        lastname="Dubois",
        debtor_company=None,
        creditor="Northwind Energy",
        amount=Decimal("482.60"),
        currency="EUR",
        status="status.default.settled",
        invoice_reference="NWE-2291-4471",
        due_date=debt.due_date,
        payment_plan_active=True,
        plan_start_date=debt.plan_start_date,
        followups_count=8,
        answered_count=1,
    )
    assert debt.due_date is not None
    assert debt.plan_start_date is not None
    record = SANDBOX_DEBT_RECORDS[HISTORY]
    text = repr(debt) + repr(vars(debt))
    for field in PERSONAL_FIELDS:
        assert not hasattr(debt, field)
        for value in (record[field],) if not isinstance(record[field], list) else ():
            if value:
                assert str(value) not in text


def test_every_sandbox_debt_reads_cleanly(sandbox_upstream: str):
    for debt_id in SANDBOX_DEBT_RECORDS:
        sandbox_state_reset()
        debt = debt_get(debt_id=debt_id)
        assert debt.invalid_fields == frozenset()


def test_a_debt_with_fields_left_out(sandbox_upstream: str):
    debt = debt_get(debt_id=EXAMPLES["debt_fields_left_out"])
    assert debt.creditor is None
    assert debt.payment_plan_active is None
    assert debt.amount == Decimal("58.0")


def test_debt_faults(sandbox_upstream: str):
    with pytest.raises(NotFoundError):
        debt_get(debt_id="noSuchDebt123")
    with pytest.raises(UpstreamFailureError):
        debt_get(debt_id=FAULT_IDS["wrong_id"])
    odd = debt_get(debt_id=FAULT_IDS["wrong_types"])
    assert {"amount", "status", "payment_plan_active", "currency", "due_date"} <= odd.invalid_fields
    assert odd.amount is None
