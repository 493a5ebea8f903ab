"""The followups list (/followups/ without `q`) against the sandbox, through Django's test
client: order, rows, filters and pages in the URL, htmx swaps, bad input, access, limit, audit."""

import html
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from followups import browse, moments, values
from followups.models import AuditAction, AuditEntry, AuditOutcome
from sandbox.data import EXAMPLES, SANDBOX_FOLLOWUPS
from sandbox.state import requests_counted, sandbox_state_reset
from tests.support.html import html_attribute, html_find, html_has, html_one, html_text, html_texts
from tests.support.pages import elements_find

SWAP = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "followups-results"}


def _rows(body: str) -> list[str]:
    """The followups the list shows, in page order."""
    return [
        html_attribute(row, "data-followup-id") or ""
        for row in html_find(body, "tr", data_followup_id=True)
    ]


def _get(client: Client, **params: str) -> tuple[int, str]:
    response = client.get("/followups/", params)
    return response.status_code, response.content.decode()


def _expected(*, type: str | None = None, status: str | None = None) -> list[str]:
    return [
        r["id"]
        for r in SANDBOX_FOLLOWUPS
        if (type is None or r.get("type") == type) and (status is None or r.get("status") == status)
    ]


def test_first_page_is_newest_first(sandbox, qa_client):
    code, body = _get(qa_client)
    assert code == 200
    assert _rows(body) == _expected()[: browse.LIST_PAGE_SIZE]
    assert f"{len(SANDBOX_FOLLOWUPS)} followups · page 1 of" in body
    assert html_texts(body, "title") == ["Followups · Followups dashboard"]


def test_a_row_says_type_status_when_duration_recording_summary_and_links(sandbox, qa_client):
    call = next(r for r in SANDBOX_FOLLOWUPS if r["id"] == EXAMPLES["call_deal_found"])
    code, body = _get(qa_client, type="call", status="deal_found")
    assert code == 200
    row = html_one(body, "tr", data_followup_id=call["id"])
    assert html_find(row, "a", href=f"/followups/{call['id']}/")
    assert html_find(row, "a", href=f"/debts/{call['debt_id']}/followups/")
    assert "Call" in html_texts(row, "span")
    text = html_text(row)
    assert "Deal found" in text
    assert html_find(row, "time", datetime=True)
    assert str(moments.duration_format(ms=call["duration_ms"])) in text
    assert "Recording" in text
    assert call["summary"] in text
    # The signed link behind "Recording" stays on the server.
    assert "X-Amz-Signature" not in body


def test_summary_is_cut_to_one_line(sandbox, qa_client):
    long_notes = next(r for r in SANDBOX_FOLLOWUPS if r["id"] == EXAMPLES["long_notes"])
    one_line = values.summary_line(text="first\nsecond", max_length=browse.SUMMARY_MAX_LENGTH)
    assert one_line == "first"
    cut = values.summary_line(text="word " * 100, max_length=browse.SUMMARY_MAX_LENGTH)
    assert len(cut) == browse.SUMMARY_MAX_LENGTH
    assert cut.endswith("…")
    _code, body = _get(qa_client, type="manual_call")
    assert long_notes["notes"][:200] not in body


def test_filters_and_page_live_in_the_url(sandbox, qa_client, settings):
    code, body = _get(qa_client, type="call", status="no_answer")
    expected = _expected(type="call", status="no_answer")
    assert code == 200
    assert _rows(body) == expected[: browse.LIST_PAGE_SIZE]
    assert html_has(html_one(body, "option", value="call"), "selected")
    assert html_has(html_one(body, "option", value="no_answer"), "selected")
    assert f"{len(expected)} followups match" in body
    assert html_texts(body, "title") == ["Call · No answer · Followups dashboard"]
    # The next page keeps the filters, as a plain link and as an htmx swap of the results.
    assert html_find(body, "a", href="/followups/?type=call&status=no_answer&page=2")
    code, second = _get(qa_client, type="call", status="no_answer", page="2")
    assert code == 200
    assert _rows(second) == expected[browse.LIST_PAGE_SIZE : 2 * browse.LIST_PAGE_SIZE]
    assert html_texts(second, "title") == ["Call · No answer · page 2 · Followups dashboard"]
    assert html_find(second, "a", rel="prev", href="/followups/?type=call&status=no_answer")


def test_the_form_and_links_work_without_javascript_and_swap_with_htmx(sandbox, qa_client):
    _code, body = _get(qa_client)
    (form,) = elements_find(body, {"class": "debt-filters"}, tag="form")
    assert (form.attrs["method"], form.attrs["action"]) == ("get", "/followups/")
    assert form.htmx("get") == "/followups/"
    assert form.htmx("target") == "#followups-results"
    assert form.htmx("push-url") == "true"
    (next_link,) = elements_find(body, {"rel": "next"}, tag="a")
    assert next_link.attrs["href"] == "/followups/?page=2"
    assert next_link.htmx("get") == "/followups/?page=2"
    assert next_link.htmx("target") == "#followups-results"
    assert next_link.htmx("swap") == "outerHTML"

    swapped = qa_client.get("/followups/", {"page": "2"}, **SWAP)
    fragment = swapped.content.decode()
    assert swapped.status_code == 200
    assert html_one(fragment, "section", class_="card followups-results", id="followups-results")
    assert "<html" not in fragment
    assert "HX-Target" in swapped["Vary"]
    # The address bar gets the list's own address, not the form's empty fields.
    form_sent = qa_client.get("/followups/", {"type": "sms", "status": ""}, **SWAP)
    assert form_sent["HX-Push-Url"] == "/followups/?type=sms"
    # htmx going back asks for the whole page.
    restore = qa_client.get(
        "/followups/",
        {"page": "2"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
        HTTP_HX_TARGET="followups-results",
    )
    assert "<html" in restore.content.decode()


def test_a_page_past_the_end_is_empty_with_a_way_back(sandbox, qa_client):
    code, body = _get(qa_client, type="voicemail", page="50")
    assert code == 200
    assert _rows(body) == []
    assert "Page 50 is past the end of the list" in body
    assert 'href="/followups/?type=voicemail"' in body


def test_no_match(sandbox, qa_client):
    code, body = _get(qa_client, type="physical", status="read")
    assert code == 200
    assert "No followup matches these filters" in body
    assert 'href="/followups/"' in body


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"type": "fax"}, "There is no type “fax”"),
        ({"status": "escalated_legal"}, "There is no status “escalated_legal”"),
        ({"type": "carrier_pigeon"}, "There is no type"),
        ({"status": "<script>alert(1)</script>"}, "There is no status"),
        ({"page": "0"}, "whole number from 1 to 1000"),
        ({"page": "100000"}, "whole number from 1 to 1000"),
        ({"page": "1001"}, "whole number from 1 to 1000"),
        ({"page": "9" * 400}, "whole number from 1 to 1000"),
        ({"page": "-1"}, "whole number"),
        ({"page": "1e3"}, "whole number"),
        ({"page": "٣"}, "whole number"),
        ({"page": "2.0"}, "whole number"),
    ],
)
def test_bad_input_is_a_clear_400_and_getbill_is_not_asked(
    sandbox, qa_client, qa_user, params: dict[str, str], words: str
):
    sandbox_state_reset()
    response = qa_client.get("/followups/", params)
    assert response.status_code == 400
    assert words in html.unescape(response.content.decode())
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert requests_counted() == 0
    entry = AuditEntry.objects.get(user=qa_user)
    assert (entry.action, entry.outcome) == (
        AuditAction.FOLLOWUPS_LIST,
        AuditOutcome.REJECTED_INPUT,
    )


def test_one_audit_entry_per_page_with_its_filters(sandbox, qa_client, qa_user):
    _get(qa_client, type="email", status="read", page="1")
    entries = list(AuditEntry.objects.filter(user=qa_user))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.outcome) == (AuditAction.FOLLOWUPS_LIST, AuditOutcome.SHOWN)
    assert entry.detail.startswith("type email, status read, page 1: ")


def test_without_the_role_it_is_403_and_getbill_is_not_asked(sandbox, plain_client, plain_user):
    sandbox_state_reset()
    code, _body = _get(plain_client)
    assert code == 403
    assert requests_counted() == 0
    entry = AuditEntry.objects.get(user=plain_user)
    assert (entry.action, entry.outcome) == (AuditAction.FOLLOWUPS_LIST, AuditOutcome.DENIED)


def test_the_per_user_limit_counts_a_list_page_as_one_request_and_a_kept_one_as_none(
    sandbox, qa_client, settings
):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 2
    assert _get(qa_client)[0] == 200
    assert _get(qa_client, page="2")[0] == 200
    sandbox_state_reset()
    assert _get(qa_client, page="2")[0] == 200
    assert requests_counted() == 0
    response = qa_client.get("/followups/", {"page": "3"})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert requests_counted() == 0


def test_getbill_failing_is_an_error_page(sandbox, qa_client, settings):
    settings.SANDBOX_RATE_LIMIT = 0
    code, body = _get(qa_client)
    assert code == 429
    assert "GetBill" in body


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["type", "status", "page", "limit", "q2"]),
        st.one_of(st.text(max_size=30), st.integers(-5, 10**6).map(str)),
        max_size=4,
    )
)
def test_any_query_is_a_page_or_a_clear_400_never_an_odd_request(
    sandbox, qa_client, params: dict[str, Any]
):
    sandbox_state_reset()
    response = qa_client.get("/followups/", params)
    assert response.status_code in (200, 400, 429)
    if response.status_code == 400:
        assert requests_counted() == 0
    else:
        assert requests_counted() <= 1
