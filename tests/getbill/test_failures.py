"""Each way GetBill's answer can be unusable is its own error, raised by the client against
the sandbox on loopback."""

import pytest

from followups import getbill
from sandbox.data import FAULT_IDS
from tests.support.faults import UNUSABLE_ANSWERS


@pytest.mark.parametrize("fault", UNUSABLE_ANSWERS)
def test_the_client_tells_each_failure_apart(sandbox, fault):
    error_class, message = UNUSABLE_ANSWERS[fault]
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


def test_the_rate_limit_message_keeps_the_wait_where_nothing_counts_it_down():
    error = getbill.RateLimitedError(retry_after_seconds=30)
    assert error.user_message.endswith("used up for now. Try again in 30 seconds.")
    assert error.reason == "The company's GetBill request quota is used up for now."


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (getbill.InvalidIdError(), False),
        (getbill.NotFoundError(), False),
        (getbill.AccessDeniedError(), False),
        (getbill.ScopeMissingError(subject="debt"), False),
        (getbill.RateLimitedError(retry_after_seconds=30), True),
        (getbill.UpstreamServerError(), True),
        (getbill.UpstreamMalformedError(), True),
        (getbill.UpstreamTimeoutError(), True),
        (getbill.UpstreamUnavailableError(), True),
    ],
)
def test_what_is_worth_asking_again(error, retryable):
    assert error.retryable is retryable
