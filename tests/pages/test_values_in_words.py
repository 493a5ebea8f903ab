"""Values newer than GetBill's documentation in words, the Retry marker, one link to the debt."""

import re
from html import unescape

from sandbox.data import EXAMPLES
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
    assert re.search(r'<span class="marker" title="[^"]+">.*?</svg>Retry</span>', body)
    assert 'badge badge-neutral">' not in body.split('class="badges"')[1].split("</div>")[0]
    header = re.search(r'<header class="card followup-header">.*?</header>', body, re.S)
    assert header is not None
    assert "/debts/" not in header.group(0)
    assert body.count('href="/debts/') == 1
