"""The debt page by month with recording marks, and the side panel's rows."""

import re

from followups import debts
from sandbox.data import EXAMPLES, FOLLOWUP_MEDIA, SANDBOX_FOLLOWUPS
from tests.support.html import html_find, html_one, html_text, html_texts

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
    marks = html_find(body, "span", class_="timeline-recording", title="Has a call recording")
    assert len(marks) == len(with_audio)
    counts = re.findall(
        r"(\d+) with a recording", " ".join(html_texts(body, "span", class_="timeline-month-count"))
    )
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
    rows = html_find(panel, "li", class_="timeline-item")
    assert rows
    for row in rows:
        label = html_one(row, "span", class_="type-label")
        assert re.fullmatch(r"[A-Z].*", html_text(html_one(label, "span")))
    records = [r for r in SANDBOX_FOLLOWUPS if r.get("debt_id") == HISTORY]
    for record in records:
        if record.get("summary"):
            assert record["summary"] in html_texts(panel, "span", class_="timeline-summary")
