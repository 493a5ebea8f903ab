"""The one ID cleaner (ids.py): what is refused never reaches GetBill.

Against real HTTP servers on loopback (tests/getbill/conftest.py); timeouts are small, so every
fault test is bounded by about a second.
"""

import re

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from followups.getbill import (
    InvalidIdError,
    debt_followups_get,
    followup_get,
    getbill_id_clean,
)
from tests.support.examples import (
    followup_envelope,
)
from tests.support.getbill_servers import (
    API_PATH,
    api_requests,
    serve_followup,
    serve_tokens,
)

VALID_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


STRIPPED = " \t\r\n\f\v\u00a0\u2007\u202f\u200b\ufeff"


def is_valid_after_strip(raw: str) -> bool:
    return bool(VALID_ID.fullmatch(raw.strip(STRIPPED)))


REJECTED_EXAMPLES = [
    "",
    "   ",
    "..",
    "../debts",
    "abc/def",
    "abc\\def",
    "abc?x=1",
    "abc#top",
    "abc%2F..",
    "%2e%2e",
    "abc def",
    "abc\x00",
    "abc\x1f",
    "\x1fabc",
    "abc\u202e",
    "ABCé",
    "ａｂｃ",  # noqa: RUF001 - full-width look-alikes are the point
    "abc.def",
    "a" * 65,
    "x" * 100_000,
]


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.text() | st.from_regex(r"[A-Za-z0-9_-]{65,200}", fullmatch=True))
@example(raw="..")
@example(raw="a/b")
def test_every_rejected_id_makes_no_upstream_request(upstream: HTTPServer, raw: str):
    if is_valid_after_strip(raw):
        return
    serve_tokens(upstream, "token-one")

    with pytest.raises(InvalidIdError) as raised:
        followup_get(followup_id=raw)
    with pytest.raises(InvalidIdError):
        debt_followups_get(debt_id=raw)

    assert raised.value.status_code == 400
    assert upstream.log == []


@pytest.mark.parametrize("raw", REJECTED_EXAMPLES)
def test_rejected_id_classes(upstream: HTTPServer, raw: str):
    serve_tokens(upstream, "token-one")

    with pytest.raises(InvalidIdError):
        followup_get(followup_id=raw)

    assert upstream.log == []


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    followup_id=st.from_regex(VALID_ID, fullmatch=True),
    before=st.sampled_from(["", " ", "\n", "\t ", "\u00a0"]),
    after=st.sampled_from(["", " ", "\r\n", "\u200b"]),
)
def test_valid_ids_reach_exactly_their_path(
    upstream: HTTPServer, followup_id: str, before: str, after: str
):
    upstream.clear_log()
    upstream.clear_all_handlers()
    serve_tokens(upstream, "token-one")
    serve_followup(upstream, followup_envelope(id=followup_id), followup_id=followup_id)

    assert followup_get(followup_id=before + followup_id + after).id == followup_id

    [request] = api_requests(upstream)
    assert request.environ["RAW_URI"] == f"{API_PATH}/followups/{followup_id}"


def test_id_clean_strips_and_keeps_the_id():
    assert getbill_id_clean(raw="  abc_DEF-123\n") == "abc_DEF-123"
