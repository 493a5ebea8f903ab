"""The debt card on the detail and debt pages against the sandbox: what each role sees, nothing
personal, statuses and money in words, the fallback without `debts:read`, tab titles, and the
lookup box taking a pasted debt link."""

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.test.html import parse_html

from followups.models import AuditAction, AuditEntry, AuditOutcome
from sandbox.data import DEBT_IDS, EXAMPLES, FAULT_IDS
from sandbox.debt_data import CUSTOM_STATUS, PERSONAL_FIELDS, SANDBOX_DEBT_RECORDS
from sandbox.state import requests_counted, sandbox_state_reset
from tests.support.examples import DEBT_ID, FOLLOWUP_ID
from tests.support.fake_getbill import FakeGetBill, error_answer
from tests.support.html import html_find, html_texts

CALL = EXAMPLES["call_deal_found"]
HISTORY = EXAMPLES["debt_with_history"]
# How htmx asks for the card alone (loaded after the page, or "Show the debt").
CARD_SWAP = {"HX-Request": "true", "HX-Target": "debt-card"}


def _page(client: Client, path: str) -> tuple[int, str]:
    response = client.get(path)
    return response.status_code, html.unescape(response.content.decode())


_CARD_LOAD = re.compile(
    r'<section class="card debt-card"[^>]*hx-get="(?P<url>[^"]+)" hx-trigger="load".*?</section>',
    flags=re.S,
)


def _page_loaded(client: Client, path: str) -> tuple[int, str]:
    """The page as a browser shows it once htmx has run: a card region that loads after the
    page is swapped for the card its address answers (asked for as htmx asks for it)."""
    code, body = _page(client, path)
    region = _CARD_LOAD.search(body)
    if region is None:
        return code, body
    loaded = client.get(region.group("url"), headers=CARD_SWAP)
    return code, body.replace(region.group(0), _card(html.unescape(loaded.content.decode())))


def _card(body: str) -> str:
    match = re.search(r'<section class="card debt-card".*?</section>', body, flags=re.S)
    assert match is not None
    return match.group(0)


def _facts(card: str) -> dict[str, str]:
    """The card's facts: each term's text, and its description's."""
    terms, descriptions = html_texts(card, "dt"), html_texts(card, "dd")
    assert len(terms) == len(descriptions)
    return dict(zip(terms, descriptions, strict=True))


def _title(body: str) -> str:
    match = re.search(r"<title>(.*?) · Followups dashboard</title>", body)
    assert match is not None
    return match.group(1)


def _personal_values(debt_id: str) -> list[str]:
    record = SANDBOX_DEBT_RECORDS[debt_id]
    values: list[str] = []
    for field in PERSONAL_FIELDS:
        value = record.get(field)
        if isinstance(value, list):
            values += [str(contact["value"]) for contact in value]
        elif value:
            values.append(str(value))
    # Two-letter country codes are in every page's markup; the rest must never be.
    return [value for value in values if len(value) > 3]


@pytest.fixture
def both_scopes(sandbox: str, settings: Any) -> str:
    settings.GETBILL_SCOPES = "followups:read debts:read"
    return sandbox


def test_manager_sees_the_debt_behind_the_followup(both_scopes, manager_client):
    code, body = _page_loaded(manager_client, f"/followups/{CALL}/")
    assert code == 200
    card = _card(body)
    assert 'data-debt-card="shown"' in card
    assert "Ms Amélie Dubois" in card
    assert "Northwind Energy" in card
    assert "€482.60" in card
    assert "Settled by a payment plan" in card
    assert "NWE-2291-4471" in card
    facts = _facts(card)
    assert re.fullmatch(r"Active since \d{1,2} \w{3} \d{4}", facts["Payment plan"])
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4}", facts["Due"])
    assert facts["Followups"] == "8"
    assert facts["Answered calls"] == "1"
    # The page's one link to the debt's page is the side panel's, under the card.
    assert "/debts/" not in card
    # The first look's title was written before the card came; the next look has it kept.
    assert _title(body) == "Call · Deal found"
    assert _title(_page(manager_client, f"/followups/{CALL}/")[1]) == (
        "Call · Deal found · Ms Amélie Dubois"
    )


def test_qa_reviewer_sees_initials_only(both_scopes, qa_client):
    _code, body = _page(qa_client, f"/followups/{CALL}/")
    # On demand: "Show the debt" loads it.
    assert 'data-debt-card="on_demand"' in _card(body)
    assert _title(body) == "Call · Deal found"
    _code, body = _page(qa_client, f"/debts/{HISTORY}/card/")
    card = _card(body)
    assert "A. D." in card
    assert "Dubois" not in body
    # Now kept: the detail page shows it at once.
    _code, body = _page(qa_client, f"/followups/{CALL}/")
    card = _card(body)
    assert "A. D." in card
    assert "initials only" in card
    assert "Dubois" not in card
    assert "Dubois" not in _title(body)
    assert _title(body) == "Call · Deal found · A. D."
    # What a reviewer needs to judge the call is all there.
    assert "€482.60" in card
    assert "Settled by a payment plan" in card


@pytest.mark.parametrize("debt_id", sorted(SANDBOX_DEBT_RECORDS))
def test_no_phone_email_address_birth_date_or_iban_ever(both_scopes, manager_client, debt_id):
    code, body = _page(manager_client, f"/debts/{debt_id}/followups/")
    assert code == 200
    for value in _personal_values(debt_id):
        assert value not in body, value


def test_debt_page_has_the_card_and_a_title_with_debtor_and_amount(both_scopes, manager_client):
    code, body = _page(manager_client, f"/debts/{DEBT_IDS['kjaergaard']}/followups/")
    assert code == 200
    card = _card(body)
    assert "Mr Søren Kjærgaard" in card
    assert "DKK2,450.00" in card
    assert _title(body) == "Debt of Mr Søren Kjærgaard · DKK2,450.00"


def test_company_debtor_and_custom_status(both_scopes, manager_client):
    _, body = _page(manager_client, f"/debts/{EXAMPLES['debt_company_only']}/followups/")
    assert "Boulangerie Lefèvre & Fils SARL" in _card(body)
    _, body = _page(manager_client, f"/debts/{EXAMPLES['debt_custom_status']}/followups/")
    card = _card(body)
    # A company's own status, shown as GetBill sends it.
    assert CUSTOM_STATUS in card
    assert "badge-unknown" in card


def test_missing_and_wrong_fields_read_as_such(both_scopes, manager_client):
    _, body = _page(manager_client, f"/debts/{EXAMPLES['debt_fields_left_out']}/followups/")
    card = _card(body)
    assert "None" not in card
    creditor = html_find(parse_html(card), "dd")[list(_facts(card)).index("Creditor")]
    assert html_find(creditor, "span", class_="missing")
    _, odd = _page_loaded(manager_client, f"/followups/{FAULT_IDS['wrong_types']}/")
    assert 'class="unknown"' in _card(odd)


def test_filtering_the_debt_page_in_place_asks_getbill_nothing(both_scopes, qa_client):
    qa_client.get(f"/debts/{HISTORY}/followups/")
    sandbox_state_reset()
    response = qa_client.get(
        f"/debts/{HISTORY}/followups/",
        {"type": "call"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="debt-results",
    )
    assert response.status_code == 200
    # The debt's followups come from the shared cache, and the card is not part of the swap.
    assert requests_counted() == 0
    assert "debt-card" not in response.content.decode()


def test_the_card_is_audited(both_scopes, manager_client, manager_user):
    _page_loaded(manager_client, f"/followups/{CALL}/")
    entry = AuditEntry.objects.get(user=manager_user, action=AuditAction.DEBT_DETAIL)
    assert (entry.outcome, entry.debt_id) == (AuditOutcome.SHOWN, HISTORY)


def test_past_the_users_share_the_card_says_so_and_the_page_still_shows(
    both_scopes, manager_client, settings
):
    # The followup takes the one request the share allows; the card's would be the second.
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    code, body = _page_loaded(manager_client, f"/followups/{CALL}/")
    assert code == 200
    assert 'data-debt-card="error"' in _card(body)


def test_a_card_seen_before_comes_from_the_shared_cache(both_scopes, manager_client, settings):
    assert _page_loaded(manager_client, f"/followups/{CALL}/")[0] == 200
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    sandbox_state_reset()
    code, body = _page_loaded(manager_client, f"/followups/{CALL}/")
    assert code == 200
    assert 'data-debt-card="shown"' in _card(body)
    assert requests_counted() == 0


# --- Without debts:read -----------------------------------------------------------------------


@pytest.mark.parametrize("narrowed", [False, True], ids=["invalid_scope", "403 Required scope"])
def test_without_debts_read_everything_else_works_and_the_card_says_what_to_grant(
    both_scopes, settings, manager_client, qa_client, narrowed: bool
):
    settings.SANDBOX_GRANTED_SCOPES = ["followups:read"]
    settings.SANDBOX_SCOPES_NARROWED = narrowed
    paths = (f"/followups/{CALL}/", f"/debts/{HISTORY}/followups/", f"/debts/{HISTORY}/card/")
    for path in paths:
        code, body = _page_loaded(manager_client, path)
        assert code == 200
        card = _card(body)
        assert 'data-debt-card="scope_missing"' in card
        lines = re.findall(r"<span>([^<]*debts:read[^<]*)</span>", card)
        assert len(lines) == 1
        assert "administrator" in lines[0]
    assert _page(qa_client, "/followups/")[0] == 200
    assert _page(qa_client, "/queue/")[0] == 200
    # Known missing: the next pages do not ask GetBill for the debt (and the followup, seen
    # before, comes from the shared cache), and a QA reviewer is told at once what to grant.
    sandbox_state_reset()
    _code, body = _page(qa_client, f"/followups/{CALL}/")
    assert requests_counted() == 0
    assert 'data-debt-card="scope_missing"' in _card(body)


def test_a_failing_debt_is_a_line_in_the_card_not_an_error_page(
    both_scopes, manager_client, settings
):
    # GetBill's quota runs out between the followup and its debt.
    settings.SANDBOX_RATE_LIMIT = 1
    code, body = _page_loaded(manager_client, f"/followups/{CALL}/")
    assert code == 200
    card = _card(body)
    assert 'data-debt-card="error"' in card
    assert "Too many requests to GetBill" in card
    assert "You can try again" in card


# --- The lookup box -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        f"https://app.getbill.io/debts/{HISTORY}",
        f"https://getbill.io/external-api/v1/debts/{HISTORY}",
        f"https://getbill.io/external-api/v1/followups/debt/{HISTORY}",
        f"http://127.0.0.1:8000/debts/{HISTORY}/followups/?current=x",
        f"  <https://app.getbill.io/fr/debts/{HISTORY}/>  ",
    ],
)
def test_a_pasted_debt_link_goes_to_the_debt_page(both_scopes, qa_client, link: str):
    response = qa_client.get("/followups/", {"q": link})
    assert response.status_code == 302
    assert response["Location"] == f"/debts/{HISTORY}/followups/"
    swapped = qa_client.get(
        "/followups/", {"q": link}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main"
    )
    assert swapped.status_code == 200
    assert swapped["HX-Push-Url"] == f"/debts/{HISTORY}/followups/"
    assert 'id="debt-card"' in swapped.content.decode()


def test_a_followup_link_under_a_debt_is_still_the_followups(both_scopes, qa_client):
    response = qa_client.get(
        "/followups/", {"q": f"https://app.getbill.io/app/debts/{HISTORY}/followups/{CALL}"}
    )
    assert response["Location"] == f"/followups/{CALL}/"


def test_a_debt_link_without_a_valid_id_is_explained(both_scopes, qa_client):
    response = qa_client.get("/followups/", {"q": "https://app.getbill.io/debts/a.b/"})
    assert response.status_code == 400
    assert "link to a debt" in html.unescape(response.content.decode())


# --- On demand for QA reviewers (GetBill faked at the transport, every request counted) --------


FAKE_DETAIL = f"/followups/{FOLLOWUP_ID}/"
FAKE_CARD = f"/debts/{DEBT_ID}/card/"


@pytest.fixture
def one_debt(fake_getbill: FakeGetBill) -> FakeGetBill:
    """The example followup and its debt (Mr John Doe owes €1,250.00), `debts:read` granted,
    GetBill's quota in its answers' headers."""
    fake_getbill.followup_add()
    fake_getbill.debt_add()
    fake_getbill.headers = {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "900"}
    return fake_getbill


def _debt_requests(fake: FakeGetBill) -> int:
    return len(fake.api_requests(f"/debts/{DEBT_ID}"))


def _card_entries(user: Any) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(user=user, action=AuditAction.DEBT_DETAIL).order_by("id")
    return list(entries.values_list("outcome", "source"))


def test_a_managers_first_look_asks_for_the_followup_alone_and_loads_the_card_after(
    one_debt, manager_client, manager_user
):
    code, body = _page(manager_client, FAKE_DETAIL)
    assert code == 200
    card = _card(body)
    # One GetBill round trip for the page: the card is a region that loads after it.
    assert 'data-debt-card="on_demand"' in card
    assert _debt_requests(one_debt) == 0
    assert _card_entries(manager_user) == []
    region = re.search(r"<section [^>]*>", card)
    assert region is not None
    assert f'hx-get="{FAKE_CARD}"' in region.group(0)
    assert 'hx-trigger="load"' in region.group(0)
    assert 'hx-swap="outerHTML"' in region.group(0)
    # Without JavaScript the same address is a link.
    assert re.search(rf'<a href="{FAKE_CARD}"[^>]*>Show the debt</a>', card)
    _, loaded = _page_loaded(manager_client, FAKE_DETAIL)
    card = _card(loaded)
    assert 'data-debt-card="shown"' in card
    assert "Mr John Doe" in card
    assert "Show the debt" not in card
    assert _debt_requests(one_debt) == 1
    assert _card_entries(manager_user) == [(AuditOutcome.SHOWN, "getbill")]


def test_a_manager_sees_a_fresh_kept_card_at_once(one_debt, manager_client, manager_user):
    _page_loaded(manager_client, FAKE_DETAIL)
    _, body = _page(manager_client, FAKE_DETAIL)
    card = _card(body)
    assert 'data-debt-card="shown"' in card
    assert "hx-trigger" not in card
    assert _debt_requests(one_debt) == 1
    assert _title(body).endswith("· Mr John Doe")
    assert _card_entries(manager_user) == [
        (AuditOutcome.SHOWN, "getbill"),
        (AuditOutcome.SHOWN, "cache"),
    ]


def test_a_qa_reviewer_cold_gets_show_the_debt_and_getbill_is_not_asked(
    one_debt, qa_client, qa_user
):
    code, body = _page(qa_client, FAKE_DETAIL)
    assert code == 200
    card = _card(body)
    assert 'data-debt-card="on_demand"' in card
    assert _debt_requests(one_debt) == 0
    show = re.search(r"<a [^>]*data-debt-card-show[^>]*>Show the debt</a>", card)
    assert show is not None
    control = show.group(0)
    # A link that works without JavaScript, and the same card swapped in place with it.
    assert f'href="{FAKE_CARD}"' in control
    assert f'hx-get="{FAKE_CARD}"' in control
    assert 'hx-target="#debt-card"' in control
    assert 'hx-swap="outerHTML"' in control
    # Nothing of the debt was looked at: no audit entry, no debtor in the tab's title.
    assert _card_entries(qa_user) == []
    assert _title(body) == "Call · Deal found"


def test_a_qa_reviewer_gets_the_card_at_once_once_someone_brought_it(
    one_debt, manager_client, qa_client, qa_user
):
    assert _page_loaded(manager_client, FAKE_DETAIL)[0] == 200
    assert _debt_requests(one_debt) == 1
    _, body = _page(qa_client, FAKE_DETAIL)
    card = _card(body)
    assert 'data-debt-card="shown"' in card
    assert "J. D." in card
    assert "Doe" not in card
    assert _title(body) == "Call · Deal found · J. D."
    assert _debt_requests(one_debt) == 1
    assert _card_entries(qa_user) == [(AuditOutcome.SHOWN, "cache")]


def test_a_stale_copy_is_not_shown_at_once(one_debt, manager_client, qa_client, settings):
    settings.GETBILL_CACHE_SECONDS = 0  # kept for failures, fresh for no time
    _page_loaded(manager_client, FAKE_DETAIL)
    _, body = _page(qa_client, FAKE_DETAIL)
    assert 'data-debt-card="on_demand"' in _card(body)
    assert _debt_requests(one_debt) == 1


def test_show_the_debt_loads_the_card_in_place_with_one_request(one_debt, qa_client, qa_user):
    qa_client.get(FAKE_DETAIL)
    response = qa_client.get(FAKE_CARD, headers=CARD_SWAP)
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    # The card alone, and the footer's quota line out of band.
    assert "<html" not in body
    card = _card(body)
    assert 'data-debt-card="shown"' in card
    assert 'id="debt-card"' in card
    assert "J. D." in card
    assert "€1,250.00" in card
    assert re.search(r'id="getbill-quota"\s+hx-swap-oob="true"', body)
    assert "HX-Target" in response["Vary"]
    assert _debt_requests(one_debt) == 1
    assert _card_entries(qa_user) == [(AuditOutcome.SHOWN, "getbill")]
    # Clicked again (or the page reloaded): the kept copy, shown at once.
    qa_client.get(FAKE_CARD, headers=CARD_SWAP)
    _, body = _page(qa_client, FAKE_DETAIL)
    assert 'data-debt-card="shown"' in _card(body)
    assert _debt_requests(one_debt) == 1


def test_without_javascript_the_control_opens_the_cards_page(one_debt, qa_client):
    code, body = _page(qa_client, FAKE_CARD)
    assert code == 200
    assert "<html" in body
    assert 'data-debt-card="shown"' in _card(body)
    assert f'href="/debts/{DEBT_ID}/followups/"' in _card(body)
    assert _title(body) == "Debt of J. D. · €1,250.00"
    assert _debt_requests(one_debt) == 1


def test_the_cards_address_takes_a_share_of_the_users_quota(one_debt, qa_client, settings):
    settings.DASHBOARD_GETBILL_REQUESTS_PER_HOUR = 1
    qa_client.get(FAKE_DETAIL)  # the followup takes the one request allowed
    swapped = qa_client.get(FAKE_CARD, headers=CARD_SWAP)
    # Swapped in: the failure is inside the card, with its status (htmx swaps it all the same).
    assert swapped.status_code == 429
    assert 'data-debt-card="error"' in _card(swapped.content.decode())
    assert swapped["Retry-After"].isdigit()
    page = qa_client.get(FAKE_CARD)
    assert page.status_code == 429
    assert page["Retry-After"].isdigit()
    assert _debt_requests(one_debt) == 0


@pytest.mark.parametrize("bad_id", ["a.b", "x" * 65, "a;b"])
def test_a_bad_debt_id_is_a_clear_400_and_asks_nothing(fake_getbill, qa_client, bad_id):
    for headers in ({}, CARD_SWAP):
        response = qa_client.get(f"/debts/{bad_id}/card/", headers=headers)
        assert response.status_code == 400
        assert "debt ID" in html.unescape(response.content.decode())
    assert fake_getbill.requests == []
    assert AuditEntry.objects.filter(outcome=AuditOutcome.REJECTED_INPUT).count() == 2


def test_without_permission_403_before_any_request(one_debt, plain_client, plain_user):
    response = plain_client.get(FAKE_CARD)
    assert response.status_code == 403
    assert "Mr John Doe" not in response.content.decode()
    assert one_debt.requests == []
    assert _card_entries(plain_user) == [(AuditOutcome.DENIED, "")]


def test_without_debts_read_the_qa_reviewer_sees_the_one_line_at_once(fake_getbill, qa_client):
    # Signed in with followups:read only: the scope is known missing, so the card costs nothing
    # and says at once what to grant, on the page and at the card's own address.
    fake_getbill.followup_add()
    for path, headers in ((FAKE_DETAIL, {}), (FAKE_CARD, CARD_SWAP)):
        response = qa_client.get(path, headers=headers)
        assert response.status_code == 200
        card = _card(html.unescape(response.content.decode()))
        assert 'data-debt-card="scope_missing"' in card
        assert len(re.findall(r"<span>([^<]*debts:read[^<]*)</span>", card)) == 1
    assert fake_getbill.api_requests("/debts/") == []


def test_a_kept_404_is_told_at_once_as_a_click_would(one_debt, manager_client, qa_client, qa_user):
    one_debt.answers[f"/debts/{DEBT_ID}"] = error_answer(404, "Debt not found")
    _page_loaded(manager_client, FAKE_DETAIL)
    _, body = _page(qa_client, FAKE_DETAIL)
    card = _card(body)
    assert 'data-debt-card="error"' in card
    assert "Debt not found" in card
    assert _debt_requests(one_debt) == 1
    assert _card_entries(qa_user) == [(AuditOutcome.NOT_FOUND, "")]
