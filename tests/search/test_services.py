import contextlib
from datetime import UTC, date, datetime
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


# --- Newest first and the bound, whatever order the calls were transcribed in ---------------


def _at(day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, second, tzinfo=UTC)


def _listed(user: Any, text: str = "dispute", **filters: Any) -> tuple[list[str], bool]:
    results = _search(user, text, **filters)
    return [hit.followup_id for hit in results.hits], results.more


@pytest.fixture
def max_listed_2(monkeypatch: pytest.MonkeyPatch) -> None:
    from search import services

    monkeypatch.setattr(services, "MAX_LISTED", 2)


def test_calls_transcribed_out_of_date_order_are_listed_by_date(
    manager_user: Any, max_listed_2: None
) -> None:
    for day in (3, 1, 5, 2, 4):  # transcribed in this order: IDs are not dates
        _indexed(f"fu-{day}", called_at=_at(day))
    assert _listed(manager_user) == (["fu-5", "fu-4"], True)


def test_calls_close_in_time_are_listed_by_their_exact_time(
    manager_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search import services

    monkeypatch.setattr(services, "MAX_LISTED", 1)
    # Seconds apart (one period of the index), the latest made first: its ID is the lowest.
    _indexed("fu-latest", called_at=_at(1, second=50))
    _indexed("fu-early", called_at=_at(1, second=10))
    _indexed("fu-earliest", called_at=_at(1, second=5))
    _indexed("fu-day-before", called_at=_at(1, hour=9))
    assert _listed(manager_user) == (["fu-latest"], True)


def test_the_bound_says_more_only_when_there_are_more(
    manager_user: Any, max_listed_2: None
) -> None:
    _indexed("fu-1", called_at=_at(1))
    _indexed("fu-2", called_at=_at(2))
    assert _listed(manager_user) == (["fu-2", "fu-1"], False)
    _indexed("fu-none")
    assert _listed(manager_user) == (["fu-2", "fu-1"], True)


def test_undated_calls_come_last_newest_transcript_first(
    manager_user: Any, max_listed_2: None
) -> None:
    for number in range(4):
        _indexed(f"fu-none-{number}")
    assert _listed(manager_user) == (["fu-none-3", "fu-none-2"], True)
    _indexed("fu-dated", called_at=_at(1))
    assert _listed(manager_user) == (["fu-dated", "fu-none-3"], True)


def test_a_selective_filter_reads_on_past_the_newest_calls(
    manager_user: Any, max_listed_2: None
) -> None:
    for day in range(1, 12):
        _indexed(f"fu-{day}", called_at=_at(day), call_type="call_in" if day < 4 else "call_out")
    assert _listed(manager_user, call_type="call_in") == (["fu-3", "fu-2"], True)
    assert _listed(manager_user, called_to=date(2026, 1, 2)) == (["fu-2", "fu-1"], False)


def test_a_remade_transcript_is_listed_once(manager_user: Any) -> None:
    from search.models import SegmentEntry

    transcript = _indexed("fu-card", called_at=_at(2))
    _indexed("fu-other", called_at=_at(1))
    transcript_index(transcript=transcript)
    transcript_index(transcript=transcript)
    assert _listed(manager_user) == (["fu-card", "fu-other"], False)
    assert SegmentEntry.objects.filter(transcript=transcript).count() == len(transcript.segments)


def test_a_call_whose_date_changes_moves_in_the_list(manager_user: Any, max_listed_2: None) -> None:
    from transcripts.models import Transcript

    for day in (1, 2, 3):
        _indexed(f"fu-{day}", called_at=_at(day))
    # As the table of calls rewrites the facts GetBill gave (a bulk update, no signal).
    Transcript.objects.filter(followup_id="fu-1").update(called_at=_at(9))
    assert _listed(manager_user) == (["fu-1", "fu-3"], True)
    Transcript.objects.filter(followup_id="fu-3").update(called_at=None)
    assert _listed(manager_user) == (["fu-1", "fu-2"], True)
    Transcript.objects.filter(followup_id="fu-1").update(called_at=_at(1, second=1))
    assert _listed(manager_user) == (["fu-2", "fu-1"], True)
