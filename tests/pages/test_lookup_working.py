"""The lookup boxes while a lookup runs: they say so, and send once."""

from sandbox.data import EXAMPLES
from tests.support.html import assert_in_html, html_attribute, html_find, html_one, html_texts
from tests.support.pages import page_get

CALL = EXAMPLES["call_deal_found"]
SENT_ONCE = {"hx_disabled_elt": "find button", "hx_sync": "this:drop"}


def test_the_lookup_boxes_show_they_are_working_and_send_once(sandbox, manager_client):
    _, body = page_get(manager_client, f"/followups/{CALL}/")
    form = html_one(body, "form", class_="header-search")
    assert html_attribute(form, "hx-indicator") == "#header-q-working"
    assert html_attribute(form, "hx-disabled-elt") == "find button"
    assert html_attribute(form, "hx-sync") == "this:drop"
    assert_in_html(
        '<span class="lookup-working htmx-indicator" id="header-q-working">Looking up…</span>',
        str(form),
    )
    assert_in_html(
        '<label class="visually-hidden" for="header-q">Followup ID or GetBill link</label>',
        str(form),
    )
    _, home = page_get(manager_client, "/")
    assert html_find(home, "*", hx_indicator="#q-working", **SENT_ONCE)
    assert html_texts(home, "*", id="q-working") == ["Looking up…"]
