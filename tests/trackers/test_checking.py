from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from trackers.checking import rule_make, transcript_check

SEGMENTS: list[dict[str, Any]] = [
    {"start": 2.0, "speaker": 0, "text": "Hello, this call is RECORDED for quality."},
    {"start": 30.0, "speaker": 1, "text": "I will call my lawyer; je conteste la dette."},
    {"start": 60.0, "speaker": 0, "text": "We are calling on behalf of Acme."},
]


def _check(
    rules: list[Any], *, channels: int = 2, language: str = "en", segments: Any = SEGMENTS
) -> Any:
    return transcript_check(
        segments=segments, channels=channels, language=language, rules=rules, agent_channel=0
    )


def test_required_found_with_moment_and_phrase() -> None:
    (outcome,) = _check(
        [rule_make(tracker_id=1, kind="required", phrases=["this call is recorded"])]
    )
    assert (outcome.found, outcome.flagged, outcome.at_seconds) == (True, False, 2.0)
    assert outcome.phrase == "this call is recorded"


def test_required_within_seconds_and_speaker() -> None:
    late = rule_make(tracker_id=1, kind="required", phrases=["on behalf of"], within_seconds=30)
    by_debtor = rule_make(tracker_id=2, kind="required", phrases=["on behalf of"], speaker="debtor")
    by_agent = rule_make(tracker_id=3, kind="required", phrases=["on behalf of"], speaker="agent")
    outcomes = _check([late, by_debtor, by_agent])
    assert [(o.found, o.flagged) for o in outcomes] == [(False, True), (False, True), (True, False)]


def test_one_channel_call_matches_anyone_and_says_so() -> None:
    one_channel = [{**segment, "speaker": None} for segment in SEGMENTS]
    rule = rule_make(tracker_id=2, kind="signal", phrases=["lawyer"], speaker="agent")
    (outcome,) = _check([rule], channels=1, segments=one_channel)
    assert (outcome.found, outcome.flagged, outcome.speaker_unknown) == (True, True, True)


def test_words_folded_and_whole() -> None:
    rules = [
        rule_make(tracker_id=1, kind="signal", phrases=["Contesté"]),
        rule_make(tracker_id=2, kind="forbidden", phrases=["law"]),
        rule_make(tracker_id=3, kind="forbidden", phrases=["call my lawyer"]),
    ]
    assert [(o.found, o.flagged) for o in _check(rules)] == [
        (True, True),
        (False, False),
        (True, True),
    ]


def test_other_language_trackers_are_left_out() -> None:
    rules = [
        rule_make(tracker_id=1, kind="signal", phrases=["dette"], language="fr"),
        rule_make(tracker_id=2, kind="signal", phrases=["lawyer"], language="en"),
    ]
    assert [o.tracker_id for o in _check(rules, language="en-GB")] == [2]


@given(st.lists(st.text(max_size=50), max_size=5), st.text(max_size=200))
def test_any_phrase_and_text_check_without_error(phrases: list[str], text: str) -> None:
    rule = rule_make(tracker_id=1, kind="forbidden", phrases=phrases)
    _check([rule], segments=[{"start": 0, "speaker": 0, "text": text}])


def test_a_phrase_does_not_run_on_from_one_sentence_to_the_next() -> None:
    # "...for quality." then "I will call...": "quality i will" is in no one sentence.
    rule = rule_make(tracker_id=1, kind="signal", phrases=["quality i will", "la dette we are"])
    (outcome,) = _check([rule])
    assert not outcome.found
