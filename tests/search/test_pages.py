from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.indexing import transcript_index
from tests.support.transcripts import transcript_make

pytestmark = pytest.mark.django_db


def test_results_page(manager_client: Any) -> None:
    transcript_index(transcript=transcript_make("fu-1042"))
    response = manager_client.get("/transcripts/", {"q": "dispute"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 call" in page
    assert 'href="/followups/fu-1042/?t=75#recording"' in page
    assert "I dispute the amount, said nobody." in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 20_000, "at most 200 characters"),
        ("!!! ... ---", "at least one word"),
        ('"" - * ^ : ( )', "at least one word"),
    ],
)
def test_bad_searches_say_why(manager_client: Any, text: str, message: str) -> None:
    response = manager_client.get("/transcripts/", {"q": text})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_without_listen_permission_403(plain_client: Any) -> None:
    assert plain_client.get("/transcripts/", {"q": "dispute"}).status_code == 403


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=400), call_type=st.text(max_size=20), page=st.text(max_size=8))
def test_any_input_is_a_page_never_a_500(
    manager_client: Any, text: str, call_type: str, page: str
) -> None:
    # The test client cannot send NUL in a query string value more than a browser can.
    params = {"q": text, "call_type": call_type, "page": page, "called_from": page}
    response = manager_client.get(
        "/transcripts/", {k: v.replace("\0", "") for k, v in params.items()}
    )
    assert response.status_code in (200, 400)


def test_header_box_words_go_to_search_and_ids_to_the_followup(manager_client: Any) -> None:
    words = manager_client.get("/followups/", {"q": "lawyer dispute"})
    assert words.status_code == 302
    assert words["Location"] == "/transcripts/?q=lawyer+dispute"
    page = manager_client.get(words["Location"]).content.decode()
    assert "Open followup" not in page  # two words are no ID
    one_word = manager_client.get("/transcripts/", {"q": "lawyer"}).content.decode()
    assert 'href="/followups/lawyer/">Open followup «lawyer»' in one_word
    an_id = manager_client.get("/followups/", {"q": "fu-1042"})
    assert an_id["Location"] == "/followups/fu-1042/"


def test_operators_are_searched_as_words(manager_client: Any) -> None:
    response = manager_client.get("/transcripts/", {"q": 'NEAR(dispute amount) -"x'})
    assert response.status_code == 200


def test_header_box_words_stay_a_lookup_for_those_who_may_not_search(db: None) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from tests.support.accounts import signed_in_client

    user = get_user_model().objects.create_user(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    response = signed_in_client(user).get("/followups/", {"q": "lawyer dispute"})
    assert response.status_code == 400  # not an ID, as before


def test_header_box_words_through_htmx_redirect_the_page(manager_client: Any) -> None:
    response = manager_client.get(
        "/followups/", {"q": "lawyer"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main"
    )
    assert response["HX-Redirect"] == "/transcripts/?q=lawyer"


def test_more_calls_than_listed_says_more_than(
    manager_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search import services

    monkeypatch.setattr(services, "MAX_LISTED", 1)
    transcript_index(transcript=transcript_make("fu-1042"))
    transcript_index(transcript=transcript_make("fu-1043"))
    page = manager_client.get("/transcripts/", {"q": "dispute"}).content.decode()
    assert "More than 1 calls" in page
    assert "add words or filters" in page
