"""The followups list's new calls: the region on the list's first page, and its poll, which
keeps the list's filters, reads the dashboard's own table only (GetBill is faked and never
asked), writes no audit entry and does not push the session's end back."""

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

POLL = "/list/new-calls/"
NEW_ROW = re.compile(r'<li data-followup-id="([^"]+)">')

pytestmark = pytest.mark.django_db


def _call(followup_id: str, *, minutes_ago: float, **facts: str) -> Transcript:
    facts = {"call_type": "call", "call_status": "deal_found", **facts}
    call = Transcript.objects.create(followup_id=followup_id, debt_id="debt0001", **facts)
    Transcript.objects.filter(pk=call.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return call


def _since(minutes_ago: float) -> int:
    return int((datetime.now(UTC) - timedelta(minutes=minutes_ago)).timestamp())


def test_the_calls_that_came_in_since_the_list_opened_are_marked_new(
    manager_client: Any, fake_getbill: Any
) -> None:
    _call("older0001", minutes_ago=10)
    _call("newer0001", minutes_ago=2)
    _call("newest001", minutes_ago=1)
    audit_entries = AuditEntry.objects.count()
    since = _since(5)
    response = manager_client.get(POLL, {"since": since})
    assert response.status_code == 200
    body = response.content.decode()
    assert NEW_ROW.findall(body) == ["newest001", "newer0001"]
    assert "2 new calls since you opened this page" in body
    assert 'href="/followups/newest001/"' in body
    assert f'hx-get="{POLL}?since={since}"' in body
    assert 'id="list-new-calls"' in body
    assert AuditEntry.objects.count() == audit_entries
    assert fake_getbill.api_requests() == []


def test_the_poll_keeps_the_lists_filters(qa_client: Any, fake_getbill: Any) -> None:
    _call("acall0001", minutes_ago=1)
    _call("avoicemail", minutes_ago=1, call_type="voicemail")
    _call("anopen0001", minutes_ago=1, call_status="in_progress")
    since = _since(5)
    body = qa_client.get(POLL, {"since": since, "type": "call", "status": "deal_found"})
    assert NEW_ROW.findall(body.content.decode()) == ["acall0001"]
    assert f'hx-get="{POLL}?since={since}&amp;type=call&amp;status=deal_found"' in (
        body.content.decode()
    )
    voicemails = qa_client.get(POLL, {"since": since, "type": "voicemail"}).content.decode()
    assert NEW_ROW.findall(voicemails) == ["avoicemail"]


def test_a_poll_does_not_keep_the_session_alive(qa_client: Any) -> None:
    assert "sessionid" in qa_client.get("/reviews/").cookies
    session = qa_client.session
    session["_idle_refreshed_at"] = int(time.time()) - 3600
    session.save()
    response = qa_client.get(POLL, {"since": _since(5)})
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_without_the_lists_permission_the_poll_is_refused(plain_client: Any) -> None:
    _call("newest001", minutes_ago=1)
    response = plain_client.get(POLL, {"since": _since(5)})
    assert response.status_code == 403
    assert b"newest001" not in response.content


def test_signed_out_the_poll_is_refused(client: Any) -> None:
    assert client.get(POLL, {"since": _since(5)}).status_code == 302


@pytest.mark.parametrize(
    "query",
    [
        {"since": "soon"},
        {"since": "-5"},
        {"since": "5", "type": "fax"},
        {"since": "5", "status": "<script>"},
        {"type": "call"},
    ],
)
def test_input_the_list_does_not_offer_is_a_400(qa_client: Any, query: dict[str, str]) -> None:
    assert qa_client.get(POLL, query).status_code == 400


def test_the_lists_first_page_holds_the_polling_region(sandbox: Any, qa_client: Any) -> None:
    body = qa_client.get("/followups/", {"type": "call"}).content.decode()
    assert 'id="list-new-calls"' in body
    assert re.search(rf'hx-get="{POLL}\?since=\d+&amp;type=call"', body)
    assert 'hx-trigger="every 30s"' in body
    # Its own target, never the list's address: the results region around it swaps itself.
    assert 'hx-push-url="false"' in body
    assert 'id="list-new-calls"' not in qa_client.get("/followups/", {"page": 2}).content.decode()


def test_the_lists_region_comes_with_its_htmx_swap(sandbox: Any, qa_client: Any) -> None:
    body = qa_client.get(
        "/followups/",
        {"status": "deal_found"},
        headers={"HX-Request": "true", "HX-Target": "followups-results"},
    ).content.decode()
    assert re.search(rf'hx-get="{POLL}\?since=\d+&amp;status=deal_found"', body)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(["since", "type", "status", "page"]),
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30),
    )
)
def test_whatever_the_query_the_poll_is_a_region_or_a_400(
    qa_client: Any, query: dict[str, str]
) -> None:
    response = qa_client.get(POLL, query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert 'id="list-new-calls"' in response.content.decode()
