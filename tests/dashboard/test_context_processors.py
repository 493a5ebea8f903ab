"""What every page's context carries: the header's links, reversed once and still right."""

from django.test.utils import override_script_prefix
from django.urls import reverse

from tests.support.html import html_attribute, html_find, html_one, html_text

HEADER_LINKS = {
    "Followups": "followups:lookup",
    "Review queue": "followups:queue",
    "Search calls": "search:search",
}


def _header_links(page: str) -> dict[str, str | None]:
    nav = html_one(page, "nav", class_="app-nav")
    return {html_text(link): html_attribute(link, "href") for link in html_find(nav, "a")}


def test_the_headers_links_go_where_their_views_are(qa_client):
    page = qa_client.get(reverse("followups:search")).content.decode()
    assert _header_links(page) == {text: reverse(view) for text, view in HEADER_LINKS.items()}
    sign_out = html_one(page, "form", action=reverse("logout"))
    assert html_attribute(sign_out, "method") == "post"


def test_under_a_script_prefix_the_headers_links_carry_it(qa_client):
    home = reverse("followups:search")
    with override_script_prefix("/dashboard/"):
        response = qa_client.get(home)
    assert response.status_code == 200
    page = response.content.decode()
    assert _header_links(page) == {
        text: "/dashboard" + reverse(view) for text, view in HEADER_LINKS.items()
    }
    # And without it again: links reversed under one prefix are not another's.
    page = qa_client.get(reverse("followups:search")).content.decode()
    assert _header_links(page) == {text: reverse(view) for text, view in HEADER_LINKS.items()}
