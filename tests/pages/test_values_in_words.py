"""Values newer than GetBill's documentation in words, the Retry marker, one link to the debt."""

import re
from html import unescape

from sandbox.data import EXAMPLES
from tests.support.html import html_attribute, html_find, html_one, html_text
from tests.support.pages import page_get


def test_newer_values_read_as_words_on_the_page(sandbox, manager_client):
    _, body = page_get(manager_client, f"/followups/{EXAMPLES['unknown_enums']}/")
    for raw in ("carrier_pigeon", "escalated_legal", "voicemail_detected"):
        assert f">{raw}<" not in body
    assert "<span>Carrier pigeon</span>" in body
    assert '<span class="visually-hidden">Status: </span>Escalated legal</span>' in body
    assert "Voicemail detected" in body
    assert "GetBill sent “carrier_pigeon”" in unescape(body)


def test_the_retry_marker_is_no_pill_and_the_debt_is_linked_once(sandbox, manager_client):
    _, body = page_get(manager_client, f"/followups/{EXAMPLES['retry']}/")
    marker = html_one(body, "span", class_="marker")
    assert html_attribute(marker, "title")
    assert html_find(marker, "svg")
    assert html_text(marker) == "Retry"
    assert not html_find(
        html_one(body, "div", class_="badges"), "span", class_="badge badge-neutral"
    )
    header = html_one(body, "header", class_="card followup-header")
    assert "/debts/" not in str(header)
    # One link to the debt's page (the debt card's own address, loaded after the page, aside).
    assert len(re.findall(r'href="/debts/[^"/]+/followups/', body)) == 1
