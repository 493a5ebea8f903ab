"""A letter's PDF in a real browser, opened after the links of its page expired."""

import re

from sandbox.data import EXAMPLES


def test_the_pdf_opens_after_the_pages_link_expired(page_watched, settings, clock):
    page, errors = page_watched
    settings.SANDBOX_MEDIA_URL_TTL_SECONDS = 1
    letter = EXAMPLES["postmail_pdf"]
    page.goto(f"/followups/{letter}/")
    clock.shift(2.1)  # the links GetBill gave with the page have expired
    media = []
    page.context.on("response", lambda r: media.append(r) if "/sandbox/media/" in r.url else None)
    with page.expect_popup() as popup_info:
        page.get_by_role("link", name=re.compile("^Open the PDF")).click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url.startswith(f"{page.url.split('/followups/')[0]}/sandbox/media/letters/")
    assert [r.status for r in media] == [200]
    assert media[0].headers["content-type"] == "application/pdf"
    assert errors == []
