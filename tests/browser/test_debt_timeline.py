"""The debt's timeline in a real browser: the detail page's panel fills in after the page, and
the full debt page filters in place."""

import re

from playwright.sync_api import expect

from sandbox.data import EXAMPLES, SANDBOX_FOLLOWUPS

WAIT_MS = 10_000


def _htmx_settled(page) -> None:
    """Wait until htmx has finished swapping and has wired up the new content: a change made
    to a form swapped in moments ago would otherwise reach an element htmx does not watch yet."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def _debt_size(debt_id: str) -> int:
    return sum(r["debt_id"] == debt_id for r in SANDBOX_FOLLOWUPS)


def test_timeline_loads_after_the_detail_page(signed_in_page):
    page, base_url = signed_in_page
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    current = EXAMPLES["call_deal_found"]
    debt_id = EXAMPLES["debt_with_history"]

    # Hold the panel's request until the page is shown: the page must not wait for it.
    held = []
    page.route("**/followups/timeline/**", lambda route: held.append(route), times=1)
    page.goto(f"/followups/{current}/")
    panel = page.locator("#debt-side")
    expect(panel).to_contain_text("Loading the other followups of this debt")
    expect(panel.locator(".timeline-item")).to_have_count(0)
    page.wait_for_function("document.readyState === 'complete'")
    assert len(held) == 1
    held[0].continue_()

    items = panel.locator(".timeline-item")
    expect(items).to_have_count(_debt_size(debt_id))
    expect(panel).not_to_have_attribute("aria-busy", "true")
    highlighted = panel.locator('[aria-current="true"]')
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_have_attribute("href", f"/followups/{current}/")

    # Another followup of the debt is one click away.
    other = items.nth(0).get_by_role("link")
    target = other.get_attribute("href")
    other.click()
    page.wait_for_url(f"{base_url}{target}")
    expect(page.locator("#debt-side .timeline-item")).to_have_count(_debt_size(debt_id))
    assert errors == [], errors


def test_full_page_filters_in_place(signed_in_page):
    page, _ = signed_in_page
    page.set_default_timeout(WAIT_MS)
    current = EXAMPLES["call_deal_found"]
    debt_id = EXAMPLES["debt_with_history"]
    page.goto(f"/followups/{current}/")
    page.locator("#debt-side").get_by_role("link", name="See all followups of this debt").click()
    page.wait_for_url(re.compile(rf"/debts/{debt_id}/followups/\?current={current}"))
    expect(page.locator(".timeline-item")).to_have_count(_debt_size(debt_id))
    expect(page.locator(f"#followup-{current} a")).to_have_attribute("aria-current", "true")

    page.evaluate("window.__sameDocument = true")
    page.locator("#filter-type").focus()
    page.locator("#filter-type").select_option("call")
    expect(page.locator(".timeline-item")).to_have_count(3)
    page.wait_for_url(re.compile(r"[?&]type=call"))
    expect(page.locator("#filter-type")).to_be_focused()
    _htmx_settled(page)
    page.locator("#filter-status").select_option("deal_found")
    expect(page.locator(".timeline-item")).to_have_count(1)
    assert page.evaluate("window.__sameDocument === true"), "filters should not reload the page"

    page.go_back()
    page.wait_for_url(re.compile(r"type=call&status=$"))
    expect(page.locator(".timeline-item")).to_have_count(3)
