"""Pages through Django's test client, as tests read them."""

import re
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


PANELS_HEADERS = {"HX-Request": "true", "HX-Target": "followup-panels"}
_PANELS_LINK = re.compile(r'hx-get="(/followups/[^"/]+/panels/)"')
_PANELS_REGION = re.compile(
    r'<div class="detail-panels" id="followup-panels" aria-busy="true">.*?</div>', re.S
)
_SIDE_REGION = '<div class="detail-panels" id="followup-panels-side"></div>'
_SEEK_BAR_LAYERS = re.compile(r'<div class="seek-bar-layers" id="seek-bar-layers">\s*</div>')
_OOB = ' hx-swap-oob="true"'
_SIDE_OOB = f'<div class="detail-panels" id="followup-panels-side"{_OOB}>'
_SEEK_BAR_OOB = f'<div class="seek-bar-layers" id="seek-bar-layers"{_OOB}>'


def followup_page(client: Client, url: str, **extra: Any) -> Any:
    """A followup's page as the browser shows it once htmx has loaded its panels: the page's
    response, its body with the panels' answer put where htmx swaps it (the main column's in
    their region, the side column's and the seek bar's layers out of band). A page without the
    region (an error) is returned as it came."""
    response = client.get(url, **extra)
    page = response.content.decode()
    link = _PANELS_LINK.search(page)
    if response.status_code != 200 or link is None:
        return response
    panels = client.get(link.group(1), headers=PANELS_HEADERS, **extra)
    assert panels.status_code == 200, panels.status_code
    fragment = panels.content.decode()
    main, _, rest = fragment.partition(_SIDE_OOB)
    side, _, seek_bar = rest.partition(_SEEK_BAR_OOB)
    page, swapped = _PANELS_REGION.subn(lambda _: main.strip(), page)
    assert swapped == 1
    page = page.replace(_SIDE_REGION, _SIDE_OOB.replace(_OOB, "") + side, 1)
    if seek_bar:
        page, swapped = _SEEK_BAR_LAYERS.subn(
            lambda _: _SEEK_BAR_OOB.replace(_OOB, "") + seek_bar, page
        )
        assert swapped == 1
    response.content = page.encode()
    return response
