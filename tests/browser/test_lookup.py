"""The lookup in a real browser: type an ID, land on the followup, see its summary and player."""

import re

from playwright.sync_api import expect

from sandbox.data import EXAMPLES, SANDBOX_FOLLOWUPS


def _record(followup_id: str) -> dict:
    return next(r for r in SANDBOX_FOLLOWUPS if r["id"] == followup_id)


def _mark_document(page) -> None:
    # Survives htmx swaps, not a full page load.
    page.evaluate("window.__sameDocument = true")


def _same_document(page) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


def test_type_an_id_land_on_the_page_see_summary_and_player(signed_in_page):
    page, base_url = signed_in_page
    followup_id = EXAMPLES["call_deal_found"]
    record = _record(followup_id)

    errors: list[str] = []

    def console_error_keep(message):
        if message.type == "error":
            errors.append(message.text)

    page.on("console", console_error_keep)
    page.on("pageerror", lambda error: errors.append(str(error)))

    search = page.locator("#q")
    expect(search).to_be_focused()
    _mark_document(page)
    search.fill(f"  {followup_id} ")
    search.press("Enter")

    page.wait_for_url(f"{base_url}/followups/{followup_id}/")
    main = page.locator("#main")
    expect(main).to_contain_text(record["summary"])
    # The tab says what the page shows: type, status and (once the debt card is kept) debtor;
    # on a first look the card loads after the page.
    expect(page).to_have_title(
        re.compile(r"^Call · Deal found( · Ms Amélie Dubois)? · Followups dashboard$")
    )
    expect(page.locator("#debt-card")).to_contain_text("Ms Amélie Dubois")
    expect(page.locator("h1")).to_be_focused()
    assert _same_document(page), "the result should be swapped in by htmx, not reloaded"

    # The player's own controls replace the browser's.
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    # The signed URL really loads: the browser reads the recording's metadata.
    page.wait_for_function(
        "() => document.querySelector('audio.recording-audio').readyState >= 1", timeout=10_000
    )
    duration = page.evaluate("document.querySelector('audio.recording-audio').duration")
    assert 55 < duration < 60
    assert errors == []


def test_paste_a_link_in_the_header_from_another_followup_and_go_back(signed_in_page):
    page, base_url = signed_in_page
    first, second = EXAMPLES["call_deal_found"], EXAMPLES["email_many_opens"]
    page.goto(f"/followups/{first}/")
    _mark_document(page)

    header = page.get_by_role("search").first.get_by_role("searchbox")
    header.fill(f"Could you check https://app.getbill.io/app/followups/{second}?tab=1 please")
    header.press("Enter")

    page.wait_for_url(f"{base_url}/followups/{second}/")
    expect(page.locator("#main")).to_contain_text("Email engagement")
    assert _same_document(page)
    expect(header).to_have_value("")

    page.go_back()
    page.wait_for_url(f"{base_url}/followups/{first}/")
    expect(page.locator("#main")).to_contain_text(_record(first)["summary"])


def test_invalid_input_and_errors_show_in_place(signed_in_page):
    page, _ = signed_in_page
    _mark_document(page)
    page.locator("#q").fill("?! ...")  # no ID, and no word to search either
    page.locator("#q").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("No followup ID found")
    expect(page.locator("#q")).to_be_focused()
    expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")

    page.locator("#q").fill("fault-404")
    page.locator("#q").press("Enter")
    expect(page.locator("#error-title")).to_have_text("Followup not found")
    assert _same_document(page)


def test_works_without_javascript(browser, signed_in_page):
    page, base_url = signed_in_page
    followup_id = EXAMPLES["postmail_pdf"]
    context = browser.new_context(
        base_url=base_url, java_script_enabled=False, storage_state=page.context.storage_state()
    )
    try:
        plain = context.new_page()
        plain.goto("/")
        plain.locator("#q").fill(f"https://getbill.io/external-api/v1/followups/{followup_id}")
        plain.locator("#q").press("Enter")
        plain.wait_for_url(f"{base_url}/followups/{followup_id}/")
        expect(plain.locator("#main")).to_contain_text(_record(followup_id)["summary"])
        expect(plain.get_by_role("link", name=re.compile("Open the PDF"))).to_be_visible()
        # The copy button needs JavaScript, so it is not offered without it.
        expect(plain.locator(".copy-button")).to_be_hidden()
    finally:
        context.close()


def test_copy_the_id(signed_in_page):
    page, base_url = signed_in_page
    followup_id = EXAMPLES["retry"]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page.goto(f"/followups/{followup_id}/")
    button = page.locator(".copy-button")
    expect(button).to_have_accessible_name("Copy ID")
    button.click()
    expect(button).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == followup_id


def test_recent_lookups_and_phone_layout(signed_in_page):
    page, base_url = signed_in_page
    page.set_viewport_size({"width": 375, "height": 800})
    for key in ("long_notes", "hostile_notes"):
        page.goto(f"/followups/{EXAMPLES[key]}/")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{key}: the page scrolls sideways on a phone"
    page.goto("/")
    rows = page.locator(".recent-views tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(EXAMPLES["hostile_notes"])
    rows.first.get_by_role("link").click()
    page.wait_for_url(f"{base_url}/followups/{EXAMPLES['hostile_notes']}/")
