"""A followup's values (followups/values.py): types and statuses in words and tones, whether a
followup is a call, the filters' choices and the summary on one line."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followups import values
from followups.getbill import FOLLOWUP_STATUSES, FOLLOWUP_TYPES
from tests.support.examples import followup_make

CALL_FACTS_NONE = dict.fromkeys(values.CALL_FIELDS)


def _followup(**overrides):
    return followup_make(**{**CALL_FACTS_NONE, "media_urls_expire_at": None, **overrides})


def test_words_are_keyed_on_getbills_documented_values():
    assert set(values.STATUS_WORDS) == set(FOLLOWUP_STATUSES)
    assert set(values.TYPE_WORDS) == set(FOLLOWUP_TYPES)
    assert {tone for _label, tone in values.STATUS_WORDS.values()} == {
        "success",
        "progress",
        "neutral",
        "failure",
    }
    assert set(values.CALL_TYPES) <= set(FOLLOWUP_TYPES)
    assert set(FOLLOWUP_TYPES) >= values.PHONE_MESSAGE_TYPES


@pytest.mark.parametrize(
    ("status", "label", "tone"),
    [
        ("deal_found", "Deal found", "success"),
        ("in_progress", "In progress", "progress"),
        ("read", "Read", "progress"),
        ("on_hold", "On hold", "neutral"),
        ("deal_not_found", "No deal", "failure"),
        ("failed", "Failed", "failure"),
    ],
)
def test_status_display(status, label, tone):
    shown = values.status_display(status=status)
    assert shown is not None
    assert (shown.label, shown.tone, shown.known) == (label, tone, True)


def test_unknown_status_is_shown_in_words_under_a_neutral_tone():
    shown = values.status_display(status="escalated_to_legal")
    assert shown == values.StatusDisplay(
        value="escalated_to_legal", label="Escalated to legal", tone="neutral", known=False
    )
    assert values.status_display(status=None) is None
    assert values.status_display(status="") is None


@pytest.mark.parametrize("followup_type", FOLLOWUP_TYPES)
def test_every_type_has_a_label_and_an_icon(followup_type):
    shown = values.type_display(followup_type=followup_type)
    assert shown is not None
    assert shown.known
    assert shown.icon != values.UNKNOWN_ICON
    assert shown.label != followup_type or followup_type == "call"
    assert values.enum_label(field="type", value=followup_type) == shown.label


def test_unknown_type_in_words_keeps_its_value_and_a_neutral_icon():
    shown = values.type_display(followup_type="carrier_pigeon")
    assert shown is not None
    assert (shown.value, shown.label, shown.icon, shown.known) == (
        "carrier_pigeon",
        "Carrier pigeon",
        "dot",
        False,
    )
    assert values.enum_label(field="status", value="escalated_legal") == "Escalated legal"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("carrier_pigeon", "Carrier pigeon"),
        ("escalated_legal", "Escalated legal"),
        ("voicemail_detected", "Voicemail detected"),
        ("x", "X"),
        ("a__b--c", "A b c"),
    ],
)
def test_a_newer_value_in_words(value, words):
    assert values.value_words(value=value) == words


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("completed_successfully", "Call completed normally"),
        ("dial_no_answer", "No answer"),
        ("line_cut_by_squirrel", "Line cut by squirrel"),
        (None, None),
    ],
)
def test_disconnection_reason_label(reason, shown):
    assert values.disconnection_reason_label(reason=reason) == shown


def test_direction_label():
    assert values.direction_label(direction="inbound") == "Inbound"
    assert values.direction_label(direction="sideways") == "Sideways"
    assert values.direction_label(direction=None) is None


# --- A followup's type and status, and whether it is a call -----------------------------------


def test_the_value_shown_is_unknown_when_getbill_sent_the_wrong_type():
    assert values.enum_value_shown(followup=_followup(type="sms"), field="type") == "sms"
    assert values.enum_value_shown(followup=_followup(status=""), field="status") is None
    wrong = _followup(type=None, invalid_fields=frozenset({"type"}))
    assert values.enum_value_shown(followup=wrong, field="type") == values.UNKNOWN_VALUE


@pytest.mark.parametrize("followup_type", FOLLOWUP_TYPES)
def test_a_documented_type_is_a_call_by_its_type_alone(followup_type):
    is_call = followup_type in {"call", "manual_call", "voicemail"}
    bare = _followup(type=followup_type)
    with_facts = _followup(type=followup_type, duration_ms=60_000, call_id="c-1")
    assert values.followup_is_call(followup=bare) is is_call
    assert values.followup_is_call(followup=with_facts) is is_call


@given(
    followup_type=st.one_of(st.none(), st.text(max_size=20)).filter(
        lambda value: value not in values.TYPE_WORDS
    ),
    facts=st.fixed_dictionaries(
        {},
        optional={
            "duration_ms": st.integers(0, 10**7),
            "direction": st.sampled_from(["inbound", "sideways"]),
            "disconnection_reason": st.text(min_size=1, max_size=10),
            "call_id": st.text(min_size=1, max_size=10),
            "audio_url": st.just("https://s3.amazonaws.com/b/a.mp3"),
        },
    ),
)
def test_a_type_the_dashboard_does_not_know_is_a_call_when_it_carries_call_facts(
    followup_type, facts
):
    followup = _followup(type=followup_type, **facts)
    assert values.followup_is_call(followup=followup) is bool(facts)
    assert (values.followup_category(followup=followup) == "calls") is bool(facts)


@pytest.mark.parametrize(
    ("followup_type", "category"),
    [
        ("call", "calls"),
        ("voicemail", "calls"),
        ("email", "emails"),
        ("postmail", "letters"),
        ("sms", "messages"),
        ("whatsapp", "messages"),
        ("physical", "others"),
        ("carrier_pigeon", "others"),
    ],
)
def test_categories_of_a_debts_totals(followup_type, category):
    assert values.followup_category(followup=_followup(type=followup_type)) == category


# --- Filters ----------------------------------------------------------------------------------


def test_a_list_filter_offers_every_documented_value_in_reading_order():
    choices = values.filter_choices(field="type", selected="voicemail")
    assert [c.value for c in choices] == list(values.TYPE_WORDS)
    assert [c.value for c in choices if c.selected] == ["voicemail"]
    assert {c.count for c in choices} == {None}
    statuses = values.filter_choices(field="status", selected=None)
    assert [c.label for c in statuses][:2] == ["On hold", "Scheduled"]
    assert not any(c.selected for c in statuses)


def test_a_debts_filter_offers_its_values_with_counts():
    present = ["sms", "call", None, "carrier_pigeon", "call", "unknown"]
    choices = values.filter_choices(field="type", selected="physical", present=present)
    assert [(c.value, c.label, c.count, c.selected) for c in choices] == [
        ("call", "Call", 2, False),
        ("sms", "SMS", 1, False),
        ("physical", "In-person visit", 0, True),
        ("carrier_pigeon", "Carrier pigeon", 1, False),
        ("unknown", "Unknown", 1, False),
    ]


# --- The summary on one line ------------------------------------------------------------------


def test_the_summary_line_is_the_first_line():
    assert values.summary_line(text="first line\nsecond line", max_length=140) == "first line"
    assert values.summary_line(text="  \n  ", max_length=140) == ""
    assert values.summary_line(text=None, max_length=140) == ""
    cut = values.summary_line(text="word " * 100, max_length=140)
    assert len(cut) == 140
    assert cut.endswith("…")


@given(st.text(max_size=400), st.integers(2, 200))
def test_the_summary_line_is_one_short_clean_line(text, max_length):
    kept = values.summary_line(text=text, max_length=max_length)
    assert len(kept) <= max_length
    assert kept == kept.strip()
    assert "  " not in kept
    assert not any(unicodedata.category(c)[0] == "C" for c in kept)
    lines = text.strip().splitlines()
    first = lines[0] if lines else ""
    words = " ".join(
        "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in first).split()
    )
    if len(words) <= max_length:
        assert kept == words
    else:
        assert kept.endswith("…")
        assert words.startswith(kept[:-1].rstrip())
