"""The recently viewed list: the summary (kept short and clean) and the followup's own date."""

import re
from datetime import UTC, datetime, timedelta

from django.test import Client

from followups import services, values
from followups.models import (
    RECENT_SUMMARY_MAX_LENGTH,
    RecentView,
)
from sandbox.data import EXAMPLES, SANDBOX_FOLLOWUPS


def test_recently_viewed_shows_the_summary_and_the_followups_own_date(sandbox, manager_client):
    followup_id = EXAMPLES["call_deal_found"]
    manager_client.get(f"/followups/{followup_id}/")
    record = next(r for r in SANDBOX_FOLLOWUPS if r["id"] == followup_id)
    view = RecentView.objects.get(followup_id=followup_id)
    assert view.followup_summary == record["summary"]
    assert view.followup_at == datetime.fromisoformat(record["call_date"])
    body = manager_client.get("/").content.decode()
    assert f'<span class="recent-summary">{record["summary"]}</span>' in body
    assert re.search(
        r'<td class="nowrap"><time datetime="[^"]+" title="[^"]+">\d+ \w{3} \d{4}</time>', body
    )


def test_recently_viewed_says_unknown_as_the_page_does(manager_client, followup_make):
    followup = followup_make(
        id="odd123", type=None, status=None, invalid_fields=frozenset({"type", "status"})
    )
    user = manager_client.session.get("_auth_user_id")
    from django.contrib.auth import get_user_model

    services.recent_view_record(
        user=get_user_model().objects.get(pk=user), followup_id="odd123", followup=followup
    )
    body = manager_client.get("/").content.decode()
    row = body.split('href="/followups/odd123/"')[1].split("</tr>")[0]
    assert "<span>Unknown</span>" in row
    assert '<span class="visually-hidden">Status: </span>Unknown</span>' in row


def test_a_followup_without_a_date_or_summary_keeps_them_empty(manager_client, followup_make):
    followup = followup_make(
        id="bare123", summary=None, call_date=None, scheduled_at=None, processed_at=None
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=manager_client.session.get("_auth_user_id"))
    view = services.recent_view_record(user=user, followup_id="bare123", followup=followup)
    assert (view.followup_summary, view.followup_at) == ("", None)


def test_a_processed_only_followup_is_dated_by_its_processing(followup_make, manager_user):
    processed = datetime(2024, 1, 22, 10, 35, tzinfo=UTC)
    followup = followup_make(
        id="late123", call_date=None, scheduled_at=None, processed_at=processed
    )
    view = services.recent_view_record(user=manager_user, followup_id="late123", followup=followup)
    assert view.followup_at == processed
    assert view.viewed_at - datetime.now(UTC) < timedelta(minutes=1)


def test_the_kept_summary_is_its_first_line_cut_short(followup_make, manager_user):
    followup = followup_make(id="long123", summary="  " + "word " * 60 + "\nsecond line")
    view = services.recent_view_record(user=manager_user, followup_id="long123", followup=followup)
    assert view.followup_summary == values.summary_line(
        text=followup.summary, max_length=RECENT_SUMMARY_MAX_LENGTH
    )
    assert len(view.followup_summary) == RECENT_SUMMARY_MAX_LENGTH
    assert "second" not in view.followup_summary


def test_a_summary_with_hostile_text_is_kept_as_text(sandbox, manager_client: Client):
    followup_id = EXAMPLES["hostile_notes"]
    manager_client.get(f"/followups/{followup_id}/")
    body = manager_client.get("/").content.decode()
    assert "<script>" not in body
