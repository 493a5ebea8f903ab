"""The audit trail admin: IDs linked to their pages, times whole, a labelled search box."""

import pytest

from followups.models import AuditAction, AuditEntry, AuditOutcome
from tests.support.html import assert_in_html, html_find, html_texts
from tests.support.pages import page_get


def test_the_audit_trail_links_ids_and_keeps_times_whole(auditor_client, manager_user):
    for outcome, followup_id, debt_id in [
        (AuditOutcome.SHOWN, "abc123def456", "xyz789ghi012"),
        (AuditOutcome.REJECTED_INPUT, "not an id", ""),
    ]:
        AuditEntry.objects.create(
            user=manager_user,
            username=manager_user.username,
            action=AuditAction.LOOKUP,
            outcome=outcome,
            followup_id=followup_id,
            debt_id=debt_id,
        )
    _, body = page_get(auditor_client, "/admin/followups/auditentry/")
    assert_in_html('<a href="/followups/abc123def456/"><code>abc123def456</code></a>', body)
    assert_in_html('<a href="/debts/xyz789ghi012/followups/"><code>xyz789ghi012</code></a>', body)
    assert_in_html("<code>not an id</code>", body)
    assert 'href="/followups/not' not in body
    assert_in_html('<link href="/static/css/admin.css" media="all" rel="stylesheet">', body)
    assert "Search the audit trail" in html_texts(body, "label")
    assert html_find(body, "form", role="search", aria_label="Search the audit trail")


@pytest.mark.parametrize(
    "query",
    [
        {"at__year": "9999"},
        {"at__year": "9999", "at__month": "12"},
        {"at__year": "9999", "at__month": "12", "at__day": "31"},
        {"at__year": "0"},
    ],
)
def test_a_year_past_the_calendar_goes_back_to_the_whole_list(auditor_client, query):
    response = auditor_client.get("/admin/followups/auditentry/", query)
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_webhook_deliveries_take_the_last_year_too(admin_client):
    response = admin_client.get("/admin/webhooks/webhookdelivery/", {"received_at__year": "9999"})
    assert response.status_code == 302
