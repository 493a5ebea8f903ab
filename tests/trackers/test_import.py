import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.transcripts import transcript_make
from trackers.models import Tracker, TrackerResult
from trackers.services import (
    TrackerFileError,
    trackers_import,
    transcript_trackers_check,
    transcripts_recheck,
)

pytestmark = pytest.mark.django_db

GOOD: list[dict[str, Any]] = [
    {
        "name": "Recorded",
        "kind": "required",
        "phrases": ["this call is recorded"],
        "within_seconds": 30,
        "speaker": "agent",
    },
    {"name": "Lawyer", "kind": "signal", "phrases": ["lawyer", "avocat"], "language": "en"},
]


def _file(tmp_path: Path, entries: Any) -> Path:
    path = tmp_path / "trackers.json"
    path.write_text(entries if isinstance(entries, str) else json.dumps(entries))
    return path


def test_import_replaces_same_names_and_keeps_others(tmp_path: Path) -> None:
    Tracker.objects.create(name="Lawyer", kind="forbidden", phrases=["x"])
    Tracker.objects.create(name="Kept", kind="signal", phrases=["bankrupt"])
    call_command("trackers_import", _file(tmp_path, GOOD), stdout=io.StringIO())
    assert sorted(Tracker.objects.values_list("name", "kind")) == [
        ("Kept", "signal"),
        ("Lawyer", "signal"),
        ("Recorded", "required"),
    ]


def test_export_is_what_import_reads(tmp_path: Path) -> None:
    call_command("trackers_import", _file(tmp_path, GOOD), stdout=io.StringIO())
    out = io.StringIO()
    call_command("trackers_export", stdout=out)
    exported: list[dict[str, Any]] = json.loads(out.getvalue())
    assert sorted(exported, key=lambda e: e["name"]) == sorted(GOOD, key=lambda e: e["name"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json {", "not JSON"),
        ({"name": "x"}, "JSON list"),
        ([GOOD[0], {"name": "Bad", "kind": "maybe", "phrases": ["x"]}], "kind"),
        ([GOOD[0], {"name": "Long", "kind": "signal", "phrases": ["a" * 5000]}], "at most 200"),
        ([GOOD[0], {"name": "Regex", "kind": "signal", "phrases": ["law(yer|suit)"]}], "pattern"),
        ([GOOD[0], {"name": "Empty", "kind": "signal", "phrases": []}], "at least one phrase"),
        (
            [GOOD[0], {"name": "Extra", "kind": "signal", "phrases": ["x"], "regex": True}],
            "unknown field",
        ),
        ([GOOD[0], GOOD[0]], "twice"),
        (
            [GOOD[0], {"name": "Late", "kind": "signal", "phrases": ["x"], "within_seconds": 5}],
            "only a required",
        ),
    ],
)
def test_a_wrong_entry_imports_nothing(tmp_path: Path, content: Any, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("trackers_import", _file(tmp_path, content), stdout=io.StringIO())
    assert not Tracker.objects.exists()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=30),
        lambda c: (
            st.lists(c, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    ["name", "kind", "phrases", "speaker", "within_seconds", "language", "x"]
                ),
                c,
                max_size=6,
            )
        ),
        max_leaves=20,
    )
)
def test_any_json_imports_or_says_why(db: None, content: Any) -> None:
    lines: list[str] = []
    try:
        trackers_import(text=json.dumps(content))
    except TrackerFileError as error:
        lines = error.lines
    else:
        lines = ["imported"]
    assert lines


def test_results_kept_and_rechecked() -> None:
    transcript = transcript_make("fu-1")
    tracker = Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    (result,) = transcript_trackers_check(transcript=transcript)
    assert (result.found, result.flagged, result.at_seconds) == (True, True, 75.2)
    tracker.phrases = ["bankrupt"]
    tracker.save()
    assert transcripts_recheck() == 1
    result = TrackerResult.objects.get()
    assert (result.found, result.flagged) == (False, False)


def test_recheck_writes_only_what_changed() -> None:
    transcript = transcript_make("fu-1")
    changing = Tracker.objects.create(name="Dispute", kind="signal", phrases=["dispute"])
    kept = Tracker.objects.create(name="Recorded", kind="required", phrases=["recorded"])
    leaving = Tracker.objects.create(name="Dette", kind="signal", phrases=["dette"])
    transcript_trackers_check(transcript=transcript)
    before = dict(TrackerResult.objects.values_list("tracker_id", "checked_at"))
    changing.phrases = ["bankrupt"]
    changing.save()
    leaving.language = "fr"  # the call is in English: no result for it any more
    leaving.save()
    assert transcripts_recheck() == 1
    after = {result.tracker_id: result for result in TrackerResult.objects.all()}
    assert set(after) == {changing.pk, kept.pk}
    assert after[kept.pk].checked_at == before[kept.pk]
    assert after[changing.pk].checked_at > before[changing.pk]
    assert (after[changing.pk].found, after[changing.pk].flagged) == (False, False)
