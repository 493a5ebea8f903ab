"""The page tests' fake GetBill (tests/support/fake_getbill.py) must be able to fail a test:
it answers only what a test told it, through the real client, and refuses everything else."""

import pytest

from followups import getbill
from followups.models import AuditEntry
from tests.support.examples import FOLLOWUP_ID
from tests.support.fake_getbill import ACCESS_TOKEN, UnexpectedRequestError


def test_a_followup_it_was_told_about_comes_through_the_real_client(fake_getbill):
    fake_getbill.followup_add(summary="Told by the test")
    followup = getbill.followup_get(followup_id=FOLLOWUP_ID)
    assert followup.summary == "Told by the test"
    [request] = fake_getbill.api_requests()
    assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert fake_getbill.followup_ids_asked() == [FOLLOWUP_ID]


def test_an_unexpected_followup_lookup_fails_the_test(fake_getbill, manager_client):
    with pytest.raises(UnexpectedRequestError, match="/followups/abc123"):
        manager_client.get("/followups/abc123/")
    assert [str(request.url) for request in fake_getbill.unexpected] == [
        "https://getbill.test/external-api/v1/followups/abc123"
    ]
    fake_getbill.unexpected.clear()  # seen here; the fixture would fail the test otherwise


def test_an_unexpected_debt_request_fails_the_test_too(fake_getbill, manager_client):
    # No module's imported names matter: the request itself is refused at the transport.
    with pytest.raises(UnexpectedRequestError, match="/followups/debt/xyz789"):
        manager_client.get("/debts/xyz789/followups/")
    assert len(fake_getbill.unexpected) == 1
    fake_getbill.unexpected.clear()


def test_the_refusal_is_not_mistaken_for_an_upstream_fault(fake_getbill, manager_client):
    # Not turned into a 502 page that a test could take for the behaviour under test.
    manager_client.raise_request_exception = False
    assert manager_client.get("/followups/abc123/").status_code == 500
    assert not AuditEntry.objects.filter(outcome="failed").exists()
    fake_getbill.unexpected.clear()
