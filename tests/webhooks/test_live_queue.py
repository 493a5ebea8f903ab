"""The queue's new calls: the region on the queue page, and its poll, which reads the
dashboard's own table only (GetBill is faked and never asked), writes no audit entry and does
not push the session's end back."""

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from followups.models import AuditEntry
from transcripts.models import Transcript

POLL = "/queue/new-calls/"
NEW_ROW = re.compile(r'<li data-followup-id="([^"]+)">')

pytestmark = pytest.mark.django_db


def _call(followup_id: str, *, minutes_ago: float) -> Transcript:
    call = Transcript.objects.create(
        followup_id=followup_id, call_type="call", call_status="deal_found", debt_id="debt0001"
    )
    Transcript.objects.filter(pk=call.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return call


def _since(minutes_ago: float) -> int:
    return int((datetime.now(UTC) - timedelta(minutes=minutes_ago)).timestamp())


def test_the_calls_that_came_in_since_the_page_opened_are_marked_new(
    qa_client: Any, fake_getbill: Any
) -> None:
    _call("older0001", minutes_ago=10)
    _call("newer0001", minutes_ago=2)
    _call("newest001", minutes_ago=1)
    audit_entries = AuditEntry.objects.count()
    since = _since(5)
    response = qa_client.get(POLL, {"since": since})
    assert response.status_code == 200
    body = response.content.decode()
    assert NEW_ROW.findall(body) == ["newest001", "newer0001"]
    assert "2 new calls since you opened this page" in body
    assert 'href="/followups/newest001/?from=queue"' in body
    # The region polls again for the same moment: the marks stay while the page is open.
    assert f'hx-get="{POLL}?since={since}"' in body
    assert AuditEntry.objects.count() == audit_entries
    assert fake_getbill.api_requests() == []


def test_a_poll_does_not_keep_the_session_alive(qa_client: Any) -> None:
    # A page the user asks for pushes the session's end back (its cookie is sent again)...
    assert "sessionid" in qa_client.get("/reviews/").cookies
    session = qa_client.session
    session["_idle_refreshed_at"] = int(time.time()) - 3600
    session.save()
    # ...the page's own poll does not.
    response = qa_client.get(POLL, {"since": _since(5)})
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_without_the_queues_permissions_the_poll_is_refused(plain_client: Any) -> None:
    _call("newest001", minutes_ago=1)
    response = plain_client.get(POLL, {"since": _since(5)})
    assert response.status_code == 403
    assert b"newest001" not in response.content


def test_signed_out_the_poll_is_refused(client: Any) -> None:
    assert client.get(POLL, {"since": _since(5)}).status_code == 302


@pytest.mark.parametrize("since", ["", "soon", "-5", "1e9", "9" * 30, "253402300800", 2**40])
def test_a_since_that_is_not_a_moment_is_a_400(qa_client: Any, since: str) -> None:
    assert qa_client.get(POLL, {"since": since}).status_code == 400


@hypothesis_settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(since=st.integers(min_value=-1, max_value=2**41) | st.integers())
def test_any_whole_number_since_is_answered_or_refused(qa_client: Any, since: int) -> None:
    for poll in (POLL, "/list/new-calls/"):
        assert qa_client.get(poll, {"since": since}).status_code in (200, 400)


def test_the_queue_page_holds_the_polling_region(sandbox: Any, qa_client: Any) -> None:
    body = qa_client.get("/queue/").content.decode()
    assert 'id="queue-new-calls"' in body
    assert 'hx-trigger="every 30s"' in body
    # Only the first part: older parts have nothing newer to show.
    assert 'id="queue-new-calls"' not in qa_client.get("/queue/", {"part": 2}).content.decode()


def test_a_new_call_without_a_recording_says_so(qa_client: Any) -> None:
    _call("recorded1", minutes_ago=2)
    Transcript.objects.filter(followup_id="recorded1").update(has_recording=True)
    silent = _call("silent001", minutes_ago=1)
    Transcript.objects.filter(pk=silent.pk).update(status=Transcript.Status.KNOWN)

    body = qa_client.get(POLL, {"since": _since(5)}).content.decode()

    rows = dict(re.findall(r'<li data-followup-id="([^"]+)">(.*?)</li>', body, re.S))
    assert "no recording" in rows["silent001"]
    assert "no recording" not in rows["recorded1"]


def test_an_old_call_learnt_of_only_now_is_not_new(qa_client: Any) -> None:
    recent = _call("recent01", minutes_ago=1)
    old = _call("lastweek", minutes_ago=1)
    now = timezone.now()
    Transcript.objects.filter(pk=recent.pk).update(called_at=now - timedelta(minutes=20))
    Transcript.objects.filter(pk=old.pk).update(called_at=now - timedelta(days=7))

    body = qa_client.get(POLL, {"since": _since(5)}).content.decode()

    assert NEW_ROW.findall(body) == ["recent01"]
