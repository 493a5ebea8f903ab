"""A letter's PDF through the dashboard: a fresh signed link, a redirect, the page's permission,
one audit entry."""

from typing import Any

import pytest

from sandbox.data import EXAMPLES, FAULT_IDS
from tests.support.pages import audit_rows, signed_link_redirect

LETTER = EXAMPLES["postmail_pdf"]


URL = f"/followups/{LETTER}/pdf/"


def _entries() -> list[tuple[Any, ...]]:
    return audit_rows("document_open", "outcome", "followup_id", "debt_id", "detail")


@pytest.mark.parametrize("role_client", ["manager_client", "qa_client"])
def test_the_pdf_redirects_to_a_fresh_signed_link(sandbox, request, role_client):
    client = request.getfixturevalue(role_client)
    signed_link_redirect(
        client.get(URL), link_start=f"{sandbox}/sandbox/media/letters/{LETTER}.pdf?"
    )
    assert [(o, f) for o, f, _, _ in _entries()] == [("shown", LETTER)]
    assert _entries()[0][2]  # the letter's debt


def test_the_pdf_needs_the_pages_permission(sandbox, plain_client):
    response = plain_client.get(URL)
    assert response.status_code == 403
    assert [o for o, *_ in _entries()] == ["denied"]


def test_a_followup_without_a_pdf_is_a_404(sandbox, manager_client):
    response = manager_client.get(f"/followups/{EXAMPLES['call_deal_found']}/pdf/")
    assert response.status_code == 404
    assert "This followup has no PDF to open." in response.content.decode()
    assert _entries() == [
        ("not_found", EXAMPLES["call_deal_found"], "", "no PDF the dashboard may open")
    ]


def test_a_pdf_on_a_host_not_allowed_is_never_a_redirect(sandbox, manager_client, settings):
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]
    response = manager_client.get(URL)
    assert response.status_code == 404
    assert "Location" not in response


def test_bad_ids_and_upstream_faults_are_error_pages(sandbox, manager_client):
    assert manager_client.get("/followups/not%20an%20id/pdf/").status_code == 400
    assert manager_client.get(f"/followups/{FAULT_IDS['server_error']}/pdf/").status_code == 502


def test_signed_out_the_pdf_asks_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_pdf_is_a_get(manager_client):
    assert manager_client.post(URL).status_code == 405
