"""The sandbox's `GET /debts/{id}` and the `debts:read` scope, checked over real HTTP."""

import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import httpx
import pytest
from django.conf import LazySettings

from sandbox.data import DEBT_IDS, EXAMPLES, FAULT_IDS, SANDBOX_DEBTS, SANDBOX_FOLLOWUPS
from sandbox.debt_data import CUSTOM_STATUS, PERSONAL_FIELDS, SANDBOX_DEBT_RECORDS

API = "/sandbox/external-api/v1"
CREDENTIALS = {
    "grant_type": "client_credentials",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-secret",
}
BOTH_SCOPES = "followups:read debts:read"


@pytest.fixture
def http(sandbox: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox, timeout=10) as client:
        yield client


def token_post(http: httpx.Client, *, scope: str) -> httpx.Response:
    return http.post("/sandbox/token", data={**CREDENTIALS, "scope": scope})


def bearer_for(http: httpx.Client, *, scope: str = BOTH_SCOPES) -> dict[str, str]:
    response = token_post(http, scope=scope)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def debt_get(http: httpx.Client, debt_id: str, headers: dict[str, str]) -> httpx.Response:
    return http.get(f"{API}/debts/{debt_id}", headers=headers)


# --- The scope --------------------------------------------------------------------------------


def test_token_endpoint_grants_debts_read_when_asked(http: httpx.Client):
    response = token_post(http, scope=BOTH_SCOPES)
    assert response.status_code == 200
    assert set(response.json()["scope"].split()) == {"followups:read", "debts:read"}


def test_debt_needs_the_debts_read_scope(http: httpx.Client):
    response = debt_get(
        http, EXAMPLES["debt_with_history"], bearer_for(http, scope="followups:read")
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": True,
        "message": 'Required scope "debts:read" not found in token',
        "code": 403,
    }
    assert "X-RateLimit-Remaining" in response.headers


def test_followups_need_followups_read_not_debts_read(http: httpx.Client):
    headers = bearer_for(http, scope="debts:read")
    assert http.get(f"{API}/followups", headers=headers).status_code == 403
    assert debt_get(http, EXAMPLES["debt_with_history"], headers).status_code == 200


def test_a_client_without_debts_read_is_refused_the_scope(
    http: httpx.Client, settings: LazySettings
):
    settings.SANDBOX_GRANTED_SCOPES = ["followups:read"]
    refused = token_post(http, scope=BOTH_SCOPES)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"
    assert "debts:read" in refused.json()["error_description"]
    assert token_post(http, scope="followups:read").status_code == 200
    everything = http.post("/sandbox/token", data={**CREDENTIALS, "scope": ""})
    assert everything.json()["scope"] == "followups:read"


def test_a_narrowing_server_grants_what_it_can_and_the_api_refuses_the_rest(
    http: httpx.Client, settings: LazySettings
):
    settings.SANDBOX_GRANTED_SCOPES = ["followups:read"]
    settings.SANDBOX_SCOPES_NARROWED = True
    granted = token_post(http, scope=BOTH_SCOPES)
    assert granted.status_code == 200
    assert granted.json()["scope"] == "followups:read"
    headers = {"Authorization": f"Bearer {granted.json()['access_token']}"}
    assert debt_get(http, EXAMPLES["debt_with_history"], headers).status_code == 403
    assert http.get(f"{API}/followups", headers=headers).status_code == 200
    # Nothing at all in common is still refused.
    assert token_post(http, scope="debts:read").status_code == 400


def test_debt_needs_a_valid_token(http: httpx.Client):
    response = http.get(f"{API}/debts/{EXAMPLES['debt_with_history']}")
    assert response.status_code == 401


# --- The records ------------------------------------------------------------------------------


def test_debt_body_has_getbills_shape(http: httpx.Client):
    debt_id = EXAMPLES["debt_with_history"]
    response = debt_get(http, debt_id, bearer_for(http))
    assert response.status_code == 200
    body = response.json()
    assert body["error"] is False
    assert body["message"] == "Success"
    data = body["data"]
    assert data["id"] == debt_id
    assert (data["civility"], data["firstname"], data["lastname"]) == ("Ms", "Amélie", "Dubois")
    assert data["company"] == "Northwind Energy"
    assert (data["amount"], data["amount_text"], data["currency"]) == (482.6, "482.60", "EUR")
    assert data["status"] == "status.default.settled"
    assert data["payment_plan_active"] is True
    date.fromisoformat(data["plan_start_date"])
    date.fromisoformat(data["due_date"])
    date.fromisoformat(data["invoice_date"])
    datetime.fromisoformat(data["import_date"])
    for field in PERSONAL_FIELDS:
        assert field in data


def test_every_debt_of_the_followups_has_a_record():
    assert set(SANDBOX_DEBT_RECORDS) == set(SANDBOX_DEBTS)
    assert set(DEBT_IDS.values()) == set(SANDBOX_DEBTS)


@pytest.mark.parametrize("debt_id", sorted(SANDBOX_DEBTS))
def test_records_agree_with_the_followups(debt_id: str):
    record = SANDBOX_DEBT_RECORDS[debt_id]
    followups = [r for r in SANDBOX_FOLLOWUPS if r["debt_id"] == debt_id]
    if "followups_count" in record:
        assert record["followups_count"] == len(followups)
        assert 0 <= record["nb_answered"] <= record["followups_count"]
    # The amount as text and as a number say the same.
    if "amount_text" in record:
        assert Decimal(record["amount_text"]) == Decimal(str(record["amount"]))
    # The name the data set gives the debtor is the one the record holds.
    name = " ".join(filter(None, (record.get("firstname"), record.get("lastname"))))
    assert name in SANDBOX_DEBTS[debt_id] or record.get("debtor_company") == SANDBOX_DEBTS[debt_id]
    if record.get("payment_plan_active"):
        assert record["plan_start_date"]
        # Plans were agreed on a call that found a deal, on the plan's first day.
        starts = {
            r["call_date"][:10]
            for r in followups
            if r.get("status") == "deal_found" and r.get("call_date")
        }
        assert record["plan_start_date"] in starts


def test_notes_amounts_and_currencies():
    def record(label: str) -> dict[str, object]:
        return SANDBOX_DEBT_RECORDS[DEBT_IDS[label]]

    assert (record("wasowska")["amount_text"], record("wasowska")["currency"]) == (
        "112.40",
        "GBP",
    )
    assert record("wasowska")["status"] == "status.default.paid"
    assert record("schaefer")["amount_text"] == "3120.00"
    assert record("mueller")["invoice_reference"] == "NW-08817"
    assert record("mueller")["debtor_company"] == "Müller & Söhne Haustechnik GmbH"
    assert record("moreau")["amount_text"] == "645.00"
    assert record("zulawski")["amount_text"] == "390.00"
    assert record("kjaergaard")["currency"] == "DKK"
    company_only = SANDBOX_DEBT_RECORDS[EXAMPLES["debt_company_only"]]
    assert company_only["firstname"] is None
    assert company_only["debtor_company"] == "Boulangerie Lefèvre & Fils SARL"


def test_statuses_cover_default_and_custom_values():
    statuses = {r.get("status") for r in SANDBOX_DEBT_RECORDS.values()}
    assert {"status.default.paid", "status.default.settled", "status.default.on_hold"} <= statuses
    assert CUSTOM_STATUS in statuses
    assert any(s and not s.startswith("status.") for s in statuses)


def test_a_debt_with_fields_left_out(http: httpx.Client):
    data = debt_get(http, EXAMPLES["debt_fields_left_out"], bearer_for(http)).json()["data"]
    assert "company" not in data
    assert "payment_plan_active" not in data
    assert data["currency"] == "GBP"


def test_unknown_debt_is_404(http: httpx.Client):
    response = debt_get(http, "noSuchDebt123", bearer_for(http))
    assert response.status_code == 404
    assert response.json() == {"error": True, "message": "Debt not found", "code": 404}


# --- Faults -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "message"),
    [
        ("forbidden", 403, "Access denied to this debt"),
        ("not_found", 404, "Debt not found"),
        ("server_error", 500, "Internal server error"),
    ],
)
def test_json_faults(http: httpx.Client, fault: str, status: int, message: str):
    response = debt_get(http, FAULT_IDS[fault], bearer_for(http))
    assert response.status_code == status
    assert response.json() == {"error": True, "message": message, "code": status}


def test_raw_faults(http: httpx.Client):
    headers = bearer_for(http)
    html = debt_get(http, FAULT_IDS["bad_gateway_html"], headers)
    assert html.status_code == 502
    assert html.headers["Content-Type"].startswith("text/html")
    broken = debt_get(http, FAULT_IDS["malformed_json"], headers)
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.content)
    assert debt_get(http, FAULT_IDS["rate_limited"], headers).status_code == 429


def test_wrong_id_and_wrong_types_faults(http: httpx.Client):
    headers = bearer_for(http)
    other = debt_get(http, FAULT_IDS["wrong_id"], headers).json()["data"]
    assert other["id"] == EXAMPLES["debt_with_history"]
    odd = debt_get(http, FAULT_IDS["wrong_types"], headers).json()["data"]
    assert odd["id"] == FAULT_IDS["wrong_types"]
    assert isinstance(odd["amount"], str)
    assert isinstance(odd["payment_plan_active"], str)


def test_slow_fault(http: httpx.Client, settings: LazySettings):
    settings.SANDBOX_SLOW_SECONDS = 0.3
    started = time.monotonic()
    response = debt_get(http, FAULT_IDS["slow"], bearer_for(http))
    assert time.monotonic() - started >= 0.3
    assert response.json()["data"]["id"] == FAULT_IDS["slow"]


# --- The list endpoint keeps its filters ---------------------------------------------------------


def test_list_filters_still_served_with_both_scopes(http: httpx.Client):
    headers = bearer_for(http)
    calls = http.get(
        f"{API}/followups", params={"type": "call", "status": "deal_found", "limit": 5},
        headers=headers,
    ).json()  # fmt: skip
    expected = [
        r["id"]
        for r in SANDBOX_FOLLOWUPS
        if r.get("type") == "call" and r.get("status") == "deal_found"
    ]
    assert [r["id"] for r in calls["data"]] == expected[:5]
    assert calls["pagination"] == {
        "total": len(expected),
        "page": 1,
        "limit": 5,
        "pages": -(-len(expected) // 5),
    }
    past_the_end = http.get(
        f"{API}/followups", params={"page": 1000, "limit": 100}, headers=headers
    ).json()
    assert past_the_end["data"] == []
