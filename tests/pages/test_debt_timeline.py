"""A debt's story against the sandbox: the timeline service (paging, order, totals, filters,
window) and its two screens, the full debt page and the detail page's lazily loaded panel,
with every error."""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.test.html import Element
from django.utils.html import escape

from followups import access, debts, getbill, moments, values
from followups.getbill import (
    InvalidIdError,
    NotFoundError,
    getbill_id_clean,
    rate_limit_status_get,
)
from followups.models import AuditAction, AuditEntry
from sandbox.data import EXAMPLES, FAULT_IDS, SANDBOX_FOLLOWUPS
from tests.support.examples import followup_json
from tests.support.fake_getbill import recording_transport_installed
from tests.support.html import html_attribute, html_find, html_has, html_one, html_text, html_texts
from tests.support.pages import elements_find

BIG = EXAMPLES["big_debt"]
HISTORY = EXAMPLES["debt_with_history"]
EMPTY = EXAMPLES["debt_no_followups"]
HTMX = {"HX-Request": "true"}


def _records(debt_id: str) -> list[dict[str, Any]]:
    return [r for r in SANDBOX_FOLLOWUPS if r["debt_id"] == debt_id]


def _moment(record: dict[str, Any]) -> datetime | None:
    for field in ("call_date", "scheduled_at", "processed_at"):
        if record.get(field):
            return datetime.fromisoformat(record[field])
    return None


def _expected_order(debt_id: str) -> list[str]:
    """Newest first, undated last, ties by ID: worked out here from the raw data."""
    records = _records(debt_id)
    dated = [r for r in records if _moment(r) is not None]
    undated = sorted(r["id"] for r in records if _moment(r) is None)
    dated.sort(key=lambda r: r["id"])
    dated.sort(key=lambda r: _moment(r) or datetime.min, reverse=True)
    return [r["id"] for r in dated] + undated


def _item_id(item: Element) -> str:
    # The followup a timeline entry links to, from the entry's first link.
    link = html_find(item, "a", class_="timeline-link")[0]
    return (html_attribute(link, "href") or "").split("/")[2]


def _items(body: str) -> list[str]:
    """The followups the timeline lists, in page order."""
    return [_item_id(item) for item in html_find(body, "li", class_="timeline-item")]


@pytest.fixture
def reviewer(qa_user):
    """A QA reviewer: sees followups (and so debts), phone numbers masked."""
    return qa_user


@pytest.fixture
def upstream_calls(sandbox: str) -> Iterator[list[dict[str, Any]]]:
    """Every request to the sandbox for a page of a debt's followups, with its arguments."""
    with recording_transport_installed() as transport:
        yield transport.debt_pages


# --- The service --------------------------------------------------------------------------


def test_big_debt_is_fetched_in_two_pages_of_100(sandbox, reviewer, upstream_calls):
    timeline = debts.debt_timeline_get(user=reviewer, debt_id=getbill_id_clean(raw=BIG)).value
    assert upstream_calls == [
        {"debt_id": BIG, "page": 1, "limit": 100},
        {"debt_id": BIG, "page": 2, "limit": 100},
    ]
    assert len(timeline.followups) == len({f.id for f in timeline.followups}) == 140
    assert {f.id for f in timeline.followups} == {r["id"] for r in _records(BIG)}
    assert timeline.listed == 140
    assert timeline.pages_fetched == 2
    assert not timeline.incomplete
    # The sandbox (fresh quota for each test) counted exactly two API requests.
    quota = rate_limit_status_get()
    assert quota is not None
    assert quota.limit is not None
    assert quota.remaining == quota.limit - 2


def test_small_debt_is_one_request(sandbox, reviewer, upstream_calls):
    timeline = debts.debt_timeline_get(user=reviewer, debt_id=getbill_id_clean(raw=HISTORY)).value
    assert len(upstream_calls) == 1
    assert len(timeline.followups) == len(_records(HISTORY))


def _items_reversed(request: httpx.Request, response: httpx.Response) -> httpx.Response:
    payload = response.json()
    if isinstance(payload.get("data"), list):
        payload["data"].reverse()
    return httpx.Response(response.status_code, headers=response.headers, json=payload)


def test_order_is_newest_first_whatever_order_getbill_sends(sandbox, reviewer):
    with recording_transport_installed(answer_change=_items_reversed):
        _check_newest_first(reviewer)


def _check_newest_first(reviewer) -> None:
    for debt_id in (BIG, HISTORY):
        timeline = debts.debt_timeline_get(
            user=reviewer, debt_id=getbill_id_clean(raw=debt_id)
        ).value
        assert [f.id for f in timeline.followups] == _expected_order(debt_id)
    # A followup only scheduled (in the future) is the newest of its debt.
    history = debts.debt_timeline_get(user=reviewer, debt_id=getbill_id_clean(raw=HISTORY)).value
    assert history.followups[0].call_date is None
    assert history.followups[0].scheduled_at is not None


def test_sort_falls_back_to_scheduled_then_processed_then_id(followup_make):
    day = datetime(2024, 3, 1, tzinfo=UTC)
    undated = {"call_date": None, "scheduled_at": None, "processed_at": None}
    followups = [
        followup_make(id="undated-b", **undated),
        followup_make(id="undated-a", **undated),
        followup_make(id="processed", **{**undated, "processed_at": day + timedelta(days=3)}),
        followup_make(id="scheduled", **{**undated, "scheduled_at": day + timedelta(days=2)}),
        followup_make(id="tie-b", call_date=day, scheduled_at=None),
        followup_make(id="tie-a", call_date=day, scheduled_at=day + timedelta(days=9)),
    ]
    ordered = debts.debt_followups_sort(followups=followups)
    assert [f.id for f in ordered] == [
        "processed",
        "scheduled",
        "tie-a",
        "tie-b",
        "undated-a",
        "undated-b",
    ]


def test_page_cap_shows_part_with_a_note(sandbox, qa_client, upstream_calls, monkeypatch):
    monkeypatch.setattr(debts, "DEBT_PAGES_MAX", 1)
    response = qa_client.get(f"/debts/{BIG}/followups/")
    body = response.content.decode()
    assert response.status_code == 200
    assert len(upstream_calls) == 1
    assert len(_items(body)) == 100
    assert "GetBill lists 140 followups for this debt; the first 100 it sent are shown." in body


def test_no_further_page_once_the_time_budget_is_spent(
    sandbox, reviewer, upstream_calls, monkeypatch
):
    monkeypatch.setattr(debts, "DEBT_PAGE_MIN_SECONDS", 3600.0)
    timeline = debts.debt_timeline_get(user=reviewer, debt_id=getbill_id_clean(raw=BIG)).value
    assert len(upstream_calls) == 1
    assert timeline.incomplete
    assert (len(timeline.followups), timeline.listed) == (100, 140)


def _debt_pages(
    *pages: list[dict[str, Any]] | None, total: int
) -> Callable[[httpx.Request], httpx.Response]:
    """A GetBill answer to a debt's pages: `pages[n - 1]` for page n (None: a 404), of `total`
    followups."""

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        chunk = pages[page - 1] if page <= len(pages) else None
        if chunk is None:
            return httpx.Response(404, json={"error": True, "message": "No such page"})
        pagination = {"total": total, "page": page, "limit": 100, "pages": len(pages)}
        body = {"error": False, "data": chunk, "pagination": pagination}
        return httpx.Response(200, json=body)

    return answer


def test_a_followup_seen_on_two_pages_counts_once(fake_getbill, reviewer):
    # A followup added while paging pushes the last of page 1 onto page 2.
    page_1 = [followup_json(id=f"f{n:03d}") for n in range(100)]
    page_2 = [page_1[-1], followup_json(id="f100")]
    fake_getbill.answers["/followups/debt/xyz789ghi012"] = _debt_pages(page_1, page_2, total=101)
    timeline = debts.debt_timeline_get(
        user=reviewer, debt_id=getbill_id_clean(raw="xyz789ghi012")
    ).value
    assert len(timeline.followups) == 101
    assert not timeline.incomplete


def test_a_failing_second_page_fails_the_whole_fetch(fake_getbill, reviewer):
    # Page 2 of 2 is asked for, and GetBill has none.
    fake_getbill.answers["/followups/debt/xyz789ghi012"] = _debt_pages(
        [followup_json()], None, total=2
    )
    with pytest.raises(NotFoundError):
        debts.debt_timeline_get(user=reviewer, debt_id=getbill_id_clean(raw="xyz789ghi012"))


def test_invalid_debt_id_never_reaches_getbill(reviewer, upstream_calls):
    for raw in ("", "a/b", "x" * 65, "../followups", "id?x=1", "id%2F"):
        # Refused at the edge, before the service; and by the client if it were called anyway.
        with pytest.raises(InvalidIdError):
            access.getbill_id_require(
                user=reviewer, action=AuditAction.DEBT_LOOKUP, raw=raw, subject="debt"
            )
        with pytest.raises(InvalidIdError):
            getbill.debt_followups_get(debt_id=raw)
    assert upstream_calls == []


def test_totals_of_the_big_debt(sandbox, reviewer):
    records = _records(BIG)
    kinds = Counter(r["type"] for r in records)
    totals = debts.debt_timeline_get(user=reviewer, debt_id=getbill_id_clean(raw=BIG)).value.totals
    assert totals.followups == 140
    assert totals.calls == kinds["call"] + kinds["manual_call"] + kinds["voicemail"]
    assert totals.emails == kinds["email"]
    assert totals.letters == kinds["postmail"]
    assert totals.messages == kinds["sms"] + kinds["whatsapp"]
    assert totals.others == 0
    assert totals.calls + totals.emails + totals.letters + totals.messages == 140
    assert totals.deals == sum(r["status"] == "deal_found" for r in records)
    assert totals.payments == sum(r.get("triggered_payment") is True for r in records)


def test_totals_count_deals_payments_and_unknown_types(followup_make):
    no_call_facts = dict.fromkeys(values.CALL_FIELDS)
    totals = debts.debt_totals_count(
        followups=[
            followup_make(type="call", status="deal_found", triggered_payment=True),
            followup_make(type="manual_call", status="no_answer", triggered_payment=False),
            followup_make(type="email", status="read", triggered_payment=True),
            followup_make(type="physical", status="deal_found", triggered_payment=None),
            # A type the dashboard does not know is a call when it carries call facts (the
            # example's), as on the detail page, and another kind of followup otherwise.
            followup_make(type="hologram", status="beamed", triggered_payment=False),
            followup_make(
                type="hologram", status="beamed", triggered_payment=False, **no_call_facts
            ),
            followup_make(
                type=None,
                status="failed",
                triggered_payment=False,
                invalid_fields=frozenset({"type"}),
                **no_call_facts,
            ),
        ]
    )
    assert (totals.calls, totals.emails, totals.letters, totals.messages) == (3, 1, 0, 0)
    assert totals.others == 3
    assert (totals.deals, totals.payments) == (2, 2)


# --- The full page ----------------------------------------------------------------------------


def test_full_page_lists_every_followup_newest_first_with_totals(sandbox, qa_client):
    response = qa_client.get(f"/debts/{HISTORY}/followups/")
    body = response.content.decode()
    records = _records(HISTORY)
    assert response.status_code == 200
    assert _items(body) == _expected_order(HISTORY)
    assert html_texts(body, "span", class_="mono followup-id") == [HISTORY]
    stats = {
        html_text(html_one(stat, "span", class_="stat-label")): html_text(
            html_one(stat, "span", class_="stat-value")
        )
        for stat in html_find(body, "li", class_="stat")
    }
    assert stats["Followups"] == str(len(records))
    # By type, in the type filter's words and counts.
    assert stats["Call"] == str(sum(r["type"] == "call" for r in records))
    assert stats["Email"] == str(sum(r["type"] == "email" for r in records))
    assert stats["Letter"] == "1"
    assert stats["SMS"] == "1"
    options = {}
    for text in html_texts(body, "option"):
        if counted := re.fullmatch(r"([^(]+) \((\d+)\)", text):
            options[counted[1]] = counted[2]
    type_labels = {label for label, _ in values.TYPE_WORDS.values()}
    type_options = {label: count for label, count in options.items() if label in type_labels}
    assert type_options
    assert all(stats[label] == count for label, count in type_options.items())
    assert stats["Deals found"] == "1"
    assert stats["Triggered a payment"] == "2"
    # Each line: its type, status badge, a call's duration, the payment marker.
    deal = EXAMPLES["call_deal_found"]
    line = html_one(body, "li", id=f"followup-{deal}")
    assert html_find(line, "svg", class_="icon-phone")
    assert "Deal found" in html_text(line)
    assert str(moments.duration_format(ms=_record(deal)["duration_ms"])) in html_text(line)
    assert "Payment" in html_text(line)
    assert len(html_find(body, "span", class_="badge badge-success timeline-payment")) == 2
    assert "aria-current" not in body
    assert "None" not in body


def _record(followup_id: str) -> dict[str, Any]:
    return next(r for r in SANDBOX_FOLLOWUPS if r["id"] == followup_id)


def test_durations_only_for_calls(sandbox, qa_client):
    body = qa_client.get(f"/debts/{BIG}/followups/").content.decode()
    for item in html_find(body, "li", class_="timeline-item"):
        record = _record(_item_id(item))
        has_duration = bool(html_find(item, "span", class_="timeline-duration mono"))
        assert has_duration is (record["type"] in values.CALL_TYPES)


def test_full_page_highlights_the_followup_you_came_from(sandbox, qa_client):
    current = EXAMPLES["call_deal_found"]
    body = qa_client.get(f"/debts/{HISTORY}/followups/?current={current}").content.decode()
    assert body.count('aria-current="true"') == 1
    item = html_one(body, "li", class_="timeline-item is-current", id=f"followup-{current}")
    link = html_find(item, "a", class_="timeline-link")[0]
    assert html_attribute(link, "href") == f"/followups/{current}/"
    assert html_attribute(link, "aria-current") == "true"
    # The filters keep it.
    assert html_find(body, "input", type="hidden", name="current", value=current)


def test_invalid_current_is_ignored(sandbox, qa_client):
    response = qa_client.get(f"/debts/{HISTORY}/followups/?current=%3Cscript%3E")
    assert response.status_code == 200
    assert "aria-current" not in response.content.decode()
    assert "<script>" not in response.content.decode()


def _ids(debt_id: str, **match: str) -> list[str]:
    wanted = [r["id"] for r in _records(debt_id) if all(r.get(k) == v for k, v in match.items())]
    return [i for i in _expected_order(debt_id) if i in wanted]


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("type=call", {"type": "call"}),
        ("status=no_answer", {"status": "no_answer"}),
        ("type=call&status=no_answer", {"type": "call", "status": "no_answer"}),
        ("type=postmail&status=delivered", {"type": "postmail", "status": "delivered"}),
    ],
)
def test_filters(sandbox, qa_client, query, match):
    body = qa_client.get(f"/debts/{BIG}/followups/?{query}").content.decode()
    expected = _ids(BIG, **match)
    assert expected
    assert _items(body) == expected
    assert f"{len(expected)} of 140 followups match" in body
    for value in match.values():
        assert html_has(html_one(body, "option", value=value), "selected")


def test_filter_choices_are_the_debts_values_with_counts(sandbox, qa_client):
    body = qa_client.get(f"/debts/{BIG}/followups/").content.decode()
    kinds = Counter(r["type"] for r in _records(BIG))
    for kind, count in kinds.items():
        label = values.TYPE_WORDS[kind][0]
        assert f'<option value="{kind}">{label} ({count})</option>' in body
    assert '<option value="physical"' not in body  # not on this debt
    assert '<option value="deal_found"' not in body


def test_a_documented_value_the_debt_lacks_matches_nothing(sandbox, qa_client):
    response = qa_client.get(f"/debts/{BIG}/followups/?type=physical")
    body = response.content.decode()
    assert response.status_code == 200
    assert _items(body) == []
    assert "No followup matches these filters." in body
    assert '<option value="physical" selected>In-person visit (0)</option>' in body
    assert f'href="/debts/{BIG}/followups/"' in body  # the way back to everything


@pytest.mark.parametrize("query", ["type=fax", "status=%3Cb%3Ex", "type=&status=", "type=CALL"])
def test_unknown_filter_values_are_ignored(sandbox, qa_client, query):
    response = qa_client.get(f"/debts/{HISTORY}/followups/?{query}")
    body = response.content.decode()
    assert response.status_code == 200
    assert _items(body) == _expected_order(HISTORY)
    assert " selected>" not in body
    assert "<b>x" not in body
    assert "fax" not in body


def test_filter_swap_answers_with_the_results_region_only(sandbox, qa_client):
    response = qa_client.get(
        f"/debts/{HISTORY}/followups/?type=call", headers={**HTMX, "HX-Target": "debt-results"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert html_one(body, "section", class_="card debt-results", id="debt-results")
    assert "<html" not in body
    assert 'class="stat-badges' not in body
    assert _items(body) == _ids(HISTORY, type="call")
    assert "HX-Target" in response["Vary"]


def test_filter_form_works_without_javascript_and_with_htmx(sandbox, qa_client):
    body = qa_client.get(f"/debts/{HISTORY}/followups/").content.decode()
    (form,) = elements_find(body, {"class": "debt-filters"}, tag="form")
    url = f"/debts/{HISTORY}/followups/"
    assert (form.attrs["method"], form.attrs["action"]) == ("get", url)
    assert form.htmx("get") == url
    assert form.htmx("push-url") == "true"
    assert form.htmx("target") == "#debt-results"
    assert form.htmx("swap") == "outerHTML"
    assert html_find(body, "select", id="filter-type", name="type")
    assert html_find(body, "select", id="filter-status", name="status")


def test_empty_debt(sandbox, qa_client):
    response = qa_client.get(f"/debts/{EMPTY}/followups/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "This debt has no followups." in body
    assert "debt-filters" not in body
    assert _items(body) == []


def test_upstream_text_is_escaped(sandbox, qa_client):
    hostile = _record(EXAMPLES["hostile_notes"])
    body = qa_client.get(f"/debts/{hostile['debt_id']}/followups/").content.decode()
    assert escape(hostile["summary"]) in body
    assert "<b>Debtor claims</b>" not in body


def test_fields_of_the_wrong_type_say_unknown(sandbox, qa_client):
    response = qa_client.get(f"/debts/{FAULT_IDS['wrong_types']}/followups/")
    assert response.status_code == 200
    assert "unknown" in response.content.decode()


def test_sign_in_and_get_are_required(sandbox, client, qa_client):
    assert Client().get(f"/debts/{HISTORY}/followups/").status_code == 302
    assert Client().get(f"/debts/{HISTORY}/followups/timeline/", headers=HTMX).status_code == 302
    assert qa_client.post(f"/debts/{HISTORY}/followups/").status_code == 405
    assert qa_client.post(f"/debts/{HISTORY}/followups/timeline/", headers=HTMX).status_code == 405


# --- The detail page's panel ------------------------------------------------------------------


def test_detail_page_never_waits_for_the_debt(sandbox, qa_client, upstream_calls):
    current = EXAMPLES["call_deal_found"]
    response = qa_client.get(f"/followups/{current}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert upstream_calls == []
    aside = html_one(body, "aside", class_="detail-side")
    panel = html_one(aside, "section", class_="card debt-side", id="debt-side")
    timeline_url = f"/debts/{HISTORY}/followups/timeline/?current={current}"
    assert html_attribute(panel, "hx-get") == timeline_url
    assert html_attribute(panel, "hx-trigger") == "load"
    assert html_attribute(panel, "hx-swap") == "outerHTML"
    # Without JavaScript, the link to the full page, at the followup.
    assert html_find(
        aside, "a", href=f"/debts/{HISTORY}/followups/?current={current}#followup-{current}"
    )
    assert "See all followups of this debt" in html_text(aside)
    assert "timeline-item" not in body


def test_panel_returns_the_timeline_around_the_current_followup(sandbox, qa_client):
    current = EXAMPLES["call_deal_found"]
    response = qa_client.get(
        f"/debts/{HISTORY}/followups/timeline/?current={current}", headers=HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.strip().startswith("<section")
    assert html_one(body, "section", class_="card debt-side", id="debt-side")
    assert "hx-trigger" not in body  # loaded: never loads again
    assert _items(body) == _expected_order(HISTORY)
    assert body.count('aria-current="true"') == 1
    assert html_find(body, "a", href=f"/followups/{current}/", aria_current="true")
    assert "This followup" in body
    assert "HX-Request" in response["Vary"]


def test_panel_of_a_big_debt_is_a_window_around_the_current_followup(sandbox, qa_client):
    order = _expected_order(BIG)
    current = order[70]
    body = qa_client.get(f"/debts/{BIG}/followups/timeline/?current={current}", headers=HTMX)
    items = _items(body.content.decode())
    assert items == order[65:76]
    assert "65 newer not shown" in body.content.decode()
    assert "64 older not shown" in body.content.decode()
    assert "11 of 140 followups" in body.content.decode()

    # At the newest end the window keeps its size.
    newest = qa_client.get(f"/debts/{BIG}/followups/timeline/?current={order[1]}", headers=HTMX)
    assert _items(newest.content.decode()) == order[:11]
    # Without a current followup on this debt: the newest ones.
    other = qa_client.get(f"/debts/{BIG}/followups/timeline/?current=abc123", headers=HTMX)
    assert _items(other.content.decode()) == order[:11]
    assert "aria-current" not in other.content.decode()


def test_panel_without_htmx_leads_to_the_full_page(sandbox, qa_client, upstream_calls):
    response = qa_client.get(f"/debts/{HISTORY}/followups/timeline/?current=abc123")
    assert response.status_code == 302
    assert response["Location"] == f"/debts/{HISTORY}/followups/?current=abc123"
    assert upstream_calls == []


def test_panel_says_when_a_debt_has_no_other_followup(qa_client, fake_getbill):
    fake_getbill.debts["onedebt1"] = [followup_json(id="only1", debt_id="onedebt1")]
    body = qa_client.get("/debts/onedebt1/followups/timeline/?current=only1", headers=HTMX)
    assert "No other followups on this debt." in body.content.decode()


# --- Errors ---------------------------------------------------------------------------------

FAULTS = [
    ("forbidden", 403, "Access denied"),
    ("not_found", 404, "Debt not found"),
    ("rate_limited", 429, "Too many requests to GetBill"),
    ("server_error", 502, "GetBill returned an error"),
    ("bad_gateway_html", 502, "GetBill returned an error"),
    ("malformed_json", 502, "GetBill returned an error"),
    ("wrong_id", 502, "GetBill returned an error"),
]


@pytest.mark.parametrize(("fault", "status", "title"), FAULTS)
def test_full_page_errors(sandbox, qa_client, fault, status, title):
    response = qa_client.get(f"/debts/{FAULT_IDS[fault]}/followups/")
    body = response.content.decode()
    assert response.status_code == status
    assert f'<h1 id="error-title">{title}</h1>' in body
    assert "<html" in body
    assert "Traceback" not in body
    assert ("Retry-After" in response) is (fault == "rate_limited")


@pytest.mark.parametrize(("fault", "status", "title"), FAULTS)
def test_panel_errors_are_inline(sandbox, qa_client, fault, status, title):
    response = qa_client.get(
        f"/debts/{FAULT_IDS[fault]}/followups/timeline/?current=x1", headers=HTMX
    )
    body = response.content.decode()
    # The panel's error, with GetBill's failure status: htmx swaps it in (base.html's config).
    assert response.status_code == status
    assert elements_find(body, {"class": "inline-error", "role": "alert"})
    assert f"{title}." in body
    assert "<html" not in body
    assert "error-panel" not in body
    assert "See all followups of this debt" in body
    retry = 'hx-get="/debts/' in body
    assert retry is (status >= 429)


def test_invalid_debt_id_is_a_400(qa_client, upstream_calls):
    response = qa_client.get("/debts/not%20a%20debt/followups/")
    assert response.status_code == 400
    assert '<h1 id="error-title">That is not a debt ID</h1>' in response.content.decode()
    panel = qa_client.get("/debts/not%20a%20debt/followups/timeline/", headers=HTMX)
    assert panel.status_code == 400
    assert elements_find(panel.content.decode(), {"class": "inline-error", "role": "alert"})
    assert upstream_calls == []


def test_too_slow_is_a_504(sandbox, qa_client, settings):
    settings.SANDBOX_SLOW_SECONDS = 3
    settings.GETBILL_READ_TIMEOUT = 0.5
    settings.GETBILL_DEADLINE = 1.0
    response = qa_client.get(f"/debts/{FAULT_IDS['slow']}/followups/")
    assert response.status_code == 504
    assert "GetBill took too long to answer" in response.content.decode()


def test_unreachable_is_a_503(qa_client, settings):
    settings.GETBILL_API_URL = "http://127.0.0.1:9/external-api/v1"
    settings.GETBILL_TOKEN_URL = "http://127.0.0.1:9/token"
    response = qa_client.get(f"/debts/{HISTORY}/followups/")
    assert response.status_code == 503


def test_permission_denied_in_the_panel_is_inline(qa_client, fake_getbill):
    # Raised from deep below the view, where no code of the dashboard expects it.
    fake_getbill.answers[f"/followups/debt/{HISTORY}"] = PermissionDenied("internal reason")
    panel = qa_client.get(f"/debts/{HISTORY}/followups/timeline/", headers=HTMX)
    body = panel.content.decode()
    assert panel.status_code == 403
    assert elements_find(body, {"class": "inline-error", "role": "alert"})
    assert "internal reason" not in body
    assert qa_client.get(f"/debts/{HISTORY}/followups/").status_code == 403


# --- Permissions, audit trail, per-user limit -------------------------------------------------


def _audit(**match: str) -> list[tuple[str, str, str]]:
    entries = AuditEntry.objects.filter(action=AuditAction.DEBT_LOOKUP, **match)
    return [(e.outcome, e.debt_id, e.username) for e in entries]


def test_without_permission_a_403_and_no_request(sandbox, plain_client, upstream_calls):
    response = plain_client.get(f"/debts/{HISTORY}/followups/")
    assert response.status_code == 403
    assert '<h1 id="error-title">Access denied</h1>' in response.content.decode()
    panel = plain_client.get(f"/debts/{HISTORY}/followups/timeline/", headers=HTMX)
    assert panel.status_code == 403
    assert elements_find(panel.content.decode(), {"class": "inline-error", "role": "alert"})
    assert "timeline-item" not in panel.content.decode()
    assert upstream_calls == []
    assert _audit() == [("denied", HISTORY, "plain-user")] * 2


def test_roles_that_see_followups_see_debts(sandbox, manager_client, qa_client):
    for client in (manager_client, qa_client):
        assert client.get(f"/debts/{HISTORY}/followups/").status_code == 200


def test_each_debt_lookup_is_audited(sandbox, qa_client, reviewer):
    qa_client.get(f"/debts/{BIG}/followups/")
    qa_client.get(f"/debts/{HISTORY}/followups/timeline/?current=x1", headers=HTMX)
    qa_client.get(f"/debts/{FAULT_IDS['not_found']}/followups/")
    qa_client.get(f"/debts/{FAULT_IDS['server_error']}/followups/timeline/", headers=HTMX)
    qa_client.get("/debts/not%20a%20debt/followups/")
    qa_client.get(f"/debts/{HISTORY}/followups/timeline/")  # no htmx: a redirect, no lookup
    user = reviewer.get_username()
    assert sorted(_audit()) == sorted(
        [
            ("shown", BIG, user),  # one entry for two pages
            ("shown", HISTORY, user),
            ("not_found", FAULT_IDS["not_found"], user),
            ("failed", FAULT_IDS["server_error"], user),
            ("rejected_input", "", user),
        ]
    )


def test_per_user_limit_counts_each_page_asked_of_getbill_and_stops_before_getbill(
    sandbox, qa_client, settings, upstream_calls
):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 2
    assert qa_client.get(f"/debts/{BIG}/followups/").status_code == 200
    assert len(upstream_calls) == 2
    # The same pages again come from the shared cache: free.
    assert qa_client.get(f"/debts/{BIG}/followups/").status_code == 200
    response = qa_client.get(f"/debts/{HISTORY}/followups/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    panel = qa_client.get(f"/debts/{HISTORY}/followups/timeline/", headers=HTMX)
    assert panel.status_code == 429
    assert "You can try again" in panel.content.decode()
    assert len(upstream_calls) == 2
