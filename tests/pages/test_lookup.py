"""Finding a followup: the ID in what people paste, the redirect, htmx, recent lookups."""

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.test import Client
from django.test.html import Element

from followups import services
from followups.getbill import InvalidIdError
from followups.models import RECENT_VIEWS_KEPT, RecentView
from tests.support.fake_getbill import FakeGetBill
from tests.support.html import html_attribute, html_find, html_has, html_one, html_texts

HTMX_MAIN = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "main"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc123def456", "abc123def456"),
        ("  abc123def456 \n", "abc123def456"),
        ("12345", "12345"),
        ("https://app.getbill.io/app/debts/xyz789/followups/abc123def456", "abc123def456"),
        ("https://app.getbill.io/followups/abc123def456?tab=notes#call", "abc123def456"),
        ("https://app.getbill.io/fr/followups/abc123def456/edit", "abc123def456"),
        ("https://getbill.io/external-api/v1/followups/abc123def456", "abc123def456"),
        ("http://127.0.0.1:8000/followups/abc123def456/", "abc123def456"),
        ("<https://app.getbill.io/followups/abc123def456>", "abc123def456"),
        ("https://app.getbill.io/followups?followup_id=abc123def456&x=1", "abc123def456"),
        ("Hi, can you check followup abc123def456 for me? Thanks", "abc123def456"),
        ("Followup: followup_abc123.", "followup_abc123"),
        ("Call on 2024-01-22 to +33800123456 (ref abc123def456), 180 s", "abc123def456"),
        ("see https://mail.example.com/u/0 about abc123def456", "abc123def456"),
    ],
)
def test_followup_id_from_text(text, expected):
    assert services.followup_id_from_text(text=text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a followup ID"),
        ("   \t", "Enter a followup ID"),
        ("hello there", "No followup ID found"),
        ("abc123 and def456", "more than one possible ID"),
        ("https://getbill.io/external-api/v1/followups/debt/xyz789ghi012", "debt"),
        ("https://app.getbill.io/debts/xyz789ghi012", "debt"),
        ("https://example.com/some/page", "does not point to a followup"),
        ("https://app.getbill.io/followups/abc.123", "does not contain a valid followup ID"),
        ("x" * 65, "No followup ID found"),
        ("<script>alert(1)</script>", "No followup ID found"),
    ],
)
def test_followup_id_from_text_rejects(text, message):
    with pytest.raises(InvalidIdError) as raised:
        services.followup_id_from_text(text=text)
    assert message in raised.value.user_message


@pytest.fixture
def user(manager_user):
    return manager_user


@pytest.fixture
def signed_in(manager_client: Client) -> Client:
    """The user's own client, signed in."""
    return manager_client


@pytest.fixture
def fake_upstream(fake_getbill: FakeGetBill) -> FakeGetBill:
    """GetBill answers every ID with a followup of that ID, except the `missing...` IDs."""
    fake_getbill.any_followup(summary=lambda followup_id: f"Summary of {followup_id}")
    fake_getbill.followup_missing("missing1", "missing42")
    return fake_getbill


def _header_search(body: str) -> Element:
    return html_one(body, "form", class_="header-search", role="search", aria_label="Quick lookup")


def test_search_page_has_one_focused_field(signed_in):
    response = signed_in.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert len(html_find(body, "*", autofocus=True)) == 1
    assert html_find(body, "input", id="q", name="q")
    assert html_find(body, "label", for_="q")
    assert "Followups you look up appear here" in body


@pytest.mark.parametrize("path", ["/followups/", "/"])
def test_query_redirects_to_the_permanent_page(signed_in, path):
    response = signed_in.get(path, {"q": "  https://app.getbill.io/followups/abc123def456?x=1 "})
    assert response.status_code == 302
    assert response["Location"] == "/followups/abc123def456/"


def test_lookup_without_query_is_the_followups_list(signed_in, sandbox):
    # Without `q` the address is the list of followups (tests/pages/test_followups_list.py).
    response = signed_in.get("/followups/")
    assert response.status_code == 200
    assert 'id="followups-results"' in response.content.decode()


def test_invalid_input_re_renders_the_search_page_with_400(signed_in, fake_upstream):
    response = signed_in.get("/followups/", {"q": '<img src=x onerror="alert(1)">'})
    body = response.content.decode()
    assert response.status_code == 400
    assert "No followup ID found" in body
    assert 'aria-invalid="true"' in body
    assert 'role="alert"' in body
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body  # kept in the field, escaped
    assert "<html" in body
    assert fake_upstream.followup_ids_asked() == []


def test_htmx_lookup_renders_the_followup_and_moves_the_address_bar(signed_in, fake_upstream):
    response = signed_in.get("/followups/", {"q": "ref abc123def456 please"}, **HTMX_MAIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == "/followups/abc123def456/"
    assert "<html" not in body
    assert "app-header" not in body  # the page frame stays in place
    # The tab says what the page shows (the debt card, and so the debtor, failed here).
    assert "<title>Call · Deal found · Followups dashboard</title>" in body
    assert "Summary of abc123def456" in body
    assert "HX-Request" in response["Vary"]
    assert fake_upstream.followup_ids_asked() == ["abc123def456"]


def test_htmx_lookup_of_invalid_input_shows_the_search_page_in_main(signed_in):
    response = signed_in.get("/followups/", {"q": "nothing here"}, **HTMX_MAIN)
    body = response.content.decode()
    assert response.status_code == 400
    assert "<html" not in body
    assert "No followup ID found" in body
    assert "HX-Push-Url" not in response


def test_htmx_lookup_of_a_missing_followup_shows_the_error_in_main(signed_in, fake_upstream):
    response = signed_in.get("/followups/", {"q": "missing42"}, **HTMX_MAIN)
    assert response.status_code == 404
    assert "<html" not in response.content.decode()
    assert "Followup not found" in response.content.decode()


def test_htmx_history_restore_gets_the_whole_page(signed_in, fake_upstream):
    response = signed_in.get(
        "/followups/abc123def456/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in response.content.decode()


def test_other_htmx_targets_get_the_whole_page(signed_in, fake_upstream):
    # Partial answers are only for swaps of <main>; other fragments build their own.
    response = signed_in.get("/followups/abc123def456/", HTTP_HX_REQUEST="true")
    assert "<html" in response.content.decode()


def test_every_page_has_the_header_search_with_htmx_and_a_plain_fallback(signed_in, fake_upstream):
    fake_upstream.debts["xyz789"] = []
    for path in [
        "/followups/abc123def456/",
        "/followups/missing1/",
        "/debts/xyz789/followups/",
    ]:
        body = signed_in.get(path).content.decode()
        search = _header_search(body)
        assert (html_attribute(search, "method"), html_attribute(search, "action")) == (
            "get",
            "/followups/",
        )
        assert not html_has(search, "hidden")
        assert html_find(body, "*", hx_get="/followups/", hx_target="#main", hx_push_url="true")


def test_the_search_page_hides_the_header_search(signed_in, fake_upstream):
    # One search box on the page: the header's is hidden (dashboard.js shows it again when
    # htmx swaps another page into <main>), and the page's own is the one in use.
    for response in (signed_in.get("/"), signed_in.get("/followups/", {"q": "not an id!"})):
        body = response.content.decode()
        assert html_has(_header_search(body), "hidden")
        assert html_find(body, "input", id="q", name="q")
        assert "data-hides-header-search" in body
    page = signed_in.get("/followups/abc123def456/").content.decode()
    assert not html_has(_header_search(page), "hidden")
    script = (settings.BASE_DIR / "static/js/dashboard.js").read_text()
    assert "[data-hides-header-search]" in script


def test_no_inline_scripts_or_event_handlers(signed_in, fake_upstream):
    for path in ["/", "/followups/abc123def456/", "/followups/missing1/"]:
        body = signed_in.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert "src=" in tag, tag
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", body)
        assert not re.search(r"\son[a-z]+\s*=", body)


def _recent_ids(client) -> list[str]:
    return [v.followup_id for v in client.get("/").context["recent_views"]]


def test_recent_lookups_newest_first_without_duplicates(signed_in, fake_upstream, user):
    for followup_id in ["first111", "second222", "third333", "first111"]:
        assert signed_in.get(f"/followups/{followup_id}/").status_code == 200
    assert _recent_ids(signed_in) == ["first111", "third333", "second222"]
    body = signed_in.get("/").content.decode()
    assert html_texts(body, "a", class_="mono", href="/followups/first111/") == ["first111"]
    assert "Deal found" in body  # status badge of the recorded view
    assert any(text.startswith("just now") for text in html_texts(body, "time"))
    assert RecentView.objects.filter(user=user).count() == 3


def test_failed_and_invalid_lookups_are_not_recorded(signed_in, fake_upstream):
    assert signed_in.get("/followups/missing1/").status_code == 404
    assert signed_in.get("/followups/bad%20id/").status_code == 400
    assert _recent_ids(signed_in) == []


def test_recent_lookups_keep_the_newest_only(signed_in, fake_upstream, user):
    for n in range(RECENT_VIEWS_KEPT + 5):
        signed_in.get(f"/followups/id{n:03d}/")
    ids = _recent_ids(signed_in)
    assert len(ids) == RECENT_VIEWS_KEPT
    assert ids[0] == f"id{RECENT_VIEWS_KEPT + 4:03d}"
    assert "id004" not in ids
    assert RecentView.objects.filter(user=user).count() == RECENT_VIEWS_KEPT


def test_recent_lookups_are_per_user(signed_in, fake_upstream, qa_user):
    signed_in.get("/followups/mine123/")
    other = Client()
    other.force_login(qa_user)
    assert _recent_ids(other) == []
    other.get("/followups/theirs123/")
    assert _recent_ids(signed_in) == ["mine123"]


def test_recent_view_stores_no_more_than_its_columns(signed_in, fake_getbill):
    fake_getbill.followup_add(id="long1", type="x" * 500, status="y" * 500)
    assert signed_in.get("/followups/long1/").status_code == 200
    view = RecentView.objects.get()
    assert view.followup_type == "x" * 64
    assert view.followup_status == "y" * 64


def test_recent_view_without_type_or_status_shows_a_dash(signed_in, fake_getbill):
    fake_getbill.followup_add(id="bare123", type=None, status=None)
    assert signed_in.get("/followups/bare123/").status_code == 200
    body = signed_in.get("/").content.decode()
    assert html_texts(body, "a", class_="mono", href="/followups/bare123/") == ["bare123"]
    # Type and status (the followup's own date is known).
    assert html_texts(body, "span", class_="missing", title="Not provided") == ["—"] * 2
    assert "None" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", ["Asia/Tokyo", "Asia%2FTokyo"])
def test_time_zone_from_the_browser_cookie_is_used(client, admin_user, cookie):
    client.force_login(admin_user)
    client.cookies["tz"] = cookie
    RecentView.objects.create(
        user=admin_user,
        followup_id="abc123",
        viewed_at=datetime(2024, 1, 22, 10, 30, tzinfo=UTC),
    )
    body = client.get("/").content.decode()
    assert "2024-01-22 19:30:00 JST" in body


@pytest.mark.django_db
def test_a_bogus_time_zone_cookie_is_ignored(client, admin_user):
    client.force_login(admin_user)
    client.cookies["tz"] = "../../etc/passwd"
    assert client.get("/").status_code == 200
