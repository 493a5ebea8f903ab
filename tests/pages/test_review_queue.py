"""The QA reviewer's queue and "Next in queue" against the sandbox, through Django's test
client."""

import html
import re
from datetime import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from followups import browse, values
from followups.models import AuditAction, AuditEntry, AuditOutcome
from sandbox.data import FOLLOWUP_MEDIA, SANDBOX_FOLLOWUPS
from sandbox.state import requests_counted, sandbox_state_reset
from tests.support.html import assert_in_html, html_attribute, html_one

ROW = re.compile(r'<tr data-followup-id="([^"]+)">')


def _queue_expected() -> list[str]:
    """Call-like followups with a recording, newest first, worked out from the raw data."""
    calls = [
        r
        for r in SANDBOX_FOLLOWUPS
        if r.get("type") in values.CALL_TYPES and "audio_url" in FOLLOWUP_MEDIA.get(r["id"], {})
    ]
    calls.sort(key=lambda r: r["id"])
    calls.sort(key=lambda r: datetime.fromisoformat(r["call_date"]), reverse=True)
    return [r["id"] for r in calls]


def _next(client: Client, after: str) -> str:
    response = client.get("/queue/next/", {"after": after})
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def test_queue_holds_the_calls_with_a_recording_newest_first(sandbox, qa_client):
    expected = _queue_expected()
    assert len(expected) >= 3
    response = qa_client.get("/queue/")
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert ROW.findall(body) == expected
    assert f"<title>Calls to review ({len(expected)}) · Followups dashboard</title>" in body
    # Each row opens the call as part of the queue.
    assert f'href="/followups/{expected[0]}/?from=queue"' in body
    assert "X-Amz-Signature" not in body


def test_reviewed_calls_are_left_out(sandbox, qa_client, monkeypatch):
    expected = _queue_expected()
    # The seam the reviews app answers: the one function the queue asks.
    monkeypatch.setattr(browse, "queue_reviewed_ids", lambda *, user: {expected[0]})
    body = html.unescape(qa_client.get("/queue/").content.decode())
    assert ROW.findall(body) == expected[1:]


def test_next_in_queue_goes_from_call_to_call_without_asking_getbill(sandbox, qa_client):
    expected = _queue_expected()
    qa_client.get("/queue/")
    detail = html.unescape(qa_client.get(f"/followups/{expected[0]}/?from=queue").content.decode())
    link = html_one(detail, "a", class_="button queue-next")
    assert html_attribute(link, "data-shortcut") == "n"
    assert html_attribute(link, "aria-keyshortcuts") == "n"
    assert_in_html("<dt><kbd>n</kbd></dt><dd>Next in queue</dd>", detail)
    assert html_attribute(link, "href") == f"/queue/next/?after={expected[0]}"

    sandbox_state_reset()
    location = _next(qa_client, expected[0])
    assert location == f"/followups/{expected[1]}/?from=queue"
    assert _next(qa_client, expected[1]) == f"/followups/{expected[2]}/?from=queue"
    assert requests_counted() == 0, "the queue's order comes from the session"
    # After the last call: back to the queue, which says so.
    assert _next(qa_client, expected[-1]) == "/queue/?end=1"
    end = html.unescape(qa_client.get("/queue/?end=1").content.decode())
    assert "That was the last call in your queue." in end


def test_next_skips_calls_reviewed_meanwhile(sandbox, qa_client, monkeypatch):
    expected = _queue_expected()
    qa_client.get("/queue/")
    monkeypatch.setattr(browse, "queue_reviewed_ids", lambda *, user: {expected[1]})
    assert _next(qa_client, expected[0]) == f"/followups/{expected[2]}/?from=queue"


def test_next_without_the_queue_in_the_session_fetches_it(sandbox, qa_client):
    expected = _queue_expected()
    assert _next(qa_client, expected[0]) == f"/followups/{expected[1]}/?from=queue"
    # A followup not in the queue: the queue's first call.
    assert _next(qa_client, "notInTheQueue123") == f"/followups/{expected[0]}/?from=queue"


def test_detail_without_from_queue_has_no_next(sandbox, qa_client):
    body = qa_client.get(f"/followups/{_queue_expected()[0]}/").content.decode()
    assert "queue-next" not in body


@pytest.mark.parametrize("after", ["", "a/b", "x" * 65, "<script>"])
def test_next_after_a_bad_id_is_400(sandbox, qa_client, after: str):
    sandbox_state_reset()
    assert qa_client.get("/queue/next/", {"after": after}).status_code == 400
    assert requests_counted() == 0


@pytest.mark.parametrize("part", ["0", "21", "x", "99999999999"])
def test_bad_part_is_400_and_getbill_is_not_asked(sandbox, qa_client, qa_user, part: str):
    sandbox_state_reset()
    assert qa_client.get("/queue/", {"part": part}).status_code == 400
    assert requests_counted() == 0
    entry = AuditEntry.objects.get(user=qa_user)
    assert (entry.action, entry.outcome) == (AuditAction.REVIEW_QUEUE, AuditOutcome.REJECTED_INPUT)


def test_one_audit_entry_per_part(sandbox, qa_client, qa_user):
    qa_client.get("/queue/")
    entry = AuditEntry.objects.get(user=qa_user)
    assert (entry.action, entry.outcome) == (AuditAction.REVIEW_QUEUE, AuditOutcome.SHOWN)
    assert entry.detail == f"part 1: {len(_queue_expected())} calls to review"


def test_the_queue_needs_the_listen_permission(sandbox, plain_user):
    plain_user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    client = Client()
    client.force_login(plain_user)
    sandbox_state_reset()
    assert client.get("/queue/").status_code == 403
    assert client.get("/queue/next/", {"after": _queue_expected()[0]}).status_code == 403
    assert requests_counted() == 0


def test_without_a_role_the_queue_is_403(sandbox, plain_client):
    sandbox_state_reset()
    assert plain_client.get("/queue/").status_code == 403
    assert requests_counted() == 0


def test_a_queue_part_counts_its_getbill_requests_and_a_kept_part_is_free(
    sandbox, qa_client, settings
):
    # One list request per call-like type: three for a part, none when it is seen again.
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 3
    assert qa_client.get("/queue/").status_code == 200
    assert qa_client.get("/queue/").status_code == 200
    assert qa_client.get("/queue/?part=2").status_code == 429


def test_a_queue_part_over_the_users_share_is_refused(sandbox, qa_client, settings):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 2
    assert qa_client.get("/queue/").status_code == 429
