"""The footer's quota line in a real browser: it follows htmx swaps (out of band), not only full
page loads, and "Refresh from GetBill" works in place."""

import re

import pytest
from playwright.sync_api import expect

from sandbox.data import EXAMPLES

pytestmark = pytest.mark.browser


def _left(text: str) -> int:
    match = re.search(r"([\d,]+) of 1,000 requests left", text)
    assert match, text
    return int(match.group(1).replace(",", ""))


def _loaded_after_the_page(page) -> None:
    # What the page loads right after itself, each counted in the footer when it asks GetBill:
    # the debt's side panel and the debt card (when its debt was not kept).
    expect(page.locator(".debt-side[aria-busy]")).to_have_count(0)
    expect(page.locator(".debt-card[aria-busy]")).to_have_count(0)


def test_the_footer_follows_htmx_swaps_and_refresh(signed_in_page):
    page, base_url = signed_in_page
    footer = page.locator("#getbill-quota")
    page.evaluate("window.__sameDocument = true")  # gone if the page were reloaded

    page.locator("#q").fill(EXAMPLES["call_deal_found"])
    page.locator("#q").press("Enter")
    page.wait_for_url(f"{base_url}/followups/{EXAMPLES['call_deal_found']}/")
    _loaded_after_the_page(page)
    # The followup and its debt for the debt card, then its debt's followups for the side panel.
    expect(footer).to_contain_text("997 of 1,000 requests left")

    page.locator("#header-q").fill(EXAMPLES["inbound_call"])
    page.locator("#header-q").press("Enter")
    page.wait_for_url(f"{base_url}/followups/{EXAMPLES['inbound_call']}/")
    _loaded_after_the_page(page)
    after_second = _left(footer.inner_text())
    assert after_second < 997

    page.get_by_role("button", name="Refresh from GetBill").click()
    expect(footer).to_contain_text(f"{after_second - 1:,} of 1,000 requests left")
    assert page.url == f"{base_url}/followups/{EXAMPLES['inbound_call']}/"
    assert page.evaluate("window.__sameDocument === true"), "swapped in by htmx, not reloaded"
    # One footer line, not one per swap.
    expect(page.locator("#getbill-quota")).to_have_count(1)
