"""The audit trail: one entry per look and listen, append-only, browsed and exported by
auditors, purged after the retention period."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups import services
from followups.audit import audit_entries_together, audit_record
from followups.getbill import getbill_id_clean
from followups.models import AuditEntry, AuditTrailImmutableError
from sandbox.data import EXAMPLES, FAULT_IDS

CALL_ID = EXAMPLES["call_deal_found"]
CHANGELIST = "/admin/followups/auditentry/"
EXPORT = "/admin/followups/auditentry/export.csv"


def _entries() -> list[tuple[str, str, str, str]]:
    return list(
        AuditEntry.objects.order_by("id").values_list("action", "outcome", "followup_id", "debt_id")
    )


# --- What gets recorded -------------------------------------------------------------------------


def test_a_shown_lookup_records_user_followup_and_debt(sandbox, manager_client):
    before = timezone.now()
    assert manager_client.get(f"/followups/{CALL_ID}/").status_code == 200
    entry = AuditEntry.objects.get(action="lookup")
    # The debt card, loaded after the page, is its own entry (tests/pages/test_debt_card.py);
    # the page alone looked at nothing of the debt.
    assert not AuditEntry.objects.exclude(action="lookup").exists()
    card = f"/debts/{EXAMPLES['debt_with_history']}/card/"
    swap = {"HX-Request": "true", "HX-Target": "debt-card"}
    assert manager_client.get(card, headers=swap).status_code == 200
    assert AuditEntry.objects.exclude(action="lookup").get().action == "debt_detail"
    assert entry.username == "manager-user"
    assert entry.user.username == "manager-user"
    assert (entry.action, entry.outcome) == ("lookup", "shown")
    assert entry.followup_id == CALL_ID
    assert entry.debt_id == EXAMPLES["debt_with_history"]
    assert before <= entry.at <= timezone.now()


@pytest.mark.parametrize(
    ("fault", "outcome", "status", "detail"),
    [
        ("not_found", "not_found", 404, "GetBill found no such followup (404)"),
        ("forbidden", "denied", 403, "GetBill denied access (403)"),
        ("server_error", "failed", 502, "GetBill failed with an error of its own (500)"),
        (
            "bad_gateway_html",
            "failed",
            502,
            "a gateway in front of GetBill answered with an error page",
        ),
        ("malformed_json", "failed", 502, "GetBill's answer was not readable JSON"),
        ("wrong_id", "failed", 502, "GetBill answered for another followup"),
        ("rate_limited", "rate_limited", 429, "GetBill's rate limit reached (429)"),
    ],
)
def test_getbill_errors_are_recorded_with_their_outcome_in_plain_words(
    sandbox, manager_client, fault, outcome, status, detail
):
    followup_id = FAULT_IDS[fault]
    assert manager_client.get(f"/followups/{followup_id}/").status_code == status
    assert _entries() == [("lookup", outcome, followup_id, "")]
    assert AuditEntry.objects.get().detail == detail


def test_rejected_input_is_recorded_without_the_input(manager_client, fake_getbill):
    pasted = "https://s3.amazonaws.com/b/r.mp3?X-Amz-Signature=deadbeef and abc123 def456"
    assert manager_client.get("/followups/", {"q": pasted}).status_code == 400
    assert manager_client.get("/followups/bad.id!/").status_code == 400
    assert _entries() == [
        ("lookup", "rejected_input", "", ""),
        ("lookup", "rejected_input", "", ""),
    ]
    for entry in AuditEntry.objects.all():
        assert "deadbeef" not in entry.detail
        assert "://" not in entry.detail


def test_the_per_user_limit_is_recorded(manager_client, settings, fake_getbill):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    fake_getbill.any_followup()
    assert manager_client.get("/followups/abc123/").status_code == 200
    assert manager_client.get("/followups/abc124/").status_code == 429
    # The debt card rides on the page's lookup: it is audited but not counted again.
    lookups = [entry for entry in _entries() if entry[0] == "lookup"]
    assert lookups == [
        ("lookup", "shown", "abc123", "xyz789ghi012"),
        ("lookup", "rate_limited", "abc124", ""),
    ]
    details = list(
        AuditEntry.objects.filter(action="lookup").order_by("id").values_list("detail", flat=True)
    )
    assert details[-1] == "Over the per-user limit of GetBill requests (1 an hour)"


def test_missing_permission_is_recorded(plain_client):
    assert plain_client.get(f"/followups/{CALL_ID}/").status_code == 403
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.outcome, entry.followup_id) == ("lookup", "denied", CALL_ID)
    assert entry.detail == "No permission to view followups"


def test_only_the_missing_permission_is_named(plain_user, plain_client):
    plain_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="followups", codename="view_followup_data")
    )
    url = reverse("followups:recording_played", kwargs={"followup_id": CALL_ID})
    assert plain_client.post(url).status_code == 403
    assert AuditEntry.objects.get().detail == "No permission to listen to recordings"


def test_a_play_is_recorded(manager_client):
    url = reverse("followups:recording_played", kwargs={"followup_id": CALL_ID})
    assert manager_client.post(url).status_code == 204
    assert _entries() == [("recording_play", "shown", CALL_ID, "")]


def test_a_fresh_recording_link_is_recorded(sandbox, manager_user, manager_client):
    followup = services.followup_recording_refresh(
        user=manager_user, followup_id=getbill_id_clean(raw=CALL_ID)
    )
    assert followup.audio_url
    url = reverse("followups:recording", kwargs={"followup_id": CALL_ID})
    assert manager_client.get(url, headers={"HX-Request": "true"}).status_code == 200
    entry = ("recording_url_refresh", "shown", CALL_ID, EXAMPLES["debt_with_history"])
    # A renewal is not another view: the lookup is not recorded twice.
    assert _entries() == [entry, entry]


def test_audit_record_keeps_links_and_odd_ids_out(manager_user):
    entry = audit_record(
        user=manager_user,
        action="lookup",
        outcome="failed",
        followup_id="<script>",
        debt_id="x" * 65,
        detail="see https://bucket.s3.amazonaws.com/a.mp3?X-Amz-Signature=abc Bearer "
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl " + "long " * 100,
    )
    assert entry.followup_id == ""
    assert entry.debt_id == ""
    assert "amazonaws" not in entry.detail
    assert "eyJ" not in entry.detail
    assert len(entry.detail) <= 200


def test_unknown_action_or_outcome_is_refused(manager_user):
    with pytest.raises(ValueError, match="peek"):
        audit_record(user=manager_user, action="peek", outcome="shown")
    with pytest.raises(ValueError, match="maybe"):
        audit_record(user=manager_user, action="lookup", outcome="maybe")


# --- Append-only ---------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted(manager_user):
    entry = audit_record(user=manager_user, action="lookup", outcome="shown", followup_id="a1")
    entry.outcome = "denied"
    with pytest.raises(AuditTrailImmutableError):
        entry.save()
    with pytest.raises(AuditTrailImmutableError):
        entry.delete()
    with pytest.raises(AuditTrailImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(outcome="denied")
    with pytest.raises(AuditTrailImmutableError):
        AuditEntry.objects.all().delete()
    # bulk_update opens an atomic block without a savepoint: give it one of its own here.
    with pytest.raises(AuditTrailImmutableError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["outcome"])
    # A new object carrying an existing primary key is an INSERT, which the database refuses.
    clone = AuditEntry(
        pk=entry.pk, user=manager_user, username="x", action="lookup", outcome="denied"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    assert AuditEntry.objects.get().outcome == "shown"


def test_a_user_with_entries_cannot_be_deleted(manager_user):
    audit_record(user=manager_user, action="lookup", outcome="shown")
    with pytest.raises(ProtectedError):
        manager_user.delete()


def test_purge_deletes_only_entries_past_retention(manager_user, settings):
    settings.DASHBOARD_AUDIT_RETENTION_DAYS = 30
    old = audit_record(user=manager_user, action="lookup", outcome="shown", followup_id="old1")
    # Back in time in SQL: the ORM refuses to change an entry.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET at = %s WHERE id = %s",  # noqa: S608
            [timezone.now() - timedelta(days=31), old.pk],
        )
    audit_record(user=manager_user, action="lookup", outcome="shown", followup_id="new1")
    out = io.StringIO()
    call_command("audit_purge", "--dry-run", stdout=out)
    assert "1 audit entries" in out.getvalue()
    assert AuditEntry.objects.count() == 2
    call_command("audit_purge", stdout=out)
    assert "Deleted 1 audit entries older than 30 days" in out.getvalue()
    assert list(AuditEntry.objects.values_list("followup_id", flat=True)) == ["new1"]


# --- The admin -------------------------------------------------------------------------------


@pytest.fixture
def trail(manager_user, qa_user):
    audit_record(
        user=manager_user, action="lookup", outcome="shown", followup_id="abc123", source="getbill"
    )
    audit_record(user=qa_user, action="lookup", outcome="not_found", followup_id="zzz999")
    audit_record(user=qa_user, action="recording_play", outcome="shown", followup_id="abc123")
    audit_record(
        user=qa_user,
        action="lookup",
        outcome="failed",
        followup_id="-abc",
        detail='=HYPERLINK("x") +1 @SUM(A1)',
    )


def test_auditors_browse_filter_and_search_the_trail(auditor_client, trail):
    page = auditor_client.get(CHANGELIST)
    assert page.status_code == 200
    body = page.content.decode()
    assert "zzz999" in body
    assert "Export CSV" in body
    filtered = auditor_client.get(CHANGELIST, {"outcome": "not_found"}).content.decode()
    assert "zzz999" in filtered
    assert "abc123" not in filtered
    searched = auditor_client.get(CHANGELIST, {"q": "abc123"}).content.decode()
    assert "abc123" in searched
    assert "zzz999" not in searched
    by_source = auditor_client.get(CHANGELIST, {"source": "getbill"}).content.decode()
    assert "abc123" in by_source
    assert "zzz999" not in by_source


def _set_time(entry: AuditEntry, moment: datetime) -> None:
    # In SQL: the ORM refuses to change an entry.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET at = %s WHERE id = %s",  # noqa: S608
            [moment, entry.pk],
        )


def test_the_trail_reads_well_for_auditors(auditor_client, manager_user):
    entry = audit_record(
        user=manager_user,
        action="lookup",
        outcome="denied",
        followup_id="abc123",
        debt_id="xyz789",
        detail="GetBill denied access (403) " + "and a much longer explanation " * 3,
    )
    _set_time(entry, datetime(2026, 11, 26, 17, 37, 5, 250000, tzinfo=UTC))
    audit_record(user=manager_user, action="lookup", outcome="shown", detail="Short")
    body = auditor_client.get(CHANGELIST).content.decode()
    assert "<title>Audit trail |" in body
    assert "2 audit entries" in body
    assert "2026-11-26 17:37:05 UTC" in body
    assert "p.m." not in body
    # Sortable by time, newest first by default.
    assert 'class="sortable column-time sorted descending"' in body
    assert "<code>abc123</code>" in body
    assert "<code>xyz789</code>" in body
    assert '<span title="GetBill denied access (403) and a much longer' in body
    assert "Followup ID</a>" not in body
    assert ">Short<" in body
    # In the time zone the browser reported.
    auditor_client.cookies["tz"] = "Europe/Paris"
    body = auditor_client.get(CHANGELIST).content.decode()
    assert "2026-11-26 18:37:05 CET" in body
    page = auditor_client.get(f"{CHANGELIST}{entry.pk}/change/").content.decode()
    assert "2026-11-26 18:37:05 CET" in page
    assert "(403)" + " and a much longer explanation" * 3 + "</div>" in page
    assert "<title>2026-11-26 18:37:05 CET manager-user" in page


def test_nobody_adds_changes_or_deletes_in_the_admin(admin_client, trail):
    entry = AuditEntry.objects.first()
    assert entry is not None
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    change = admin_client.get(f"{CHANGELIST}{entry.pk}/change/")
    assert change.status_code == 200  # read-only view
    assert b'name="_save"' not in change.content
    assert admin_client.post(f"{CHANGELIST}{entry.pk}/change/", {"outcome": "x"}).status_code == 403
    assert admin_client.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.count() == 4


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_follows_the_filters_and_is_safe_in_spreadsheets(auditor_client, trail):
    response = auditor_client.get(EXPORT, {"action": "lookup"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    rows = _csv(response)
    assert rows[0] == [
        "at_utc",
        "username",
        "action",
        "outcome",
        "source",
        "followup_id",
        "debt_id",
        "detail",
    ]
    assert [row[1:6] for row in rows[1:]] == [
        ["manager-user", "lookup", "shown", "getbill", "abc123"],
        ["qa-user", "lookup", "not_found", "", "zzz999"],
        ["qa-user", "lookup", "failed", "", "'-abc"],
    ]
    assert rows[3][7] == '\'=HYPERLINK("x") +1 @SUM(A1)'
    # ISO 8601 with seconds and the zone.
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row[0]) for row in rows[1:])
    searched = _csv(auditor_client.get(EXPORT, {"q": "zzz999"}))
    assert len(searched) == 2


@pytest.mark.parametrize("client_fixture", ["manager_client", "qa_client", "plain_client"])
def test_only_auditors_reach_the_trail_and_its_export(request, client_fixture, trail):
    client = request.getfixturevalue(client_fixture)
    for url in (CHANGELIST, EXPORT):
        response = client.get(url)
        # Not staff: the admin sends them to its sign-in page; nothing of the trail is shown.
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_staff_without_the_audit_permission_cannot_export(manager_user, trail):
    manager_user.is_staff = True
    manager_user.save()
    client = Client()
    client.force_login(manager_user)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_entries_recorded_together_are_written_in_one_insert(manager_user):
    with CaptureQueriesContext(connection) as queries, audit_entries_together():
        audit_record(user=manager_user, action="lookup", outcome="shown", followup_id="a1")
        audit_record(user=manager_user, action="debt_detail", outcome="shown", debt_id="d1")
        assert not AuditEntry.objects.exists()  # not yet: as the block ends
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "lookup",
        "debt_detail",
    ]


def test_entries_recorded_together_are_written_when_the_block_raises(manager_user):
    def failing_look() -> None:
        with audit_entries_together():
            audit_record(user=manager_user, action="lookup", outcome="failed", followup_id="a1")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_look()
    assert AuditEntry.objects.get().outcome == "failed"


def test_a_refused_lookup_is_audited_once_on_its_error_page(plain_client):
    assert plain_client.get(f"/followups/{EXAMPLES['call_deal_found']}/").status_code == 403
    assert AuditEntry.objects.get().outcome == "denied"
