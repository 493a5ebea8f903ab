"""Each way GetBill's answer can be unusable is its own error, raised by the client against the
sandbox on loopback, and its own sentence on the page."""

import pytest

from followups import getbill
from sandbox.data import FAULT_IDS

FAILURES = {
    "server_error": (
        getbill.UpstreamServerError,
        "GetBill had an internal error (500) and could not answer.",
    ),
    "bad_gateway_html": (
        getbill.UpstreamGatewayError,
        "A gateway in front of GetBill answered with an error page instead of GetBill: "
        "GetBill may be restarting or overloaded.",
    ),
    "malformed_json": (
        getbill.UpstreamMalformedError,
        "GetBill's answer arrived cut off or garbled, so it could not be read.",
    ),
    "wrong_id": (
        getbill.UpstreamWrongAnswerError,
        "GetBill answered with another followup than the one asked for, so nothing from that "
        "answer is shown.",
    ),
}


@pytest.mark.parametrize("fault", FAILURES)
def test_the_client_tells_each_failure_apart(sandbox, fault):
    error_class, message = FAILURES[fault]
    with pytest.raises(error_class) as raised:
        getbill.followup_get(followup_id=FAULT_IDS[fault])
    assert isinstance(raised.value, getbill.UpstreamFailureError)
    assert raised.value.status_code == 502
    assert raised.value.user_message == message


def test_a_debt_answered_for_another_debt(sandbox):
    with pytest.raises(getbill.UpstreamWrongAnswerError) as raised:
        getbill.debt_followups_get(debt_id=FAULT_IDS["wrong_id"])
    assert "another debt than the one asked for" in raised.value.user_message
    assert raised.value.audit_detail == "GetBill answered for another debt"


def test_gateways_status_is_not_getbills(sandbox):
    with pytest.raises(getbill.UpstreamServerError) as raised:
        getbill.followup_get(followup_id=FAULT_IDS["server_error"])
    assert raised.value.upstream_status == 500
    assert raised.value.audit_detail == "GetBill failed with an error of its own (500)"


@pytest.mark.parametrize("fault", FAILURES)
def test_each_failure_has_its_own_sentence_on_the_page(sandbox, manager_client, fault):
    response = manager_client.get(f"/followups/{FAULT_IDS[fault]}/")
    assert response.status_code == 502
    _, message = FAILURES[fault]
    body = response.content.decode().replace("&#x27;", "'")
    assert f'<p class="error-message">{message}</p>' in body
    others = [m for f, (_, m) in FAILURES.items() if f != fault]
    assert not any(other in body for other in others)


def test_the_rate_limit_page_counts_the_wait_instead_of_saying_it(sandbox, manager_client):
    body = manager_client.get(f"/followups/{FAULT_IDS['rate_limited']}/").content.decode()
    assert (
        '<p class="error-message">The company&#x27;s GetBill request quota is used up for now.</p>'
        in body
    )
    assert "Try again in 30 seconds" not in body


def test_the_rate_limit_message_keeps_the_wait_where_nothing_counts_it_down():
    error = getbill.RateLimitedError(retry_after_seconds=30)
    assert error.user_message.endswith("used up for now. Try again in 30 seconds.")
    assert error.reason == "The company's GetBill request quota is used up for now."


def test_a_debts_error_page_retries_the_debt(sandbox, manager_client):
    url = f"/debts/{FAULT_IDS['server_error']}/followups/"
    response = manager_client.get(url)
    body = response.content.decode()
    assert response.status_code == 502
    assert f'<a class="button" href="{url}" data-retry>' in body
    assert 'id="error-q"' not in body
    assert "GetBill had an internal error (500)" in body
