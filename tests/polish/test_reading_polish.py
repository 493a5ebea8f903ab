"""Reading the dashboard: the debt page by month, the side panel's rows, the recently viewed
list's summary and date."""

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from followups import debts, services
from followups.models import RECENT_SUMMARY_MAX_LENGTH, RecentView
from sandbox.data import EXAMPLES, FOLLOWUP_MEDIA, SANDBOX_FOLLOWUPS

BIG = EXAMPLES["big_debt"]
HISTORY = EXAMPLES["debt_with_history"]


def _months(body: str) -> list[tuple[bool, str, int]]:
    """(open, label, followups listed) for each month of the debt page."""
    found = []
    for match in re.finditer(
        r'<details class="timeline-month"( open)?>(.*?)</details>', body, re.S
    ):
        label = re.search(r'<h3 class="timeline-month-title">([^<]+)</h3>', match.group(2))
        assert label is not None
        found.append((bool(match.group(1)), label.group(1), match.group(2).count("<li ")))
    return found


def test_the_big_debt_is_grouped_by_month_with_the_newest_open(sandbox, manager_client):
    body = manager_client.get(f"/debts/{BIG}/followups/").content.decode()
    months = _months(body)
    assert len(months) > 3
    assert sum(count for _, _, count in months) == 140
    opened = [count for is_open, _, count in months if is_open]
    # The newest months open until about 30 followups show; the rest are folded, on the page.
    assert months[0][0]
    assert sum(opened) >= debts.MONTHS_OPEN_ENTRIES
    assert sum(opened) - opened[-1] < debts.MONTHS_OPEN_ENTRIES
    assert not months[-1][0]
    assert all(re.fullmatch(r"[A-Z][a-z]+ \d{4}", label) for _, label, _ in months)


def test_folded_months_are_on_the_page_already(sandbox, manager_client):
    # Opening one is the browser's own <details>: no second request to GetBill.
    body = manager_client.get(f"/debts/{BIG}/followups/").content.decode()
    ids = set(re.findall(r'id="followup-([^"]+)"', body))
    assert ids == {r["id"] for r in SANDBOX_FOLLOWUPS if r.get("debt_id") == BIG}


def test_the_month_of_the_followup_you_came_from_is_open(sandbox, manager_client):
    oldest = [r for r in SANDBOX_FOLLOWUPS if r.get("debt_id") == BIG][-1]["id"]
    body = manager_client.get(f"/debts/{BIG}/followups/?current={oldest}").content.decode()
    months = _months(body)
    assert months[-1][0]
    assert not all(is_open for is_open, _, _ in months)


def test_a_month_says_how_many_have_a_recording(sandbox, manager_client):
    body = manager_client.get(f"/debts/{HISTORY}/followups/").content.decode()
    with_audio = [
        r
        for r in SANDBOX_FOLLOWUPS
        if r.get("debt_id") == HISTORY and "audio_url" in FOLLOWUP_MEDIA.get(r["id"], {})
    ]
    assert with_audio
    marks = body.count('<span class="timeline-recording" title="Has a call recording">')
    assert marks == len(with_audio)
    counts = re.findall(r"(\d+) with a recording</span>", body)
    assert sum(int(c) for c in counts) == len(with_audio)


def test_a_listener_without_the_permission_sees_no_recording_marks(sandbox, plain_client, settings):
    from django.contrib.auth.models import Permission

    user = plain_client.session.get("_auth_user_id")
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.get(pk=user)
    account.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    body = plain_client.get(f"/debts/{HISTORY}/followups/").content.decode()
    assert "timeline-recording" not in body
    assert "with a recording" not in body


def test_the_side_panel_rows_say_the_type_and_the_summary(sandbox, manager_client):
    current = EXAMPLES["call_deal_found"]
    panel = manager_client.get(
        f"/debts/{HISTORY}/followups/timeline/?current={current}", headers={"HX-Request": "true"}
    ).content.decode()
    rows = panel.split('<li class="timeline-item')[1:]
    assert rows
    for row in rows:
        assert re.search(r'<span class="type-label">.*?<span>[A-Z][^<]+</span>', row, re.S)
    records = [r for r in SANDBOX_FOLLOWUPS if r.get("debt_id") == HISTORY]
    for record in records:
        if record.get("summary"):
            assert f'<span class="timeline-summary">{record["summary"]}</span>' in panel.replace(
                "&#x27;", "'"
            )


# --- Recently viewed ----------------------------------------------------------------------------


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


@given(st.text(max_size=400))
def test_the_kept_summary_is_one_short_clean_line(text):
    kept = services.recent_summary_clean(text=text)
    assert len(kept) <= RECENT_SUMMARY_MAX_LENGTH
    assert kept == kept.strip()
    assert "  " not in kept
    assert not any(unicodedata.category(c)[0] == "C" for c in kept)
    words = " ".join(
        "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text).split()
    )
    if len(words) <= RECENT_SUMMARY_MAX_LENGTH:
        assert kept == words
    else:
        assert kept.endswith("…")
        assert words.startswith(kept[:-1].rstrip())


def test_a_summary_with_hostile_text_is_kept_as_text(sandbox, manager_client: Client):
    followup_id = EXAMPLES["hostile_notes"]
    manager_client.get(f"/followups/{followup_id}/")
    body = manager_client.get("/").content.decode()
    assert "<script>" not in body
