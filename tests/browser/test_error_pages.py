"""Error pages in a real browser: a 429 counts its wait down and offers the retry at zero."""

import re

from playwright.sync_api import expect

from sandbox.data import FAULT_IDS


def test_a_429_page_counts_down_and_offers_the_retry_at_zero(page_watched):
    page, errors = page_watched
    page.clock.install()
    page.goto(f"/followups/{FAULT_IDS['rate_limited']}/")
    wait = page.locator("[data-countdown-text]")
    retry = page.get_by_role("link", name="Try again")
    expect(wait).to_have_text(re.compile(r"^You can try again in (29|30)\u00a0seconds$"))
    expect(retry).to_have_attribute("aria-disabled", "true")
    page.clock.run_for(10_000)
    expect(wait).to_have_text(re.compile(r"^You can try again in (19|20)\u00a0seconds$"))
    # Not yet: the link is disabled for assistive technology, and a click does nothing.
    expect(retry).to_be_disabled()
    retry.click(force=True)
    expect(page).to_have_url(re.compile(rf"/followups/{FAULT_IDS['rate_limited']}/$"))
    expect(wait).to_have_text(re.compile(r"seconds$"))
    page.clock.run_for(21_000)
    expect(wait).to_have_text("You can try again now.")
    expect(retry).to_be_enabled()
    with page.expect_response(lambda r: FAULT_IDS["rate_limited"] in r.url) as again:
        retry.click()
    assert again.value.status == 429
    assert errors == []
