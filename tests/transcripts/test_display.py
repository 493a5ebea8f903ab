"""A transcript as shown and downloaded: segments, speakers, masking across words and segments,
the waveform, and the WebVTT file."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.transcripts import PEAKS, SEGMENTS
from transcripts.display import WAVEFORM_MAX_BARS, WAVEFORM_SLOT, segments_shown, waveform_draw
from transcripts.speakers import speaker_label
from transcripts.webvtt import webvtt_write

_CUE_TIMING = re.compile(r"^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})$")


def test_speakers_are_named_from_the_agents_channel(settings):
    assert [speaker_label(i) for i in (0, 1, None)] == ["Agent", "Debtor", ""]
    settings.TRANSCRIPT_AGENT_CHANNEL = 1
    assert [speaker_label(i) for i in (0, 1, None)] == ["Debtor", "Agent", ""]


def test_segments_show_their_moment_speaker_and_words():
    shown = segments_shown(segments=SEGMENTS, masked=False)
    assert [s.moment for s in shown] == ["0:00", "0:03", "0:07", "0:08", "1:15"]
    assert [s.speaker for s in shown] == ["Agent", "Debtor", "Debtor", "Debtor", "Agent"]
    assert shown[0].text == "Hello, this is Anna from Acme."
    assert [w.text for w in shown[1].words][-4:] == ["4970", "1012", "3456", "7890."]
    # A segment without words is shown by its text.
    assert shown[4].text == "I dispute the amount, said nobody."
    assert shown[4].words == ()


def test_a_one_channel_call_has_no_speakers():
    one_channel = [{**segment, "speaker": None} for segment in SEGMENTS]
    assert {s.speaker for s in segments_shown(segments=one_channel, masked=False)} == {""}


def test_masking_spans_words_and_segments():
    shown = segments_shown(segments=SEGMENTS, masked=True)
    assert shown[1].text == "My card is •••• •••• •••• •890."
    assert [w.text for w in shown[1].words][-4:] == ["••••", "••••", "••••", "•890."]
    # "06 12" ends one segment and "34 56 78" starts the next: one phone number.
    assert shown[2].text == "Call me on •• ••"
    assert shown[3].text.startswith("•• •6 78 ")
    assert "Anna" in shown[0].text


def test_a_cue_ends_after_it_starts_once_written_in_milliseconds():
    segments = segments_shown(
        segments=[{"start": 0.0015, "end": 0.0025, "text": "a"}], masked=False
    )
    assert "00:00:00.002 --> 00:00:00.003" in webvtt_write(segments=segments)


def test_bad_segments_are_left_out_not_shown():
    rows = [
        "text",
        {"start": "1", "text": "a string start"},
        {"start": math.nan, "text": "not a number"},
        {"start": -1, "text": "before the start"},
        {"start": 2, "end": 1, "text": "  ends   before\nit starts  ", "speaker": True},
        {"start": 3, "text": ""},
        {"start": 4, "text": "bad words", "words": [{"start": None, "text": "x"}, "y"]},
    ]
    shown = segments_shown(segments=rows, masked=False)
    assert [(s.start, s.end, s.text, s.speaker) for s in shown] == [
        (2.0, 2.0, "ends before it starts", ""),
        (4.0, 4.0, "bad words", ""),
    ]
    assert segments_shown(segments={"not": "a list"}, masked=False) == []


def test_the_waveform_is_one_path_of_bars():
    waveform = waveform_draw(peaks=PEAKS)
    assert waveform is not None
    assert waveform.width == len(PEAKS) * WAVEFORM_SLOT
    assert waveform.path.count("M") == len(PEAKS)
    assert waveform_draw(peaks=[]) is None


def test_a_long_waveform_is_merged_to_the_most_bars_drawn():
    waveform = waveform_draw(peaks=[0.5, 2.0, "x", -3, None] * 1000)
    assert waveform is not None
    assert waveform.width == WAVEFORM_MAX_BARS * WAVEFORM_SLOT


def test_webvtt_cues_with_speakers_and_escaped_markup():
    vtt = webvtt_write(segments=segments_shown(segments=SEGMENTS, masked=True))
    blocks = vtt.split("\n\n")
    assert blocks[0] == "WEBVTT"
    assert blocks[1] == "1\n00:00:00.000 --> 00:00:02.400\n<v Agent>Hello, this is Anna from Acme."
    assert blocks[2].endswith("<v Debtor>My card is •••• •••• •••• •890.")
    assert "&lt;please&gt; &amp; thanks" in blocks[4]
    assert (
        blocks[5].rstrip("\n")
        == "5\n00:01:15.200 --> 00:01:18.000\n<v Agent>I dispute the amount, said nobody."
    )
    assert vtt.endswith("\n")
    assert "4970" not in vtt


_WORDS = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "start": st.floats(min_value=0, max_value=90_000),
                "end": st.floats(min_value=0, max_value=90_000),
                "speaker": st.none() | st.integers(0, 1),
                "text": _WORDS,
            }
        ),
        max_size=8,
    )
)
def test_any_transcript_makes_a_well_formed_webvtt(segments):
    vtt = webvtt_write(segments=segments_shown(segments=segments, masked=False))
    blocks = vtt.rstrip("\n").split("\n\n")
    assert blocks[0] == "WEBVTT"
    for block in blocks[1:]:
        number, timing, text = block.split("\n")
        assert number.isdigit()
        assert "-->" not in text
        assert "<" not in text.removeprefix("<v Agent>").removeprefix("<v Debtor>")
        cue_timing = _CUE_TIMING.fullmatch(timing)
        assert cue_timing is not None
        parts = [int(p) for p in cue_timing.groups()]
        start = parts[0] * 3600 + parts[1] * 60 + parts[2] + parts[3] / 1000
        end = parts[4] * 3600 + parts[5] * 60 + parts[6] + parts[7] / 1000
        assert end > start


@pytest.mark.parametrize("peaks", [None, "peaks", {"a": 1}])
def test_peaks_that_are_not_a_list_draw_nothing(peaks):
    assert waveform_draw(peaks=peaks) is None


@given(st.lists(_WORDS, min_size=1, max_size=6))
def test_words_are_escaped_in_their_spans(words):
    segment = {
        "start": 1,
        "end": 2,
        "text": "",
        "words": [
            {"start": 1 + n / 10, "end": 1.05 + n / 10, "text": w} for n, w in enumerate(words)
        ],
    }
    for shown in segments_shown(segments=[segment], masked=False):
        markup = re.sub(
            r'<span data-start="[0-9.]+" data-end="[0-9.]+">|</span>', "", shown.text_html
        )
        assert "<" not in markup
        assert ">" not in markup
        assert '"' not in markup
