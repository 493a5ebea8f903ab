"""The sandbox's contract with GetBill's documented behaviour, checked over real HTTP."""

import base64
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from django.conf import LazySettings
from time_machine import TimeMachineFixture

from sandbox.data import (
    EXAMPLES,
    FAULT_IDS,
    MEDIA_DIR,
    SANDBOX_FOLLOWUPS,
    followup_recording,
)
from sandbox.state import rate_limit_hit, sandbox_state_reset

ROOT = Path(__file__).resolve().parents[2]
API = "/sandbox/external-api/v1"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
CREDENTIALS = {
    "grant_type": "client_credentials",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-secret",
    "scope": "followups:read",
}


@pytest.fixture
def http(sandbox: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox, timeout=10) as client:
        yield client


def token_get(http: httpx.Client, **overrides: str) -> str:
    response = http.post("/sandbox/token", data={**CREDENTIALS, **overrides})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def bearer(http: httpx.Client) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_get(http)}"}


def expected_record(followup_id: str) -> dict[str, object]:
    return next(r for r in SANDBOX_FOLLOWUPS if r["id"] == followup_id)


# --- Token endpoint --------------------------------------------------------------------------


def test_token_is_jwt_shaped_with_client_scope_and_expiry(http: httpx.Client):
    response = http.post("/sandbox/token", data=CREDENTIALS)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "followups:read"
    _header, payload, signature = body["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["client_id"] == "sandbox-client"
    assert claims["scope"] == "followups:read"
    assert claims["exp"] - claims["iat"] == 3600
    assert signature


def test_token_without_scope_gets_every_granted_read_scope(http: httpx.Client):
    response = http.post("/sandbox/token", data={**CREDENTIALS, "scope": ""})
    scopes = response.json()["scope"].split()
    assert "followups:read" in scopes
    assert not [s for s in scopes if s.endswith(":write")]


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({**CREDENTIALS, "grant_type": ""}, 400, "invalid_request"),
        ({**CREDENTIALS, "grant_type": "password"}, 400, "unsupported_grant_type"),
        ({**CREDENTIALS, "client_secret": ""}, 400, "invalid_request"),
        ({**CREDENTIALS, "client_secret": "wrong"}, 401, "invalid_client"),
        ({**CREDENTIALS, "client_id": "someone-else"}, 401, "invalid_client"),
        ({**CREDENTIALS, "scope": "followups:read bogus:scope"}, 400, "invalid_scope"),
        ({**CREDENTIALS, "scope": "followups:write"}, 400, "invalid_scope"),
    ],
)
def test_token_errors(http: httpx.Client, data: dict[str, str], status: int, error: str):
    response = http.post("/sandbox/token", data=data)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"]
    assert "access_token" not in response.json()


def test_token_accepts_only_form_encoded_posts(http: httpx.Client):
    as_json = http.post("/sandbox/token", json=CREDENTIALS)
    assert as_json.status_code == 400
    assert as_json.json()["error"] == "invalid_request"
    repeated = http.post(
        "/sandbox/token",
        content=urlencode([*CREDENTIALS.items(), ("client_id", "x")]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert repeated.json()["error"] == "invalid_request"
    assert http.get("/sandbox/token").status_code == 405


def test_token_expires(http: httpx.Client, settings: LazySettings, clock: TimeMachineFixture):
    settings.SANDBOX_TOKEN_TTL_SECONDS = 2
    token = token_get(http)
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get(f"{API}/followups/{EXAMPLES['call_deal_found']}", headers=headers).is_success
    clock.shift(2.2)
    expired = http.get(f"{API}/followups/{EXAMPLES['call_deal_found']}", headers=headers)
    assert expired.status_code == 401
    assert expired.json() == UNAUTHORIZED


# --- Authentication and scope on the API -----------------------------------------------------


# GetBill's answer to a missing, invalid or expired token.
UNAUTHORIZED = {
    "error": True,
    "message": "Authentication credentials are missing or invalid",
    "code": 401,
}


def tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] += 86400
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-token", "Basic c2FuZGJveDpzZWNyZXQ=", "Bearer a.b.c", "forged"],
)
def test_api_refuses_missing_or_invalid_tokens(http: httpx.Client, authorization: str | None):
    if authorization == "forged":
        authorization = f"Bearer {tampered(token_get(http))}"
    headers = {"Authorization": authorization} if authorization else {}
    response = http.get(f"{API}/followups/{EXAMPLES['call_deal_found']}", headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for name in RATE_HEADERS:
        assert name in response.headers


def test_api_requires_the_followups_read_scope(http: httpx.Client):
    token = token_get(http, scope="debts:read")
    response = http.get(
        f"{API}/followups/{EXAMPLES['call_deal_found']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": True,
        "message": 'Required scope "followups:read" not found in token',
        "code": 403,
    }


# --- Followup, by debt, list ---------------------------------------------------------------


def test_followup_body_and_headers(http: httpx.Client, bearer: dict[str, str]):
    followup_id = EXAMPLES["email_many_opens"]
    response = http.get(f"{API}/followups/{followup_id}", headers=bearer)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] is False
    assert body["message"] == "Success"
    assert body["data"] == expected_record(followup_id)
    assert "media_urls_expire_at" not in body["data"]
    assert response.headers["X-RateLimit-Limit"] == "1000"
    assert response.headers["X-RateLimit-Remaining"] == "999"
    assert response.headers["X-RateLimit-Window"] == "3600"
    assert int(response.headers["X-RateLimit-Reset"]) > time.time()


def test_followup_keeps_keys_absent(http: httpx.Client, bearer: dict[str, str]):
    response = http.get(f"{API}/followups/{EXAMPLES['missing_optional']}", headers=bearer)
    assert set(response.json()["data"]) == {"id", "debt_id", "status", "type"}


def test_unknown_followup_is_404(http: httpx.Client, bearer: dict[str, str]):
    response = http.get(f"{API}/followups/NoSuchFollowup0000000000", headers=bearer)
    assert response.status_code == 404
    assert response.json() == {"error": True, "message": "Followup not found", "code": 404}
    assert "X-RateLimit-Remaining" in response.headers


def all_pages(http: httpx.Client, bearer: dict[str, str], path: str, limit: int) -> list[dict]:
    records: list[dict] = []
    page = 1
    while True:
        body = http.get(path, params={"page": page, "limit": limit}, headers=bearer).json()
        records += body["data"]
        if page >= body["pagination"]["pages"]:
            return records
        page += 1


def test_debt_followups_are_paginated_newest_first(http: httpx.Client, bearer: dict[str, str]):
    path = f"{API}/followups/debt/{EXAMPLES['big_debt']}"
    expected = [r["id"] for r in SANDBOX_FOLLOWUPS if r["debt_id"] == EXAMPLES["big_debt"]]
    assert len(expected) > 100

    first = http.get(path, headers=bearer).json()
    assert first["error"] is False
    assert first["pagination"] == {
        "total": len(expected),
        "page": 1,
        "limit": 20,
        "pages": -(-len(expected) // 20),
    }
    assert [r["id"] for r in first["data"]] == expected[:20]
    dates = [r["call_date"] for r in first["data"]]
    assert dates == sorted(dates, reverse=True)

    for limit in (100, 33):
        assert [r["id"] for r in all_pages(http, bearer, path, limit)] == expected

    past_the_end = http.get(path, params={"page": 99}, headers=bearer).json()
    assert past_the_end["data"] == []
    assert past_the_end["pagination"]["page"] == 99


def test_debt_without_followups_and_unknown_debt(http: httpx.Client, bearer: dict[str, str]):
    empty = http.get(f"{API}/followups/debt/{EXAMPLES['debt_no_followups']}", headers=bearer)
    assert empty.status_code == 200
    assert empty.json()["data"] == []
    assert empty.json()["pagination"]["total"] == 0
    unknown = http.get(f"{API}/followups/debt/NoSuchDebt00000000000000", headers=bearer)
    assert unknown.status_code == 404
    assert unknown.json() == {"error": True, "message": "Debt not found", "code": 404}


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"page": "0"}, {"page"}),
        ({"page": "abc"}, {"page"}),
        ({"page": "-1"}, {"page"}),
        ({"limit": "101"}, {"limit"}),
        ({"limit": "0"}, {"limit"}),
        ({"limit": "1.5", "page": "x"}, {"limit", "page"}),
    ],
)
def test_bad_pagination_is_a_validation_error(
    http: httpx.Client, bearer: dict[str, str], params: dict[str, str], fields: set[str]
):
    for path in (f"{API}/followups/debt/{EXAMPLES['big_debt']}", f"{API}/followups"):
        response = http.get(path, params=params, headers=bearer)
        assert response.status_code == 400
        body = response.json()
        assert body["error"] is True
        assert body["code"] == 400
        assert body["message"] == "Validation failed"
        assert set(body["details"]) == fields
        assert all(isinstance(m, str) for ms in body["details"].values() for m in ms)


def test_list_filters_by_status_and_type(http: httpx.Client, bearer: dict[str, str]):
    everything = http.get(f"{API}/followups", headers=bearer).json()
    assert everything["pagination"]["total"] == len(SANDBOX_FOLLOWUPS)
    assert everything["pagination"]["limit"] == 20
    assert [r["id"] for r in everything["data"]] == [r["id"] for r in SANDBOX_FOLLOWUPS[:20]]

    calls = http.get(
        f"{API}/followups", params={"type": "call", "status": "no_answer", "limit": 100},
        headers=bearer,
    ).json()  # fmt: skip
    expected = [
        r["id"]
        for r in SANDBOX_FOLLOWUPS
        if r.get("type") == "call" and r.get("status") == "no_answer"
    ]
    assert calls["pagination"]["total"] == len(expected)
    assert [r["id"] for r in calls["data"]] == expected[:100]

    newer = http.get(f"{API}/followups", params={"status": "escalated_legal"}, headers=bearer)
    assert [r["id"] for r in newer.json()["data"]] == [EXAMPLES["unknown_enums"]]

    bad = http.get(f"{API}/followups", params={"status": "lost", "type": "fax"}, headers=bearer)
    assert bad.status_code == 400
    assert set(bad.json()["details"]) == {"status", "type"}


# --- Media -------------------------------------------------------------------------------------


def media_url(http: httpx.Client, bearer: dict[str, str], followup_id: str, field: str) -> str:
    body = http.get(f"{API}/followups/{followup_id}", headers=bearer).json()["data"]
    assert body["media_urls_expire_at"]
    return str(body[field])


def _deal_found_recording() -> Path:
    recording = followup_recording(followup_id=EXAMPLES["call_deal_found"])
    assert recording is not None
    return MEDIA_DIR / recording.file


def test_media_urls_look_presigned_and_follow_the_callers_origin(
    http: httpx.Client, bearer: dict[str, str], sandbox: str
):
    before = time.time()
    data = http.get(f"{API}/followups/{EXAMPLES['call_deal_found']}", headers=bearer).json()
    data = data["data"]
    assert data["pdf_url"] is None
    url = urlsplit(data["audio_url"])
    assert f"{url.scheme}://{url.netloc}" == sandbox
    assert url.path.startswith("/sandbox/media/recordings/")
    assert url.path.endswith(".mp3")
    query = parse_qs(url.query)
    assert set(query) == {
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    }
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["3600"]
    assert re.fullmatch(r"[0-9a-f]{64}", query["X-Amz-Signature"][0])
    expires_at = datetime.fromisoformat(data["media_urls_expire_at"]).timestamp()
    assert before + 3598 <= expires_at <= time.time() + 3600

    port = urlsplit(sandbox).port
    via_localhost = httpx.get(
        f"http://localhost:{port}{API}/followups/{EXAMPLES['postmail_pdf']}",
        headers=bearer,
        timeout=10,
    ).json()["data"]
    assert via_localhost["audio_url"] is None
    assert via_localhost["pdf_url"].startswith(f"http://localhost:{port}/sandbox/media/letters/")


def test_media_is_served_whole_with_type_and_cache_bound(
    http: httpx.Client, bearer: dict[str, str]
):
    audio = http.get(media_url(http, bearer, EXAMPLES["call_deal_found"], "audio_url"))
    assert audio.status_code == 200
    assert audio.headers["Content-Type"] == "audio/mpeg"
    assert audio.headers["Accept-Ranges"] == "bytes"
    assert audio.content == _deal_found_recording().read_bytes()
    cache_control = re.fullmatch(r"private, max-age=(\d+)", audio.headers["Cache-Control"])
    assert cache_control is not None
    assert 3590 <= int(cache_control[1]) <= 3600

    letter = http.get(media_url(http, bearer, EXAMPLES["postmail_pdf"], "pdf_url"))
    assert letter.status_code == 200
    assert letter.headers["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF-")


def test_each_call_serves_its_own_recording(http: httpx.Client, bearer: dict[str, str]):
    served = {}
    for record in SANDBOX_FOLLOWUPS:
        recording = followup_recording(followup_id=record["id"])
        if recording is None:
            continue
        audio = http.get(media_url(http, bearer, record["id"], "audio_url"))
        assert audio.status_code == 200
        assert audio.headers["Content-Type"] == "audio/mpeg"
        assert audio.content == (MEDIA_DIR / recording.file).read_bytes(), recording.file
        served[record["id"]] = audio.headers["ETag"]
    assert len(served) >= 12
    assert len(set(served.values())) == len(served)


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-", 1000, None),
        ("bytes=-500", -500, None),
        ("bytes=170000-999999999", 170000, None),
    ],
)
def test_media_range_requests(
    http: httpx.Client,
    bearer: dict[str, str],
    range_header: str,
    first: int,
    last: int | None,
):
    whole = _deal_found_recording().read_bytes()
    size = len(whole)
    url = media_url(http, bearer, EXAMPLES["call_deal_found"], "audio_url")
    response = http.get(url, headers={"Range": range_header})
    assert response.status_code == 206
    start = first % size
    end = size - 1 if last is None else last
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response.headers["Content-Length"] == str(end - start + 1)
    assert response.content == whole[start : end + 1]


def test_media_range_edge_cases(http: httpx.Client, bearer: dict[str, str]):
    size = _deal_found_recording().stat().st_size
    url = media_url(http, bearer, EXAMPLES["call_deal_found"], "audio_url")
    unsatisfiable = http.get(url, headers={"Range": f"bytes={size}-"})
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["Content-Range"] == f"bytes */{size}"
    assert b"<Code>InvalidRange</Code>" in unsatisfiable.content
    # Several ranges, other units, nonsense and a stale If-Range: the whole file, as allowed.
    for headers in (
        {"Range": "bytes=0-1,5-6"},
        {"Range": "items=0-5"},
        {"Range": "bytes=9-3"},
        {"Range": "bytes=0-9", "If-Range": '"stale-etag"'},
    ):
        response = http.get(url, headers=headers)
        assert response.status_code == 200, headers
        assert len(response.content) == size
    etag = http.head(url).headers["ETag"]
    fresh = http.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206


def test_media_head(http: httpx.Client, bearer: dict[str, str]):
    url = media_url(http, bearer, EXAMPLES["postmail_pdf"], "pdf_url")
    response = http.head(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert int(response.headers["Content-Length"]) > 1000
    assert response.content == b""


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return parts._replace(query=urlencode(query)).geturl()


def test_tampered_media_urls_are_refused(http: httpx.Client, bearer: dict[str, str]):
    audio = media_url(http, bearer, EXAMPLES["call_deal_found"], "audio_url")
    letter = media_url(http, bearer, EXAMPLES["postmail_pdf"], "pdf_url")
    signature = parse_qs(urlsplit(audio).query)["X-Amz-Signature"][0]
    other_path = urlsplit(letter)._replace(query=urlsplit(audio).query).geturl()
    for url in (
        with_query(audio, **{"X-Amz-Signature": "0" * 64}),
        with_query(audio, **{"X-Amz-Signature": signature.upper()}),
        with_query(audio, **{"X-Amz-Expires": "604800"}),
        with_query(audio, **{"X-Amz-Date": "20991231T000000Z"}),
        with_query(audio, **{"X-Amz-Credential": "AKIAOTHER/20240101/us-east-1/s3/aws4_request"}),
        other_path,
    ):
        response = http.get(url)
        assert response.status_code == 403, url
        assert response.headers["Content-Type"] == "application/xml"
        assert b"<Error><Code>SignatureDoesNotMatch</Code>" in response.content

    unsigned = http.get(audio.split("?")[0])
    assert unsigned.status_code == 403
    assert b"<Code>AccessDenied</Code>" in unsigned.content
    partial = http.get(with_query(audio.split("?")[0], **{"X-Amz-Signature": signature}))
    assert partial.status_code == 400
    assert b"<Code>AuthorizationQueryParametersError</Code>" in partial.content
    for bad in ({"X-Amz-Expires": "0"}, {"X-Amz-Expires": "999999"}, {"X-Amz-Date": "today"}):
        assert http.get(with_query(audio, **bad)).status_code == 400


def test_media_urls_expire(
    http: httpx.Client, bearer: dict[str, str], settings: LazySettings, clock: TimeMachineFixture
):
    settings.SANDBOX_MEDIA_URL_TTL_SECONDS = 2
    data = http.get(f"{API}/followups/{EXAMPLES['call_deal_found']}", headers=bearer).json()
    url = data["data"]["audio_url"]
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["2"]
    assert http.get(url, headers={"Range": "bytes=0-9"}).status_code == 206
    expires_at = datetime.fromisoformat(data["data"]["media_urls_expire_at"]).timestamp()
    clock.shift(expires_at - time.time() + 0.2)
    expired = http.get(url)
    assert expired.status_code == 403
    assert b"<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.content
    assert b"<X-Amz-Expires>2</X-Amz-Expires>" in expired.content


def test_media_for_an_unknown_key_is_404(http: httpx.Client, bearer: dict[str, str]):
    from sandbox.presign import media_url_sign

    url, _ = media_url_sign(
        path="/sandbox/media/recordings/call_missing.mp3",
        absolute_uri=lambda path: f"{http.base_url}".rstrip("/") + path,
        now=time.time(),
        ttl_seconds=60,
    )
    response = http.get(url)
    assert response.status_code == 404
    assert b"<Code>NoSuchKey</Code>" in response.content


# --- Rate limiting ---------------------------------------------------------------------------


def test_rate_limit_window(
    http: httpx.Client, bearer: dict[str, str], settings: LazySettings, clock: TimeMachineFixture
):
    settings.SANDBOX_RATE_LIMIT = 3
    settings.SANDBOX_RATE_WINDOW_SECONDS = 2
    path = f"{API}/followups/{EXAMPLES['call_deal_found']}"
    remaining = []
    for _ in range(3):
        response = http.get(path, headers=bearer)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Window"] == "2"
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]

    refused = http.get(path, headers=bearer)
    assert refused.status_code == 429
    body = refused.json()
    assert body["error"] is True
    assert body["code"] == 429
    assert body["message"] == "Rate limit exceeded. Please try again later."
    assert body["details"]["limit"] == 3
    assert 1 <= body["details"]["retry_after"] <= 2
    reset_time = datetime.fromisoformat(body["details"]["reset_time"]).timestamp()
    assert reset_time == int(refused.headers["X-RateLimit-Reset"])
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    # Refused calls are not counted, and other endpoints share the same quota.
    assert http.get(f"{API}/followups", headers=bearer).status_code == 429

    clock.shift(reset_time - time.time() + 0.1)
    assert http.get(path, headers=bearer).status_code == 200

    sandbox_state_reset()
    assert http.get(path, headers=bearer).headers["X-RateLimit-Remaining"] == "2"


def test_rate_limit_slides_one_request_at_a_time():
    key = "client:sliding-test"
    for at in (0.0, 1.0, 2.0):
        assert rate_limit_hit(key=key, limit=3, window_seconds=10, now=1000 + at).allowed
    full = rate_limit_hit(key=key, limit=3, window_seconds=10, now=1005)
    assert not full.allowed
    assert full.retry_after == 5
    assert full.reset_at == 1010
    assert rate_limit_hit(key=key, limit=3, window_seconds=10, now=1010.5).allowed
    # Only the oldest request left the window: one slot, not three.
    assert rate_limit_hit(key=key, limit=3, window_seconds=10, now=1010.6).allowed is False
    assert rate_limit_hit(key="client:other", limit=3, window_seconds=10, now=1005).allowed
    sandbox_state_reset()


def test_rate_limit_counts_exactly_under_concurrency():
    results: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(50):
            allowed = rate_limit_hit(key="client:threads", limit=120, window_seconds=60).allowed
            with lock:
                results.append(allowed)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 120
    assert len(results) == 400
    sandbox_state_reset()


# --- Fault IDs -------------------------------------------------------------------------------

JSON_FAULTS = [
    ("forbidden", 403, "Access denied to this followup"),
    ("not_found", 404, "Followup not found"),
    ("server_error", 500, "Internal server error"),
]


@pytest.mark.parametrize(("fault", "status", "message"), JSON_FAULTS)
def test_json_faults(
    http: httpx.Client, bearer: dict[str, str], fault: str, status: int, message: str
):
    response = http.get(f"{API}/followups/{FAULT_IDS[fault]}", headers=bearer)
    assert response.status_code == status
    assert response.json() == {"error": True, "message": message, "code": status}
    debt = http.get(f"{API}/followups/debt/{FAULT_IDS[fault]}", headers=bearer)
    assert debt.status_code == status
    assert debt.json()["message"] == message.replace("followup", "debt").replace("Followup", "Debt")


def test_rate_limited_fault(http: httpx.Client, bearer: dict[str, str]):
    response = http.get(f"{API}/followups/{FAULT_IDS['rate_limited']}", headers=bearer)
    assert response.status_code == 429
    details = response.json()["details"]
    assert details["retry_after"] == 30
    assert details["limit"] == 1000
    datetime.fromisoformat(details["reset_time"])
    assert response.headers["X-RateLimit-Remaining"] == "0"


def test_bad_gateway_fault_is_html(http: httpx.Client, bearer: dict[str, str]):
    response = http.get(f"{API}/followups/{FAULT_IDS['bad_gateway_html']}", headers=bearer)
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"<title>502 Bad Gateway</title>" in response.content


def test_malformed_json_fault(http: httpx.Client, bearer: dict[str, str]):
    for path in ("", "debt/"):
        response = http.get(f"{API}/followups/{path}{FAULT_IDS['malformed_json']}", headers=bearer)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)


def test_slow_fault(http: httpx.Client, bearer: dict[str, str], settings: LazySettings):
    settings.SANDBOX_SLOW_SECONDS = 0.5
    started = time.monotonic()
    response = http.get(f"{API}/followups/{FAULT_IDS['slow']}", headers=bearer)
    assert time.monotonic() - started >= 0.5
    assert response.status_code == 200
    assert response.json()["data"]["id"] == FAULT_IDS["slow"]
    with pytest.raises(httpx.ReadTimeout):
        http.get(f"{API}/followups/{FAULT_IDS['slow']}", headers=bearer, timeout=0.1)


def test_wrong_id_fault_answers_for_another_followup(http: httpx.Client, bearer: dict[str, str]):
    single = http.get(f"{API}/followups/{FAULT_IDS['wrong_id']}", headers=bearer).json()
    assert single["data"]["id"] not in (FAULT_IDS["wrong_id"], "")
    page = http.get(f"{API}/followups/debt/{FAULT_IDS['wrong_id']}", headers=bearer).json()
    assert page["data"]
    assert {r["debt_id"] for r in page["data"]} == {EXAMPLES["debt_with_history"]}


def test_wrong_types_fault(http: httpx.Client, bearer: dict[str, str]):
    data = http.get(f"{API}/followups/{FAULT_IDS['wrong_types']}", headers=bearer).json()["data"]
    assert data["id"] == FAULT_IDS["wrong_types"]
    assert isinstance(data["duration_ms"], str)
    assert isinstance(data["is_retry"], str)


def test_faults_still_need_a_token(http: httpx.Client):
    response = http.get(f"{API}/followups/{FAULT_IDS['server_error']}")
    assert response.status_code == 401


# --- Only in sandbox mode ----------------------------------------------------------------------

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

# Without collectstatic, the production storage could not render the 404 page.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

def namespace(path):
    try:
        return resolve(path).namespace
    except Resolver404:
        return None

client = Client()
print(json.dumps({
    "sandbox_mode": settings.GETBILL_SANDBOX,
    "installed": "sandbox" in settings.INSTALLED_APPS,
    "namespaces": [namespace(p) for p in (
        "/sandbox/token",
        "/sandbox/external-api/v1/followups/x",
        "/sandbox/external-api/v1/followups",
        "/sandbox/media/recordings/x.mp3",
    )],
    # Over https, as in production (plain http would only get the redirect to https).
    "token_status": client.post(
        "/sandbox/token", {"grant_type": "client_credentials"}, secure=True
    ).status_code,
}))
"""


def probe(**env_overrides: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GETBILL_"))}
    env.update(DJANGO_ALLOWED_HOSTS="testserver", **env_overrides)
    result = subprocess.run(  # noqa: S603 - the probe script is a constant of this module
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "dashboard.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_DEBUG": "true"},
        {"DJANGO_DEBUG": "true", "GETBILL_SANDBOX": "true"},
        {"DJANGO_SECRET_KEY": "x" * 50, "GETBILL_SANDBOX": "true"},
    ],
)
def test_sandbox_routes_do_not_exist_with_credentials(env: dict[str, str]):
    outcome = probe(GETBILL_CLIENT_ID="real-client", GETBILL_CLIENT_SECRET="real-secret", **env)
    assert outcome == {
        "sandbox_mode": False,
        "installed": False,
        "namespaces": [None, None, None, None],
        "token_status": 404,
    }


def test_sandbox_routes_exist_in_sandbox_mode():
    outcome = probe(DJANGO_DEBUG="true")
    assert outcome == {
        "sandbox_mode": True,
        "installed": True,
        "namespaces": ["sandbox"] * 4,
        "token_status": 400,
    }


def test_sandbox_fixture_points_the_client_settings_at_the_loopback_server(
    sandbox: str, settings: LazySettings
):
    assert sandbox.startswith("http://127.0.0.1:")
    assert f"{sandbox}/sandbox/token" == settings.GETBILL_TOKEN_URL
    assert f"{sandbox}/sandbox/external-api/v1" == settings.GETBILL_API_URL
    assert [sandbox.removeprefix("http://")] == settings.GETBILL_MEDIA_HOSTS
    assert sandbox == settings.SANDBOX_ORIGIN


def test_dev_server_log_hides_media_signatures(caplog: pytest.LogCaptureFixture):
    from django.core.servers.basehttp import WSGIRequestHandler

    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None  # type: ignore[assignment]
    handler.log_date_time_string = lambda: "now"  # type: ignore[method-assign]
    request_line = (
        "GET /sandbox/media/recordings/call_1.mp3?X-Amz-Date=20240101T000000Z"
        "&X-Amz-Signature=0123abcd&X-Amz-Expires=60 HTTP/1.1"
    )
    with caplog.at_level("INFO", logger="django.server"):
        handler.log_message('"%s" %s %s', request_line, "206", "100")
    assert "0123abcd" not in caplog.text
    assert "X-Amz-Signature" not in caplog.text
    assert '"GET /sandbox/media/recordings/call_1.mp3?[redacted] HTTP/1.1" 206 100' in caplog.text


def test_wrong_method_on_the_api_still_carries_rate_limit_headers(
    http: httpx.Client, bearer: dict[str, str]
):
    response = http.post(f"{API}/followups/{EXAMPLES['call_deal_found']}", headers=bearer)
    assert response.status_code == 405
    assert response.headers["X-RateLimit-Remaining"] == "999"
