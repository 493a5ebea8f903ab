"""One boundary for every error: each address answers GetBill's failures and the dashboard's
refusals with the error's status, as a page, or as its panel's error when htmx asked for a
panel; htmx is configured to swap exactly those answers."""

import json
import re

import httpx
import pytest

from tests.support.fake_getbill import error_answer
from tests.support.html import html_attribute, html_find, html_htmx, html_one

FOLLOWUP_ID = "abc123def456"
DEBT_ID = "debt123xyz"
HTMX = {"HX-Request": "true"}

# GetBill's fault -> the status the dashboard answers with.
FAULTS = [
    (error_answer(500, "Internal error"), 502),
    (httpx.ConnectError("down"), 503),
    (httpx.ReadTimeout("slow"), 504),
    (error_answer(429, "Too many requests"), 429),
    (error_answer(404, "Not found"), 404),
]
FAULT_IDS = ["server-error", "unreachable", "timeout", "rate-limited", "not-found"]

# Address, the GetBill path it asks, and the headers of the request.
PAGES = [
    (f"/followups/{FOLLOWUP_ID}/", f"/followups/{FOLLOWUP_ID}", {}),
    (f"/followups/{FOLLOWUP_ID}/", f"/followups/{FOLLOWUP_ID}", {**HTMX, "HX-Target": "main"}),
    (f"/followups/{FOLLOWUP_ID}/pdf/", f"/followups/{FOLLOWUP_ID}", {}),
    (f"/debts/{DEBT_ID}/followups/", f"/followups/debt/{DEBT_ID}", {}),
    ("/followups/?type=call", "/followups", {}),
]
PANELS = [
    (f"/debts/{DEBT_ID}/followups/timeline/?current=x1", f"/followups/debt/{DEBT_ID}", HTMX),
    (f"/debts/{DEBT_ID}/card/", f"/debts/{DEBT_ID}", {**HTMX, "HX-Target": "debt-card"}),
    (f"/followups/{FOLLOWUP_ID}/recording/", f"/followups/{FOLLOWUP_ID}", HTMX),
]


def _fault_at(fake_getbill, path: str, fault) -> None:
    fake_getbill.debt_add(id=DEBT_ID)
    fake_getbill.answers[path] = fault


@pytest.mark.parametrize(("fault", "status"), FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize(("url", "path", "headers"), PAGES)
def test_a_page_answers_getbills_failure_with_its_status(
    manager_client, fake_getbill, url, path, headers, fault, status
):
    _fault_at(fake_getbill, path, fault)
    response = manager_client.get(url, headers=headers)
    body = response.content.decode()
    assert response.status_code == status
    assert html_find(body, "h1", id="error-title")
    assert ("<html" in body) is ("HX-Target" not in headers)
    assert "Traceback" not in body
    assert {"HX-Request", "HX-Target"} <= {h.strip() for h in response["Vary"].split(",")}
    if status != 429:
        assert "Retry-After" not in response


@pytest.mark.parametrize(("fault", "status"), FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize(("url", "path", "headers"), PANELS)
def test_a_panel_answers_getbills_failure_with_its_status_and_its_own_error(
    manager_client, fake_getbill, url, path, headers, fault, status
):
    _fault_at(fake_getbill, path, fault)
    response = manager_client.get(url, headers=headers)
    body = response.content.decode()
    assert response.status_code == status
    assert "<html" not in body
    assert "error-panel" not in body
    assert "Traceback" not in body


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/followups/?type=fax", {}),
        ("/followups/?type=fax", {**HTMX, "HX-Target": "followups-results"}),
        ("/followups/?page=0", {}),
        ("/queue/?part=99", {}),
        ("/followups/not%20an%20id/", {}),
        ("/debts/not%20a%20debt/card/", {**HTMX, "HX-Target": "debt-card"}),
        ("/followups/?q=%3F%21+...", {}),
    ],
)
def test_refused_input_is_a_400_and_getbill_is_not_asked(
    manager_client, fake_getbill, url, headers
):
    response = manager_client.get(url, headers=headers)
    assert response.status_code == 400
    assert fake_getbill.requests == []
    assert "Traceback" not in response.content.decode()


def test_the_list_refused_in_place_keeps_its_region(manager_client, fake_getbill):
    swap = {**HTMX, "HX-Target": "followups-results"}
    response = manager_client.get("/followups/", {"type": "fax"}, headers=swap)
    body = response.content.decode()
    assert response.status_code == 400
    assert html_htmx(body, "target", "section", id="followups-results") == "#followups-results"
    assert html_find(body, "*", role="alert")
    assert "<html" not in body


def test_hostile_but_readable_data_renders(manager_client, fake_getbill):
    fake_getbill.followup_add(
        id=FOLLOWUP_ID, summary="<script>alert(1)</script>", type="carrier_pigeon"
    )
    response = manager_client.get(f"/followups/{FOLLOWUP_ID}/")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def _htmx_rule(body: str, status: int) -> dict:
    # htmx takes the first rule whose `code` (a regular expression) finds the status.
    meta = html_one(body, "meta", name="htmx-config")
    rules = json.loads(html_attribute(meta, "content") or "")["responseHandling"]
    return next(rule for rule in rules if re.search(rule["code"], str(status)))


@pytest.mark.parametrize("status", [400, 403, 404, 409, 429, 502, 503, 504])
def test_htmx_swaps_every_error_the_boundary_answers(manager_client, fake_getbill, status):
    body = manager_client.get("/").content.decode()
    assert _htmx_rule(body, status)["swap"] is True


def test_htmx_leaves_a_crash_out(manager_client, fake_getbill):
    body = manager_client.get("/").content.decode()
    assert _htmx_rule(body, 500)["swap"] is False
