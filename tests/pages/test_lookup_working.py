"""The lookup boxes while a lookup runs: they say so, and send once."""

import re

from sandbox.data import EXAMPLES
from tests.support.pages import page_get

CALL = EXAMPLES["call_deal_found"]


def test_the_lookup_boxes_show_they_are_working_and_send_once(sandbox, manager_client):
    _, body = page_get(manager_client, f"/followups/{CALL}/")
    header = re.search(r'<form class="header-search".*?</form>', body, re.S)
    assert header is not None
    form = header.group(0)
    assert (
        'hx-indicator="#header-q-working" hx-disabled-elt="find button" hx-sync="this:drop"' in form
    )
    assert (
        '<span class="lookup-working htmx-indicator" id="header-q-working">Looking up…</span>'
        in form
    )
    assert (
        '<label class="visually-hidden" for="header-q">Followup ID or GetBill link</label>' in form
    )
    _, home = page_get(manager_client, "/")
    assert 'hx-indicator="#q-working" hx-disabled-elt="find button" hx-sync="this:drop"' in home
    assert 'id="q-working">Looking up…</span>' in home
