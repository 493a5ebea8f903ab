"""What the shared cache of GetBill's answers saves on the pages people use, request by request:
reloads, going back, the side panel, the debt page, the recording renewal, "Refresh from
GetBill", stale copies while GetBill fails, the audit trail and the per-user limit, and the quota
reserve. GetBill is faked at the transport and counts what reaches it."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from followups.models import AuditEntry
from tests.support.examples import DEBT_ID, FOLLOWUP_ID
from tests.support.fake_getbill import FakeGetBill, error_answer

HTMX = {"HX-Request": "true"}
MAIN = {**HTMX, "HX-Target": "main"}
SECOND_ID = "second456def"
OTHER_DEBT_ID = "other789debt"
DETAIL = f"/followups/{FOLLOWUP_ID}/"
PANEL = f"/debts/{DEBT_ID}/followups/timeline/?current={FOLLOWUP_ID}"
DEBT_PAGE = f"/debts/{DEBT_ID}/followups/"


def _in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


@pytest.fixture
def getbill(fake_getbill: FakeGetBill, settings: Any) -> FakeGetBill:
    """Two followups of one debt, with recording links valid for an hour, and a third of
    another debt."""
    settings.GETBILL_CACHE_SECONDS = 600
    settings.GETBILL_STALE_SECONDS = 3600
    first = fake_getbill.followup_add(media_urls_expire_at=_in(3600))
    second = fake_getbill.followup_add(id=SECOND_ID, media_urls_expire_at=_in(3600))
    fake_getbill.debts[DEBT_ID] = [first, second]
    fake_getbill.followup_add(id="third789ghi", debt_id=OTHER_DEBT_ID)
    return fake_getbill


def _open(client: Any, followup_id: str = FOLLOWUP_ID) -> None:
    """A detail page as a browser loads it: the page, then its side panel."""
    assert client.get(f"/followups/{followup_id}/").status_code == 200
    panel = client.get(f"/debts/{DEBT_ID}/followups/timeline/?current={followup_id}", headers=HTMX)
    assert panel.status_code == 200
    assert "inline-error" not in panel.content.decode()


def _sources() -> list[tuple[str, str, str]]:
    return list(AuditEntry.objects.order_by("id").values_list("action", "outcome", "source"))


def test_a_detail_page_and_its_panel_cost_one_request_each_then_nothing(qa_client, getbill):
    _open(qa_client)
    assert len(getbill.requests) == 2
    _open(qa_client)  # reload
    _open(qa_client)  # reload
    assert len(getbill.requests) == 2


def test_going_back_and_forth_asks_nothing_new(qa_client, getbill):
    _open(qa_client)
    assert qa_client.get("/").status_code == 200  # back to search
    _open(qa_client)
    _open(qa_client, SECOND_ID)  # the next call of the same debt: its page brought it
    _open(qa_client)  # back to the first
    assert len(getbill.requests) == 2


def test_the_panel_reads_the_pages_the_debt_page_fetched(qa_client, getbill):
    assert qa_client.get(DEBT_PAGE).status_code == 200
    _open(qa_client)
    # The debt page's answer holds the followup too: opening it costs nothing more.
    assert len(getbill.requests) == 1
    assert len(getbill.api_requests(f"/followups/debt/{DEBT_ID}")) == 1


def test_the_debt_page_reads_the_pages_the_panel_fetched(qa_client, getbill):
    _open(qa_client)
    assert qa_client.get(DEBT_PAGE).status_code == 200
    filtered = qa_client.get(
        f"{DEBT_PAGE}?type=call", headers={**HTMX, "HX-Target": "debt-results"}
    )
    assert filtered.status_code == 200
    assert len(getbill.requests) == 2


def test_the_issues_qa_session_costs_three_requests(qa_client, getbill):
    _open(qa_client)
    _open(qa_client)
    _open(qa_client)
    qa_client.get("/")
    _open(qa_client)
    _open(qa_client, SECOND_ID)
    _open(qa_client)
    assert qa_client.get(f"{DETAIL}recording/", headers=HTMX).status_code == 200
    assert qa_client.get(DEBT_PAGE).status_code == 200
    assert len(getbill.requests) == 3


def test_a_fresh_recording_link_always_asks_getbill_and_renews_the_page(qa_client, getbill):
    _open(qa_client)
    for _ in range(2):
        assert qa_client.get(f"{DETAIL}recording/", headers=HTMX).status_code == 200
    assert len(getbill.api_requests(f"/followups/{FOLLOWUP_ID}")) == 3
    getbill.followup_add(media_urls_expire_at=_in(3600), summary="Changed at GetBill")
    page = qa_client.get(DETAIL).content.decode()
    # The page is built from the renewal's answer, not asked again.
    assert len(getbill.api_requests(f"/followups/{FOLLOWUP_ID}")) == 3
    assert "Changed at GetBill" not in page


def test_refresh_from_getbill_asks_again_without_javascript(qa_client, getbill):
    qa_client.get(DETAIL)
    getbill.followup_add(media_urls_expire_at=_in(3600), summary="Changed at GetBill")
    refreshed = qa_client.post(f"{DETAIL}refresh/")
    assert refreshed.status_code == 303
    assert refreshed["Location"] == DETAIL
    assert "Changed at GetBill" in qa_client.get(DETAIL).content.decode()
    assert len(getbill.requests) == 2


def test_refresh_from_getbill_with_htmx_swaps_the_page_in(qa_client, getbill):
    page = qa_client.get(DETAIL).content.decode()
    assert f'hx-post="{DETAIL}refresh/"' in page
    getbill.followup_add(media_urls_expire_at=_in(3600), summary="Changed at GetBill")
    refreshed = qa_client.post(f"{DETAIL}refresh/", headers=MAIN)
    assert refreshed.status_code == 200
    assert refreshed["HX-Push-Url"] == DETAIL
    body = refreshed.content.decode()
    assert "Changed at GetBill" in body
    assert "<html" not in body
    assert len(getbill.requests) == 2


def test_refresh_is_a_post(qa_client, getbill):
    assert qa_client.get(f"{DETAIL}refresh/").status_code == 405
    assert getbill.requests == []


# --- Stale copies --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (error_answer(500, "Internal server error"), "it answers with errors"),
        (error_answer(429, "Rate limit exceeded", details={"retry_after": 30}), "quota is used up"),
    ],
)
def test_while_getbill_fails_the_kept_copy_is_shown_with_a_banner(
    qa_client, getbill, settings, failure, words
):
    settings.GETBILL_CACHE_SECONDS = 0
    qa_client.get(DETAIL)
    getbill.answers[f"/followups/{FOLLOWUP_ID}"] = failure
    page = qa_client.get(DETAIL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "GetBill is not answering" in body
    assert words in body
    assert 'data-answer-source="stale"' in body
    assert len(getbill.requests) == 2
    assert _sources()[-1] == ("lookup", "shown", "stale")
    assert "Copy fetched" in AuditEntry.objects.latest("id").detail


def test_a_stale_copy_whose_recording_link_expired_has_no_player(qa_client, getbill, settings):
    getbill.followup_add(media_urls_expire_at=_in(-60))
    qa_client.get(DETAIL)
    getbill.answers[f"/followups/{FOLLOWUP_ID}"] = error_answer(500)
    body = qa_client.get(DETAIL).content.decode()
    assert "have expired and are left out" in body
    assert "X-Amz-Signature" not in body


def test_the_panel_shows_a_stale_copy_too(qa_client, getbill, settings):
    settings.GETBILL_CACHE_SECONDS = 0
    _open(qa_client)
    getbill.answers[f"/followups/debt/{DEBT_ID}"] = error_answer(502, "<html>Bad gateway</html>")
    panel = qa_client.get(PANEL, headers=HTMX).content.decode()
    assert "GetBill is not answering" in panel
    assert SECOND_ID in panel


def test_without_a_copy_a_failure_is_still_its_error_page(qa_client, getbill):
    getbill.answers[f"/followups/{FOLLOWUP_ID}"] = error_answer(500)
    assert qa_client.get(DETAIL).status_code == 502


# --- Audit trail and roles -----------------------------------------------------------------------


def test_every_look_is_audited_with_where_it_came_from(qa_client, getbill):
    _open(qa_client)
    _open(qa_client)
    qa_client.get(f"{DETAIL}recording/", headers=HTMX)
    assert _sources() == [
        ("lookup", "shown", "getbill"),
        ("debt_lookup", "shown", "getbill"),
        ("lookup", "shown", "cache"),
        ("debt_lookup", "shown", "cache"),
        ("recording_url_refresh", "shown", "getbill"),
    ]


def test_permissions_come_before_the_cache(qa_client, plain_client, getbill):
    qa_client.get(DETAIL)
    assert plain_client.get(DETAIL).status_code == 403
    assert plain_client.get(PANEL, headers=HTMX).content.decode().count("Access denied") == 1
    assert len(getbill.requests) == 1
    assert _sources()[-1][1:] == ("denied", "")


def test_masking_comes_after_the_cache(manager_client, qa_client, getbill):
    assert "+33 8 00 12 34 56" in manager_client.get(DETAIL).content.decode()
    qa_page = qa_client.get(DETAIL).content.decode()
    assert len(getbill.requests) == 1
    assert "+33 8 00 12 34 56" not in qa_page
    assert "+••••••••456" in qa_page
    # And the other way round: the masked user's look leaves nothing masked in the cache.
    assert "+33 8 00 12 34 56" in manager_client.get(DETAIL).content.decode()


# --- The per-user limit --------------------------------------------------------------------------


def test_the_per_user_limit_counts_requests_to_getbill_not_pages(qa_client, getbill, settings):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 2
    _open(qa_client)  # two requests: the followup and its debt's page
    for _ in range(5):
        _open(qa_client)  # from the cache: free
    refused = qa_client.get("/followups/third789ghi/")
    assert refused.status_code == 429
    assert "2 requests to GetBill an hour" in refused.content.decode()
    # The previous hour's count fades out over this one: at most two hours for a tiny limit.
    assert 1 <= int(refused["Retry-After"]) <= 7200
    assert len(getbill.requests) == 2
    assert _sources()[-1] == ("lookup", "rate_limited", "")


def test_waiting_for_someone_elses_identical_request_is_free_too(
    qa_client, manager_client, getbill, settings
):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    manager_client.get(DETAIL)
    assert qa_client.get(DETAIL).status_code == 200  # the manager's answer, from the cache
    assert qa_client.get("/followups/third789ghi/").status_code == 200  # the QA's first request
    assert len(getbill.requests) == 2


# --- The quota reserve and the footer ------------------------------------------------------------


def _quota_headers(getbill: FakeGetBill, remaining: int) -> None:
    getbill.headers = {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(time.time()) + 1800),
        "X-RateLimit-Window": "3600",
    }


def test_under_the_reserve_panels_and_refreshes_wait_and_new_lookups_work(
    qa_client, getbill, settings
):
    settings.GETBILL_QUOTA_RESERVE = 100
    _quota_headers(getbill, remaining=50)
    page = qa_client.get(DETAIL).content.decode()
    assert "data-getbill-quota-reserve" in page
    panel_response = qa_client.get(PANEL, headers=HTMX)
    assert panel_response.status_code == 503
    panel = panel_response.content.decode()
    assert "nearly used up" in panel
    refreshed = qa_client.post(f"{DETAIL}refresh/", headers=MAIN).content.decode()
    assert "Not refreshed" in refreshed
    assert qa_client.get("/followups/third789ghi/").status_code == 200
    asked = [request.url.path.rsplit("/", 1)[-1] for request in getbill.requests]
    assert asked == [FOLLOWUP_ID, "third789ghi"]


def test_above_the_reserve_the_footer_says_nothing_of_it(qa_client, getbill, settings):
    settings.GETBILL_QUOTA_RESERVE = 100
    _quota_headers(getbill, remaining=500)
    page = qa_client.get(DETAIL).content.decode()
    assert "500 of 1,000 requests left" in page
    assert "data-getbill-quota-reserve" not in page


def test_the_footer_follows_htmx_swaps_out_of_band(qa_client, getbill):
    _quota_headers(getbill, remaining=700)
    swapped = qa_client.get(DETAIL, headers=MAIN).content.decode()
    assert 'id="getbill-quota" hx-swap-oob="true"' in swapped
    assert "700 of 1,000 requests left" in swapped
    _quota_headers(getbill, remaining=699)
    panel = qa_client.get(PANEL, headers=HTMX).content.decode()
    assert 'id="getbill-quota" hx-swap-oob="true"' in panel
    assert "699 of 1,000 requests left" in panel
    # A full page has the footer itself, not an out-of-band copy.
    full = qa_client.get(DETAIL).content.decode()
    assert 'id="getbill-quota"' in full
    assert "hx-swap-oob" not in full


def test_the_debt_pages_filter_swap_updates_the_footer_too(qa_client, getbill):
    _quota_headers(getbill, remaining=650)
    swapped = qa_client.get(
        f"{DEBT_PAGE}?type=call", headers={**HTMX, "HX-Target": "debt-results"}
    ).content.decode()
    assert 'id="getbill-quota" hx-swap-oob="true"' in swapped
    assert "650 of 1,000 requests left" in swapped
