"""The audit trail admin: IDs linked to their pages, times whole, a labelled search box."""

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
