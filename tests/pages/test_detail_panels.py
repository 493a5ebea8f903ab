"""The panels a followup's page loads right after itself (transcript, trackers, comments,
review): where they go, the page of their own without JavaScript, who may load them."""

from django.test import Client

from followups.models import AuditEntry
from sandbox.data import EXAMPLES
from tests.support.html import html_attribute, html_find, html_one
from tests.support.pages import PANELS_HEADERS

CALL_ID = EXAMPLES["call_deal_found"]
EMAIL_ID = EXAMPLES["email_many_opens"]


def _panels_url(followup_id: str) -> str:
    return f"/followups/{followup_id}/panels/"


def test_the_page_loads_its_panels_after_itself_with_a_link_without_javascript(
    sandbox: str, qa_client: Client
) -> None:
    page = qa_client.get(f"/followups/{CALL_ID}/").content.decode()
    region = html_one(page, "div", id="followup-panels")
    link = html_one(region, "a")
    assert html_attribute(link, "href") == _panels_url(CALL_ID)
    assert html_attribute(link, "hx-get") == _panels_url(CALL_ID)
    assert html_attribute(link, "hx-trigger") == "load"
    assert html_attribute(link, "hx-target") == "#followup-panels"
    # Places kept for what comes out of band: the side column's panels, the seek bar's layers.
    assert html_find(page, "div", id="followup-panels-side")
    assert html_find(page, "div", id="seek-bar-layers")
    assert 'id="review-panel"' not in page


def test_htmx_gets_the_panels_with_the_side_column_and_seek_bar_out_of_band(
    sandbox: str, qa_client: Client
) -> None:
    qa_client.get(f"/followups/{CALL_ID}/")
    response = qa_client.get(_panels_url(CALL_ID), headers=PANELS_HEADERS)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert html_find(fragment, "div", id="followup-panels")
    side = html_one(fragment, "div", id="followup-panels-side")
    assert html_attribute(side, "hx-swap-oob") == "true"
    assert 'id="review-panel"' in fragment
    seek_bar = html_one(fragment, "div", id="seek-bar-layers")
    assert html_attribute(seek_bar, "hx-swap-oob") == "true"
    assert "HX-Target" in response.get("Vary", "")


def test_a_followup_without_a_player_gets_no_seek_bar_layers(
    sandbox: str, qa_client: Client
) -> None:
    qa_client.get(f"/followups/{EMAIL_ID}/")
    fragment = qa_client.get(_panels_url(EMAIL_ID), headers=PANELS_HEADERS).content.decode()
    assert 'id="review-panel"' in fragment
    assert not html_find(fragment, "div", id="seek-bar-layers")


def test_without_javascript_the_panels_are_a_page_of_their_own(
    sandbox: str, qa_client: Client
) -> None:
    qa_client.get(f"/followups/{CALL_ID}/")
    response = qa_client.get(_panels_url(CALL_ID))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert "hx-swap-oob" not in page.split("<footer")[0]
    back = html_one(page, "a", class_="followup-id")
    assert html_attribute(back, "href") == f"/followups/{CALL_ID}/"
    assert 'id="review-panel"' in page


def test_the_panels_of_a_kept_followup_add_no_lookup_entry(sandbox: str, qa_client: Client) -> None:
    qa_client.get(f"/followups/{CALL_ID}/")
    qa_client.get(_panels_url(CALL_ID), headers=PANELS_HEADERS)
    assert AuditEntry.objects.filter(action="lookup", followup_id=CALL_ID).count() == 1


def test_panels_are_refused_without_the_right_to_see_followups(
    sandbox: str, qa_client: Client, plain_client: Client
) -> None:
    qa_client.get(f"/followups/{CALL_ID}/")
    for headers in (PANELS_HEADERS, {}):
        response = plain_client.get(_panels_url(CALL_ID), headers=headers)
        assert response.status_code == 403
        assert 'id="review-panel"' not in response.content.decode()
    denied = AuditEntry.objects.filter(action="lookup", outcome="denied", followup_id=CALL_ID)
    assert denied.count() == 2


def test_an_id_that_is_not_one_is_refused(sandbox: str, qa_client: Client) -> None:
    response = qa_client.get("/followups/not%20an%20id!/panels/", headers=PANELS_HEADERS)
    assert response.status_code == 400
    assert "<html" not in response.content.decode()


def test_an_unknown_followup_is_not_found(sandbox: str, qa_client: Client) -> None:
    response = qa_client.get(_panels_url("zzzzzzzzzzzzzzzzzzzzzzzz"), headers=PANELS_HEADERS)
    assert response.status_code == 404
