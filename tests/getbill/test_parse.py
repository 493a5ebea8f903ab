"""Reading GetBill's answers (parse.py): every documented field, missing and unknown values,
wrong types, malformed envelopes and pages.

Against real HTTP servers on loopback (tests/getbill/conftest.py); timeouts are small, so every
fault test is bounded by about a second.
"""

import logging
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from followups.getbill import (
    Followup,
    UpstreamFailureError,
    debt_followups_get,
    followup_get,
)
from tests.support.examples import (
    AUDIO_URL,
    DEBT_ID,
    FOLLOWUP_EXAMPLE_JSON,
    FOLLOWUP_ID,
    followup_envelope,
)
from tests.support.getbill_servers import (
    API_PATH,
    CLIENT_ID,
    CLIENT_SECRET,
    api_requests,
    bearer,
    page_payload,
    serve_debt_page,
    serve_followup,
    serve_tokens,
    token_requests,
)


def test_followup_parsed_with_every_documented_field(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream)

    followup = followup_get(followup_id=FOLLOWUP_ID)

    assert followup == Followup(
        id=FOLLOWUP_ID,
        debt_id=DEBT_ID,
        status="deal_found",
        type="call",
        call_date=datetime(2024, 1, 22, 10, 30, tzinfo=UTC),
        scheduled_at=datetime(2024, 1, 22, 10, 0, tzinfo=UTC),
        processed_at=datetime(2024, 1, 22, 10, 35, tzinfo=UTC),
        summary="Successfully contacted debtor, agreed to payment plan",
        notes=FOLLOWUP_EXAMPLE_JSON["notes"],
        call_id="call_789456",
        audio_url=AUDIO_URL,
        pdf_url=None,
        duration_ms=180000,
        disconnection_reason="completed_successfully",
        direction="outbound",
        phone_number_used="+33800123456",
        is_retry=False,
        triggered_payment=True,
        email_opened=False,
        email_open_count=0,
        email_first_opened_at=None,
        email_clicked=False,
        email_click_count=0,
        media_urls_expire_at=datetime(2024, 1, 22, 11, 35, tzinfo=UTC),
    )
    assert followup.invalid_fields == frozenset()
    assert AUDIO_URL not in repr(followup)

    [token_request] = token_requests(upstream)
    assert token_request.mimetype == "application/x-www-form-urlencoded"
    assert token_request.form.to_dict() == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": "followups:read",
    }
    [api_request] = api_requests(upstream)
    assert api_request.environ["RAW_URI"] == f"{API_PATH}/followups/{FOLLOWUP_ID}"
    assert bearer(api_request) == "Bearer token-one"


def test_missing_optional_fields_are_none(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(upstream, {"error": False, "message": "Success", "data": {"id": FOLLOWUP_ID}})

    followup = followup_get(followup_id=FOLLOWUP_ID)

    assert followup == Followup(id=FOLLOWUP_ID)


def test_unknown_enum_values_are_kept(upstream: HTTPServer):
    serve_tokens(upstream, "token-one")
    serve_followup(
        upstream,
        followup_envelope(
            status="escalated_to_lawyer",
            type="carrier_pigeon",
            direction="sideways",
            disconnection_reason="line_eaten_by_goat",
        ),
    )

    followup = followup_get(followup_id=FOLLOWUP_ID)

    assert (followup.status, followup.type) == ("escalated_to_lawyer", "carrier_pigeon")
    assert (followup.direction, followup.disconnection_reason) == (
        "sideways",
        "line_eaten_by_goat",
    )
    assert followup.invalid_fields == frozenset()


def test_fields_of_the_wrong_type_become_unknown_and_are_logged_by_name_only(
    upstream: HTTPServer, caplog: pytest.LogCaptureFixture
):
    serve_tokens(upstream, "token-one")
    serve_followup(
        upstream,
        followup_envelope(
            duration_ms="three minutes",
            is_retry="nope",
            call_date="last tuesday",
            email_open_count=-4,
            triggered_payment=1,
            notes=["PERSONAL-DATA-IN-A-LIST"],
            debt_id="../../admin",
            processed_at="2024-01-22T10:35:00",
        ),
    )
    caplog.set_level(logging.WARNING, logger="followups.getbill")

    followup = followup_get(followup_id=FOLLOWUP_ID)

    expected = {
        "duration_ms",
        "is_retry",
        "call_date",
        "email_open_count",
        "triggered_payment",
        "notes",
        "debt_id",
        "processed_at",
    }
    assert followup.invalid_fields == expected
    assert all(getattr(followup, name) is None for name in expected)
    assert followup.status == "deal_found"
    assert followup.summary == FOLLOWUP_EXAMPLE_JSON["summary"]
    assert all(name in caplog.text for name in expected)
    for value in ("three minutes", "last tuesday", "PERSONAL-DATA-IN-A-LIST", "../../admin"):
        assert value not in caplog.text


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (500, '{"error": true, "message": "Internal error", "code": 500}', "application/json"),
        (200, '{"error": false, "data": {"id": "abc123def4', "application/json"),
        (200, "<html><body>Maintenance</body></html>", "text/html"),
        (200, "[" * 50_000 + "]" * 50_000, "application/json"),
        (200, '{"error": true, "message": "Success?", "data": {}}', "application/json"),
        (200, '{"error": false, "data": null}', "application/json"),
        (200, '{"error": false, "data": ["abc123def456"]}', "application/json"),
        (200, '{"data": {"id": "abc123def456"}}', "application/json"),
        (200, '{"error": "false", "data": {"id": "abc123def456"}}', "application/json"),
        (200, '{"error": false, "data": {"id": "someone-else"}}', "application/json"),
        (200, '{"error": false, "data": {"debt_id": "xyz789ghi012"}}', "application/json"),
        (201, '{"error": false, "data": {"id": "abc123def456"}}', "application/json"),
        (204, "", "application/json"),
        (409, '{"error": true, "message": "Conflict", "code": 409}', "application/json"),
    ],
)
def test_anything_but_a_well_formed_success_for_the_id_is_an_upstream_failure(
    upstream: HTTPServer, status, body, content_type
):
    serve_tokens(upstream, "token-one")
    upstream.expect_request(f"{API_PATH}/followups/{FOLLOWUP_ID}").respond_with_data(
        body, status=status, content_type=content_type
    )

    with pytest.raises(UpstreamFailureError) as raised:
        followup_get(followup_id=FOLLOWUP_ID)

    assert raised.value.status_code == 502
    # Not a transient status: never retried.
    assert len(api_requests(upstream)) == 1


@pytest.mark.parametrize(
    "payload",
    [
        page_payload([{**FOLLOWUP_EXAMPLE_JSON, "debt_id": "another-debt"}]),
        page_payload([{**FOLLOWUP_EXAMPLE_JSON, "debt_id": None}]),
        page_payload([{**FOLLOWUP_EXAMPLE_JSON, "id": "../x"}]),
        page_payload(["abc123def456"]),
        page_payload([FOLLOWUP_EXAMPLE_JSON], page=3),
        page_payload([FOLLOWUP_EXAMPLE_JSON], total="1"),
        page_payload([FOLLOWUP_EXAMPLE_JSON], limit=0),
        page_payload([FOLLOWUP_EXAMPLE_JSON, FOLLOWUP_EXAMPLE_JSON], limit=1),
        page_payload([FOLLOWUP_EXAMPLE_JSON], pages=True),
        {"error": False, "data": [FOLLOWUP_EXAMPLE_JSON]},
        {"error": False, "data": FOLLOWUP_EXAMPLE_JSON, "pagination": {}},
        {"error": True, "data": [], "pagination": {"total": 0, "page": 1, "limit": 1, "pages": 0}},
    ],
)
def test_a_malformed_debt_page_is_an_upstream_failure(upstream: HTTPServer, payload):
    serve_tokens(upstream, "token-one")
    serve_debt_page(upstream, payload)

    with pytest.raises(UpstreamFailureError):
        debt_followups_get(debt_id=DEBT_ID)
