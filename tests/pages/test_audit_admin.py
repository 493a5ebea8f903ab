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


# Lists with a date or time field, and that field.
DATED_LISTS = [
    ("/admin/followups/auditentry/", "at"),
    ("/admin/webhooks/webhookdelivery/", "received_at"),
    ("/admin/transcripts/transcript/", "created_at"),
    ("/admin/auth/user/", "date_joined"),
]
# Lookups of days near the calendar's ends, where Django fails working out a range.
HOSTILE_LOOKUPS = [
    "{}__year=9999",
    "{}__year=9999&{}__month=12",
    "{}__year=9999&{}__month=12&{}__day=31",
    "{}__year=1",
    "{}__iso_year=9999",
    "{}__iso_year=1",
    "{}__gte=9999-12-31T23:59:59-05:00",
    "{}__gte=9999-12-31 23:59:59",
    "{}__gte=0001-01-01",
    "{}__in=0001-01-01",
    "{}__year__gte=9999",
    "{}__year__lt=1",
]


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Paris", "Etc/GMT+12"])
@pytest.mark.parametrize(("url", "field"), DATED_LISTS)
def test_dates_past_the_calendar_go_back_to_the_whole_list(
    admin_client, settings, time_zone, url, field
):
    settings.TIME_ZONE = time_zone
    for lookup in HOSTILE_LOOKUPS:
        response = admin_client.get(f"{url}?{lookup.format(field, field, field)}")
        assert response.status_code in (200, 302), (lookup, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == f"{url}?e=1"
