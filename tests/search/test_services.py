import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followups.models import AuditAction, AuditEntry
from search.indexing import transcript_index
from search.query import QueryError
from search.services import SearchFilters, transcripts_search
from tests.support.transcripts import transcript_make

pytestmark = pytest.mark.django_db

FRENCH = [
    {
        "start": 1.0,
        "end": 3.0,
        "speaker": 0,
        "text": "Bonjour, cet appel est enregistré.",
        "words": [],
    },
    {
        "start": 12.5,
        "end": 15.0,
        "speaker": 1,
        "text": "Je conteste cette dette, mon avocat appellera.",
        "words": [],
    },
]


def _indexed(followup_id: str, **fields: Any) -> Any:
    transcript = transcript_make(followup_id, **fields)
    transcript_index(transcript=transcript)
    return transcript


def _search(user: Any, text: str, **filters: Any) -> Any:
    return transcripts_search(user=user, text=text, filters=SearchFilters(**filters))


def test_accents_case_phrase_prefix(manager_user: Any) -> None:
    _indexed("fu-fr-1", segments=FRENCH, language="fr")
    _indexed("fu-en-1")
    for text in ["conteste", "CONTESTÉ", "contest*", '"cette dette"', "dette avocat", "enregistre"]:
        results = _search(manager_user, text)
        assert [hit.followup_id for hit in results.hits] == ["fu-fr-1"], text
    assert _search(manager_user, '"dette cette"').total == 0
    assert _search(manager_user, "contest").total == 0


def test_hit_says_sentence_speaker_moment_and_link(manager_user: Any) -> None:
    _indexed("fu-fr-1", segments=FRENCH)
    (hit,) = _search(manager_user, "avocat").hits
    assert hit.text == "Je conteste cette dette, mon avocat appellera."
    assert hit.speaker == "Debtor"
    assert hit.second == 12
    assert hit.url == "/followups/fu-fr-1/?t=12#recording"


def test_newest_first_and_filters(manager_user: Any) -> None:
    _indexed("fu-old", called_at=datetime(2026, 1, 5, tzinfo=UTC), call_type="call_out")
    _indexed("fu-new", called_at=datetime(2026, 3, 5, tzinfo=UTC), call_type="call_in")
    _indexed("fu-none")
    assert [h.followup_id for h in _search(manager_user, "dispute").hits] == [
        "fu-new",
        "fu-old",
        "fu-none",
    ]
    assert [h.followup_id for h in _search(manager_user, "dispute", call_type="call_out").hits] == [
        "fu-old"
    ]
    from datetime import date

    by_date = _search(
        manager_user, "dispute", called_from=date(2026, 3, 1), called_to=date(2026, 3, 5)
    )
    assert [h.followup_id for h in by_date.hits] == ["fu-new"]


def test_masked_digits_are_not_searchable_without_full_numbers(
    manager_user: Any, qa_user: Any
) -> None:
    _indexed("fu-card")
    assert _search(manager_user, '"4970 1012"').total == 1
    assert _search(qa_user, '"4970 1012"').total == 0
    assert _search(qa_user, "4970").total == 0
    (hit,) = _search(qa_user, "card").hits
    assert "4970" not in hit.text


def test_search_is_audited_with_its_words(manager_user: Any) -> None:
    _indexed("fu-card")
    _search(manager_user, "Dispute  AMOUNT")
    entry = AuditEntry.objects.get(action=AuditAction.TRANSCRIPT_SEARCH)
    assert entry.detail == "dispute amount"
    assert entry.followup_id == ""


def test_only_listeners_search(plain_user: Any, manager_user: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _search(plain_user, "dispute")
    manager_user.groups.clear()
    manager_user.user_permissions.add(
        Permission.objects.get(codename="view_followup_data"),
    )
    with pytest.raises(PermissionDenied):
        _search(type(manager_user).objects.get(pk=manager_user.pk), "dispute")


def test_reindex_replaces_and_delete_removes(manager_user: Any) -> None:
    transcript = _indexed("fu-card")
    transcript.segments = FRENCH
    transcript.save()
    transcript_index(transcript=transcript)
    assert _search(manager_user, "dispute").total == 0
    assert _search(manager_user, "avocat").total == 1
    transcript.delete()
    assert _search(manager_user, "avocat").total == 0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.text(max_size=300), st.sampled_from(["NEAR", "-", '"', "*", "a OR b", "x:y", "^"])
    )
)
def test_any_words_search_or_say_why(manager_user: Any, text: str) -> None:
    with contextlib.suppress(QueryError):
        _search(manager_user, text)


def test_more_calls_than_listed_are_the_newest_and_said_so(
    manager_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search import services

    monkeypatch.setattr(services, "MAX_LISTED", 2)
    for day in (1, 2, 3):
        _indexed(f"fu-{day}", called_at=datetime(2026, 1, day, tzinfo=UTC))
    results = _search(manager_user, "dispute")
    assert (results.total, results.more) == (2, True)
    assert [hit.followup_id for hit in results.hits] == ["fu-3", "fu-2"]
    monkeypatch.setattr(services, "MAX_LISTED", 3)
    assert (_search(manager_user, "dispute").total, _search(manager_user, "dispute").more) == (
        3,
        False,
    )
