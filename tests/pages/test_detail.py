"""The followup page against the sandbox: every status and type, hostile upstream data, every
error page and its status code."""

import re
import socket
from typing import Any

import httpx
import pytest
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import linebreaksbr
from django.test import Client
from django.utils.html import escape

from followups import moments, presentation, values
from followups.getbill import FOLLOWUP_STATUSES, FOLLOWUP_TYPES
from sandbox.data import EXAMPLES, FAULT_IDS, SANDBOX_FOLLOWUPS
from tests.support.html import html_attribute, html_find, html_one, html_text, html_texts


def _record(followup_id: str) -> dict[str, Any]:
    return next(r for r in SANDBOX_FOLLOWUPS if r["id"] == followup_id)


def _first(field: str, value: str) -> dict[str, Any]:
    return next(r for r in SANDBOX_FOLLOWUPS if r.get(field) == value)


def _text(value: str) -> str:
    """How upstream text appears in the page: escaped, line breaks kept."""
    return linebreaksbr(value, autoescape=True)


@pytest.fixture
def signed_in(manager_client: Client) -> Client:
    return manager_client


def _page(client: Client, followup_id: str) -> tuple[int, str]:
    response = client.get(f"/followups/{followup_id}/")
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("status", FOLLOWUP_STATUSES)
def test_each_status(sandbox, signed_in, status):
    record = _first("status", status)
    code, body = _page(signed_in, record["id"])
    label, tone = values.STATUS_WORDS[status]
    assert code == 200
    assert f"Status: {label}" in html_texts(body, "span", class_=f"badge badge-{tone}")
    assert html_texts(body, "span", class_="mono followup-id") == [record["id"]]
    if record.get("summary"):
        assert _text(record["summary"]) in body
    assert "None" not in body


@pytest.mark.parametrize("followup_type", FOLLOWUP_TYPES)
def test_each_type(sandbox, signed_in, followup_type):
    record = _first("type", followup_type)
    code, body = _page(signed_in, record["id"])
    label, icon = values.TYPE_WORDS[followup_type]
    assert code == 200
    assert f'icon-{icon}" aria-hidden="true"' in body
    assert label in html_texts(body, "span", class_="type-label")
    call_like = followup_type in values.CALL_TYPES
    assert ('id="call-title"' in body) is call_like
    assert ('id="recording-title"' in body) is (call_like or bool(record.get("audio_url")))
    assert ('id="engagement-title"' in body) is (followup_type == "email")
    if call_like and record.get("duration_ms") is not None:
        assert str(moments.duration_format(ms=record["duration_ms"])) in body
    if record.get("phone_number_used") and call_like:
        assert str(presentation.phone_format(number=record["phone_number_used"])) in body
    assert "None" not in body


def test_call_with_a_recording(sandbox, signed_in, settings):
    record = _record(EXAMPLES["call_deal_found"])
    code, body = _page(signed_in, record["id"])
    assert code == 200
    audio = html_one(body, "audio", class_="recording-audio", controls=True, preload="metadata")
    assert html_attribute(audio, "src") == f"/followups/{record['id']}/recording/audio"
    src = signed_in.get(html_attribute(audio, "src"))["Location"]
    assert src.startswith(f"{sandbox}/sandbox/media/")
    assert "Triggered a payment" in body
    assert str(moments.duration_format(ms=record["duration_ms"])) in body
    assert str(values.disconnection_reason_label(reason=record["disconnection_reason"])) in body
    assert record["call_id"] in body
    assert "Outbound" in body
    # The debt is named in the header and linked once, from the panel of its followups.
    assert record["debt_id"] in html_texts(body, "span", class_="mono")
    debt_url = f"/debts/{record['debt_id']}/followups/"
    assert body.count(f'href="{debt_url}') == 1
    assert signed_in.get(debt_url).status_code == 200
    # The signed URL really serves the recording.
    assert httpx.get(src, headers={"Range": "bytes=0-1"}).status_code in (200, 206)


def test_retry_badge(sandbox, signed_in):
    _, body = _page(signed_in, EXAMPLES["retry"])
    assert re.search(r'icon-retry" aria-hidden="true"[^>]*>.*?</svg>Retry</span>', body)


def test_email_engagement(sandbox, signed_in):
    record = _record(EXAMPLES["email_many_opens"])
    code, body = _page(signed_in, record["id"])
    assert code == 200
    assert "Email engagement" in body
    assert "stat stat-success" in body
    values = html_texts(body, "span", class_="stat-value")
    assert str(record["email_open_count"]) in values
    assert str(record["email_click_count"]) in values
    assert "First opened" in body
    assert "can open emails automatically" in body
    assert 'id="recording-title"' not in body


def test_email_without_opens(sandbox, signed_in):
    _, body = _page(signed_in, EXAMPLES["email_no_opens"])
    values = html_texts(body, "span", class_="stat-value")
    assert values.count("No") == 2
    assert values.count("0") == 2


def test_letter_with_its_pdf(sandbox, signed_in):
    code, body = _page(signed_in, EXAMPLES["postmail_pdf"])
    assert code == 200
    link = html_one(
        body, "a", class_="button secondary", target="_blank", rel="noopener noreferrer"
    )
    # Through the dashboard, which gets a fresh link: GetBill's own expires with the page.
    assert html_attribute(link, "href") == f"/followups/{EXAMPLES['postmail_pdf']}/pdf/"
    assert "/sandbox/media/" not in body
    assert signed_in.get(html_attribute(link, "href"))["Location"].startswith(
        f"{sandbox}/sandbox/media/"
    )
    assert "Letter" in body


def test_hostile_upstream_text_is_escaped(sandbox, signed_in):
    record = _record(EXAMPLES["hostile_notes"])
    code, body = _page(signed_in, record["id"])
    assert code == 200
    assert _text(record["summary"]) in body
    assert _text(record["notes"]) in body
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert 'href="javascript:' not in body
    assert "<b>STOP</b>" not in body
    assert "{{ request.user.password }}" in body  # shown, not evaluated


def test_unknown_enum_values_are_shown_in_words_in_a_neutral_style(sandbox, signed_in):
    record = _record(EXAMPLES["unknown_enums"])
    code, body = _page(signed_in, record["id"])
    assert code == 200

    def words(value: str) -> str:
        return values.value_words(value=value)

    # The followup's status (the debt's own status has a badge too).
    titles = {
        html_text(badge): html_attribute(badge, "title")
        for badge in html_find(body, "span", class_="badge badge-neutral badge-unknown")
    }
    assert titles[f"Status: {words(record['status'])}"] == (
        f"A status newer than GetBill's documentation; GetBill sent “{record['status']}”"
    )
    type_label = html_one(body, "span", class_="type-label type-unknown")
    assert (html_attribute(type_label, "title") or "").startswith("A type newer than")
    assert html_text(type_label) == words(record["type"])
    # An unknown type carrying call fields is shown as a call, newer values in words.
    assert 'id="call-title"' in body
    assert words(record["direction"]) in body
    assert words(record["disconnection_reason"]) in body
    assert str(moments.duration_format(ms=record["duration_ms"])) in body


def test_missing_optional_fields_show_a_dash_never_none(sandbox, signed_in):
    code, body = _page(signed_in, EXAMPLES["missing_optional"])
    assert code == 200
    assert "None" not in body
    assert "No summary." in body
    assert "No notes." in body
    # Scheduled, executed, processed, and the SMS's phone number (the debt card aside, whose
    # own missing fields are checked in tests/pages/test_debt_card.py).
    followup_part = re.sub(r'<section class="card debt-card".*?</section>', "", body, flags=re.S)
    assert html_texts(followup_part, "span", class_="missing", title="Not provided") == ["—"] * 4
    assert "Triggered a payment" not in body


def test_fields_of_the_wrong_type_show_unknown(sandbox, signed_in):
    code, body = _page(signed_in, FAULT_IDS["wrong_types"])
    assert code == 200
    assert "unknown</span>" in body
    assert "None" not in body


def test_long_notes_keep_their_line_breaks(sandbox, signed_in):
    record = _record(EXAMPLES["long_notes"])
    _, body = _page(signed_in, record["id"])
    assert "<br><br>" in body
    assert _text(record["notes"]) in body


# --- Hostile data the sandbox does not send --------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)//.mp3",
        "data:audio/mpeg;base64,AAAA",
        "https://evil.example/recording.mp3",
        "http://s3.amazonaws.com/bucket/call.mp3",  # plain http off loopback
        "https://s3.amazonaws.com.evil.example/call.mp3",
        "https://user@s3.amazonaws.com/call.mp3",
        '"><script>alert(1)</script>',
        "//evil.example/x.mp3",
    ],
)
def test_media_urls_off_the_allowed_hosts_never_reach_the_page(
    signed_in, upstream_returns, settings, url
):
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]
    upstream_returns(id="abc123def456", type="call", audio_url=url, pdf_url=url)
    code, body = _page(signed_in, "abc123def456")
    assert code == 200
    assert "Recording unavailable" in body
    assert "Document unavailable" in body
    assert "<audio" not in body
    assert url not in body
    assert escape(url) not in body
    assert "javascript:" not in body.lower()
    assert "evil.example" not in body


def test_an_allowed_media_url_stays_on_the_server(signed_in, upstream_returns, settings):
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]
    url = "https://s3.amazonaws.com/bucket/call.mp3?X-Amz-Signature=abc&X-Amz-Expires=3600"
    upstream_returns(id="abc123def456", type="call", audio_url=url)
    _, body = _page(signed_in, "abc123def456")
    assert 'src="/followups/abc123def456/recording/audio"' in body
    assert "X-Amz" not in body
    assert signed_in.get("/followups/abc123def456/recording/audio")["Location"] == url


def test_hostile_values_everywhere_are_escaped(signed_in, upstream_returns):
    evil = '<script>alert("x")</script>'
    upstream_returns(
        id="abc123def456",
        type=evil,
        status=evil,
        summary=evil,
        notes=f"line one\n{evil}",
        call_id=evil,
        direction=evil,
        disconnection_reason=evil,
        phone_number_used=evil,
    )
    code, body = _page(signed_in, "abc123def456")
    assert code == 200
    assert "<script>alert" not in body
    assert body.count(escape(evil)) >= 7


def test_hostile_debt_id_gets_no_link(signed_in, upstream_returns):
    upstream_returns(id="abc123def456", debt_id="../../admin/")
    code, body = _page(signed_in, "abc123def456")
    assert code == 200
    assert "/debts/" not in body


def test_invalid_fields_say_unknown(signed_in, upstream_returns):
    upstream_returns(
        id="abc123def456",
        status=123,
        duration_ms="three minutes",
        call_date="yesterday",
        email_opened=None,
    )
    code, body = _page(signed_in, "abc123def456")
    assert code == 200
    assert body.count('<span class="unknown"') == 2  # duration, executed
    assert "Status: Unknown" in html_texts(body, "span", class_="badge")


# --- Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "title"),
    [
        ("forbidden", 403, "Access denied"),
        ("not_found", 404, "Followup not found"),
        ("rate_limited", 429, "Too many requests to GetBill"),
        ("server_error", 502, "GetBill returned an error"),
        ("bad_gateway_html", 502, "GetBill returned an error"),
        ("malformed_json", 502, "GetBill returned an error"),
        ("wrong_id", 502, "GetBill returned an error"),
    ],
)
def test_error_pages(sandbox, signed_in, fault, status, title):
    response = signed_in.get(f"/followups/{FAULT_IDS[fault]}/")
    body = response.content.decode()
    assert response.status_code == status
    assert html_texts(body, "h1", id="error-title") == [title]
    assert f"Error {status}" in body
    assert 'href="/"' in body  # back to the search
    assert 'name="q"' in body
    assert "Traceback" not in body
    assert "<html" in body
    if fault == "rate_limited":
        assert int(response["Retry-After"]) >= 0
        assert "You can try again" in body
    else:
        assert "Retry-After" not in response


def test_access_denied_shows_getbills_message(sandbox, signed_in):
    body = signed_in.get(f"/followups/{FAULT_IDS['forbidden']}/").content.decode()
    message = html_text(html_one(body, "p", class_="error-message"))
    assert message
    assert message != "GetBill denied access."  # GetBill's own words, not ours


def test_too_slow_is_a_504(sandbox, signed_in, settings):
    settings.SANDBOX_SLOW_SECONDS = 3
    settings.GETBILL_READ_TIMEOUT = 0.5
    settings.GETBILL_DEADLINE = 1.0
    response = signed_in.get(f"/followups/{FAULT_IDS['slow']}/")
    assert response.status_code == 504
    assert "GetBill took too long to answer" in response.content.decode()


def test_unreachable_is_a_503(signed_in, settings, unused_port_url):
    settings.GETBILL_API_URL = f"{unused_port_url}/external-api/v1"
    settings.GETBILL_TOKEN_URL = f"{unused_port_url}/token"
    response = signed_in.get("/followups/abc123def456/")
    assert response.status_code == 503
    assert "GetBill is unreachable" in response.content.decode()


def test_misconfigured_is_a_503(signed_in, settings):
    settings.GETBILL_API_URL = "ftp://getbill.example/api"
    response = signed_in.get("/followups/abc123def456/")
    assert response.status_code == 503
    assert "misconfigured" in response.content.decode()


def test_invalid_id_in_the_path_is_a_400(signed_in):
    response = signed_in.get("/followups/not%20an%20id/")
    assert response.status_code == 400
    assert "That is not a followup ID" in response.content.decode()


def test_invalid_debt_id_is_a_400(signed_in):
    assert signed_in.get("/debts/not%20a%20debt/followups/").status_code == 400


@pytest.fixture
def unused_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- Django's own error pages ---------------------------------------------------------------


def test_unknown_address_is_a_product_404(signed_in):
    response = signed_in.get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert html_texts(body, "h1", id="error-title") == ["Page not found"]
    assert 'class="app-header"' in body
    assert 'href="/"' in body


def test_unexpected_failure_is_a_product_500_without_traceback(signed_in, fake_getbill):
    fake_getbill.answers["/followups/abc123def456"] = RuntimeError("secret internals")
    signed_in.raise_request_exception = False
    response = signed_in.get("/followups/abc123def456/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "secret internals" not in body
    assert "Traceback" not in body


def test_permission_denied_is_a_product_403(signed_in, fake_getbill):
    # Raised from deep below the view, where no code of the dashboard expects it.
    fake_getbill.answers["/followups/abc123def456"] = PermissionDenied("internal reason")
    response = signed_in.get("/followups/abc123def456/")
    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()
    assert "internal reason" not in response.content.decode()


def test_bad_request_is_a_product_400(signed_in):
    response = signed_in.get("/", HTTP_HOST="not-allowed.example")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
