"""The fallback to `followups:read` when the service account lacks `debts:read`: the token
endpoint refusing the scope, granting less than asked, or the API answering 403 "Required
scope"; against the sandbox over real HTTP on loopback."""

import logging
from typing import Any

import pytest

from followups.getbill import AccessDeniedError, ScopeMissingError, debt_get, followups_list_get
from sandbox.data import EXAMPLES, FAULT_IDS
from sandbox.state import requests_counted

HISTORY = EXAMPLES["debt_with_history"]


def test_a_refused_scope_falls_back_to_followups_read_and_is_logged_once(
    sandbox_upstream: str, settings: Any, caplog: pytest.LogCaptureFixture
):
    settings.SANDBOX_GRANTED_SCOPES = ["followups:read"]
    caplog.set_level(logging.WARNING, logger="followups.getbill")
    # The token endpoint refuses `followups:read debts:read`; the followups keep working.
    assert followups_list_get(page=1, limit=5).followups
    with pytest.raises(ScopeMissingError):
        debt_get(debt_id=HISTORY)
    before = requests_counted()
    for _ in range(3):
        with pytest.raises(ScopeMissingError):
            debt_get(debt_id=HISTORY)
    assert requests_counted() == before, "known missing: GetBill is not asked again"
    missing = [r for r in caplog.records if "lacks the debts:read scope" in r.getMessage()]
    assert len(missing) == 1


def test_a_403_required_scope_falls_back(sandbox_upstream: str, settings: Any):
    settings.SANDBOX_GRANTED_SCOPES = ["followups:read"]
    settings.SANDBOX_SCOPES_NARROWED = True
    # Signed in with followups:read only (granted less than asked): the API refuses the debt.
    with pytest.raises(ScopeMissingError) as refused:
        debt_get(debt_id=HISTORY)
    assert "debts:read" in refused.value.user_message
    before = requests_counted()
    with pytest.raises(ScopeMissingError):
        debt_get(debt_id=HISTORY)
    assert requests_counted() == before
    assert followups_list_get(page=1, limit=5).followups


def test_an_api_403_that_is_not_about_the_scope_stays_an_access_error(sandbox_upstream: str):
    with pytest.raises(AccessDeniedError) as denied:
        debt_get(debt_id=FAULT_IDS["forbidden"])
    assert not isinstance(denied.value, ScopeMissingError)
    # Debts still work afterwards: nothing was recorded as missing.
    assert debt_get(debt_id=HISTORY).id == HISTORY


def test_without_debts_read_configured_no_debt_request_is_made(
    sandbox_upstream: str, settings: Any
):
    settings.GETBILL_SCOPES = "followups:read"
    before = requests_counted()
    with pytest.raises(ScopeMissingError):
        debt_get(debt_id=HISTORY)
    assert requests_counted() == before
