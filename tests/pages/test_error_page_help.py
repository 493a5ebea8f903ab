"""What every error page offers (Try again, the time, the reference), the 429's countdown, the
sentence of each GetBill failure, and a debt's error page retrying the debt."""

import re

import pytest
from django.test.html import Element
from django.utils import timezone

from sandbox.data import FAULT_IDS
from tests.support.faults import UNUSABLE_ANSWERS
from tests.support.html import html_attribute, html_find, html_one, html_text, html_texts
from tests.support.pages import page_get


def _panel(body: str) -> Element:
    return html_one(body, "section", class_="error-panel")


def _retry(within: str | Element) -> Element:
    return html_one(within, "a", class_="button", data_retry=True)


@pytest.mark.parametrize(
    "fault", ["server_error", "bad_gateway_html", "malformed_json", "wrong_id", "rate_limited"]
)
def test_every_error_page_has_try_again_and_the_time(sandbox, manager_client, fault):
    url = f"/followups/{FAULT_IDS[fault]}/"
    _, body = page_get(manager_client, url)
    panel = _panel(body)
    assert html_attribute(_retry(panel), "href") == url
    assert html_text(_retry(panel)) == "Try again"
    now = timezone.localtime()
    assert re.search(rf"Happened at {now:%Y-%m-%d} \d\d:\d\d:\d\d UTC", html_text(panel))
    assert html_find(panel, "time")


def test_the_reference_is_the_requests_id(sandbox, manager_client):
    response = manager_client.get(f"/followups/{FAULT_IDS['server_error']}/")
    panel = _panel(response.content.decode())
    assert f"Reference: {response['X-Request-ID']} . Quote both" in html_text(panel)
    assert html_texts(panel, "code") == [response["X-Request-ID"]]


def test_without_a_request_the_time_alone_is_to_quote():
    from django.template.loader import render_to_string

    html = render_to_string("errors/_error_reference.html", {})
    assert "Reference:" not in html
    assert "Quote it if you ask for help." in html


def test_the_429_page_counts_down_from_the_seconds_left(sandbox, manager_client):
    status, body = page_get(manager_client, f"/followups/{FAULT_IDS['rate_limited']}/")
    assert status == 429
    countdown = html_one(body, "p", data_countdown=True)
    assert 28 <= int(html_attribute(countdown, "data-countdown-seconds") or "") <= 30
    text = html_one(countdown, "span", data_countdown_text=True)
    assert html_text(text).startswith("You can try again")
    assert re.match(r"in \d+\u00a0seconds?", html_text(html_one(text, "time")))


def test_the_plain_error_pages_have_try_again(manager_client):
    _, body = page_get(manager_client, "/no-such-page/")
    assert html_attribute(_retry(_panel(body)), "href") == "/no-such-page/"


def test_an_error_page_names_its_two_search_landmarks_apart(sandbox, manager_client):
    _, body = page_get(manager_client, f"/followups/{FAULT_IDS['server_error']}/")
    names = [
        html_attribute(search, "aria-label") or ""
        for search in html_find(body, "form", role="search")
    ]
    assert sorted(names) == ["Look up a followup", "Quick lookup"]
    assert body.count('role="search"') == 2


@pytest.mark.parametrize("fault", UNUSABLE_ANSWERS)
def test_each_failure_has_its_own_sentence_on_the_page(sandbox, manager_client, fault):
    response = manager_client.get(f"/followups/{FAULT_IDS[fault]}/")
    assert response.status_code == 502
    _, message = UNUSABLE_ANSWERS[fault]
    body = response.content.decode().replace("&#x27;", "'")
    assert message in html_texts(body, "p", class_="error-message")
    others = [m for f, (_, m) in UNUSABLE_ANSWERS.items() if f != fault]
    assert not any(other in body for other in others)


def test_the_rate_limit_page_counts_the_wait_instead_of_saying_it(sandbox, manager_client):
    body = manager_client.get(f"/followups/{FAULT_IDS['rate_limited']}/").content.decode()
    assert "The company's GetBill request quota is used up for now." in html_texts(
        body, "p", class_="error-message"
    )
    assert "Try again in 30 seconds" not in body


def test_a_debts_error_page_retries_the_debt(sandbox, manager_client):
    url = f"/debts/{FAULT_IDS['server_error']}/followups/"
    response = manager_client.get(url)
    body = response.content.decode()
    assert response.status_code == 502
    assert html_attribute(_retry(body), "href") == url
    assert 'id="error-q"' not in body
    assert "GetBill had an internal error (500)" in body
