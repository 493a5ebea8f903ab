"""Finding the work in a real browser: browse and filter the list, page through it, work the
review queue with "Next in queue" and its key, the debt card, and the card without
`debts:read`."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from followups import browse, values
from sandbox.data import EXAMPLES, FOLLOWUP_MEDIA, SANDBOX_FOLLOWUPS

pytestmark = pytest.mark.browser

WAIT_MS = 10_000


def _htmx_settled(page) -> None:
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def _errors_watched(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _queue_ids() -> list[str]:
    calls = [
        r
        for r in SANDBOX_FOLLOWUPS
        if r.get("type") in values.CALL_TYPES and "audio_url" in FOLLOWUP_MEDIA.get(r["id"], {})
    ]
    calls.sort(key=lambda r: r["call_date"], reverse=True)
    return [r["id"] for r in calls]


def test_browse_filter_and_page_in_place(signed_in_page, settings):
    settings.GETBILL_SCOPES = "followups:read debts:read"
    page, base_url = signed_in_page
    page.set_default_timeout(WAIT_MS)
    errors = _errors_watched(page)
    page.get_by_role("navigation", name="Work").get_by_role("link", name="Followups").click()
    page.wait_for_url(f"{base_url}/followups/")
    rows = page.locator("#followups-results tbody tr")
    expect(rows).to_have_count(browse.LIST_PAGE_SIZE)
    expect(rows.first).to_have_attribute("data-followup-id", SANDBOX_FOLLOWUPS[0]["id"])
    assert page.title() == "Followups · Followups dashboard"

    page.evaluate("window.__sameDocument = true")
    page.locator("#list-type").select_option("call")
    page.wait_for_url(re.compile(r"/followups/\?type=call$"))
    calls = [r["id"] for r in SANDBOX_FOLLOWUPS if r.get("type") == "call"]
    expect(rows.first).to_have_attribute("data-followup-id", calls[0])
    _htmx_settled(page)
    page.locator("#list-status").select_option("no_answer")
    page.wait_for_url(re.compile(r"type=call&status=no_answer$"))
    no_answer = [
        r["id"]
        for r in SANDBOX_FOLLOWUPS
        if r.get("type") == "call" and r.get("status") == "no_answer"
    ]
    expect(page.locator("#followups-results")).to_contain_text(f"{len(no_answer)} followups match")
    _htmx_settled(page)

    older = page.get_by_role("link", name="Older")
    expect(older).to_have_attribute("href", "/followups/?type=call&status=no_answer&page=2")
    older.click()
    page.wait_for_url(re.compile(r"status=no_answer&page=2$"))
    expect(rows.first).to_have_attribute("data-followup-id", no_answer[browse.LIST_PAGE_SIZE])
    assert page.evaluate("window.__sameDocument === true"), "filters and pages swap in place"

    page.go_back()
    page.wait_for_url(re.compile(r"status=no_answer$"))
    expect(rows.first).to_have_attribute("data-followup-id", no_answer[0])

    # A row's links lead to the followup and to its debt.
    first = page.locator(f'tr[data-followup-id="{no_answer[0]}"]')
    first.get_by_role("link", name=re.compile("Debt")).click()
    page.wait_for_url(re.compile(r"/debts/[^/]+/followups/$"))
    expect(page.locator("#debt-card")).to_be_visible()
    assert errors == [], errors


def test_queue_next_by_key_and_the_debt_card(signed_in_page, settings):
    settings.GETBILL_SCOPES = "followups:read debts:read"
    page, base_url = signed_in_page
    page.set_default_timeout(WAIT_MS)
    errors = _errors_watched(page)
    queue = _queue_ids()
    page.get_by_role("navigation", name="Work").get_by_role("link", name="Review queue").click()
    page.wait_for_url(f"{base_url}/queue/")
    expect(page.locator(".queue-results tbody tr")).to_have_count(len(queue))
    page.locator(f'tr[data-followup-id="{queue[0]}"] a.row-link').click()
    page.wait_for_url(f"{base_url}/followups/{queue[0]}/?from=queue")

    card = page.locator("#debt-card")
    expect(card).to_contain_text("Kołodziejczyk")
    expect(card).to_contain_text("£86.50")
    expect(card).to_contain_text("On hold")
    # A manager's card loads by itself after the page; the tab's title, written before it
    # came, names the debtor from the next look on (the card is kept by then).
    assert page.title().startswith("Call · No deal")
    expect(card.get_by_role("heading", name="The debt")).not_to_be_focused()
    page.reload()
    expect(card).to_have_attribute("data-debt-card", "shown")
    assert page.title().startswith("Call · No deal · Ms Małgorzata Kołodziejczyk")

    next_link = page.get_by_role("link", name=re.compile("Next in queue"))
    expect(next_link).to_have_attribute("aria-keyshortcuts", "n")
    # The key does nothing while typing in a field.
    page.locator("#header-q").focus()
    page.keyboard.press("n")
    expect(page.locator("#header-q")).to_have_value("n")
    page.locator("#header-q").fill("")
    page.locator("h1").click()
    page.keyboard.press("n")
    page.wait_for_url(f"{base_url}/followups/{queue[1]}/?from=queue")
    expect(page.locator("#debt-card")).to_contain_text("Wójcik")
    next_link = page.get_by_role("link", name=re.compile("Next in queue"))
    next_link.click()
    page.wait_for_url(f"{base_url}/followups/{queue[2]}/?from=queue")
    # From the queue's last call, the key leads back to the queue, which says it was the last.
    page.goto(f"/followups/{queue[-1]}/?from=queue")
    page.locator("h1").click()
    page.keyboard.press("n")
    page.wait_for_url(f"{base_url}/queue/?end=1")
    expect(page.get_by_role("status").filter(has_text="last call")).to_be_visible()
    assert errors == [], errors


def test_without_debts_read_the_card_says_what_to_grant(signed_in_page, settings):
    settings.GETBILL_SCOPES = "followups:read debts:read"
    settings.SANDBOX_GRANTED_SCOPES = ["followups:read"]
    page, _ = signed_in_page
    page.set_default_timeout(WAIT_MS)
    errors = _errors_watched(page)
    page.goto(f"/followups/{EXAMPLES['call_deal_found']}/")
    card = page.locator("#debt-card")
    expect(card).to_contain_text("debts:read")
    expect(card).to_have_attribute("data-debt-card", "scope_missing")
    # Everything else is there: the followup, its recording, the debt's other followups.
    expect(page.locator("#followup-title")).to_be_visible()
    expect(page.locator("#recording audio")).to_have_count(1)
    expect(page.locator("#debt-side .timeline-item").first).to_be_visible()
    assert page.title().startswith("Call · Deal found")
    page.goto("/followups/")
    expect(page.locator("#followups-results tbody tr")).to_have_count(browse.LIST_PAGE_SIZE)
    assert errors == [], errors


def test_a_qa_reviewer_shows_the_debt_in_place(signed_in_page, settings):
    from django.contrib.auth.models import Permission

    settings.GETBILL_SCOPES = "followups:read debts:read"
    page, base_url = signed_in_page
    page.set_default_timeout(WAIT_MS)
    errors = _errors_watched(page)
    # A QA reviewer: the debtor's initials only, and the card on demand.
    user = get_user_model().objects.get(username="browser-reviewer")
    user.user_permissions.remove(Permission.objects.get(codename="view_debtor_name"))
    call = EXAMPLES["call_deal_found"]
    page.goto(f"/followups/{call}/")
    expect(page.locator(".debt-side[aria-busy]")).to_have_count(0)
    card = page.locator("#debt-card")
    expect(card).to_have_attribute("data-debt-card", "on_demand")
    assert page.title() == "Call · Deal found · Followups dashboard"
    footer = page.locator("#getbill-quota")
    left = _left(footer.inner_text())

    page.evaluate("window.__sameDocument = true")  # gone if the page were reloaded
    card.get_by_role("link", name="Show the debt").press("Enter")
    expect(card).to_have_attribute("data-debt-card", "shown")
    # The keyboard user lands on the card that replaced the link, not at the page's start.
    expect(card.get_by_role("heading", name="The debt")).to_be_focused()
    expect(card).to_contain_text("A. D.")
    expect(card).to_contain_text("€482.60")
    expect(card).not_to_contain_text("Dubois")
    # The card's one request, counted in the footer (swapped out of band).
    expect(footer).to_contain_text(f"{left - 1:,} of 1,000 requests left")
    expect(page.locator("#debt-card")).to_have_count(1)
    assert page.url == f"{base_url}/followups/{call}/"
    assert page.evaluate("window.__sameDocument === true"), "swapped in place, not reloaded"
    assert errors == [], errors


def _left(text: str) -> int:
    match = re.search(r"([\d,]+) of 1,000 requests left", text)
    assert match, text
    return int(match.group(1).replace(",", ""))
