"""Pages through Django's test client, as tests read them."""

from typing import Any

from django.http.response import HttpResponseBase
from django.test import Client

from followups.models import AuditEntry


def page_get(client: Client, url: str, **extra: Any) -> tuple[int, str]:
    """GET `url` with `client`: the status code and the decoded body."""
    response = client.get(url, **extra)
    return response.status_code, response.content.decode()


def signed_link_redirect(response: HttpResponseBase, *, link_start: str) -> str:
    """The location of `response`, checked to be what a stable address answers: a redirect,
    never stored, to a signed link starting with `link_start`."""
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    location = response["Location"]
    assert location.startswith(link_start)
    assert "X-Amz-Signature=" in location
    return location


def audit_rows(action: str, *fields: str) -> list[tuple[Any, ...]]:
    """The `fields` of the audit trail's entries of `action`, oldest first."""
    return list(AuditEntry.objects.filter(action=action).order_by("id").values_list(*fields))
