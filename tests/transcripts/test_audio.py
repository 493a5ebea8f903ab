"""Decoding recordings (audio.py): channels, caps, damaged files, the waveform's peaks."""

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import audio
from transcripts.audio import AudioError, audio_decode, peaks_compute

COLLECTION_CALL = "sandbox/media/collection-call.mp3"


def _decode(data: bytes, *, max_seconds: float = 3600):
    return audio_decode(file=io.BytesIO(data), max_seconds=max_seconds)


def test_a_mono_call_is_one_mix_at_16_khz():
    decoded = _decode(audio.mono_call(seconds=2))

    assert len(decoded.channels) == 1
    assert not decoded.separate_speakers
    assert decoded.channels[0].dtype == np.float32
    assert decoded.channels[0].shape == (32000,)
    assert decoded.duration_seconds == pytest.approx(2.0)


def test_a_two_channel_call_keeps_its_channels_apart():
    decoded = _decode(audio.stereo_call(seconds=2))

    assert decoded.separate_speakers
    agent, debtor = decoded.channels
    # The debtor's channel was recorded at a third of the agent's level.
    assert float(np.abs(debtor).max()) == pytest.approx(float(np.abs(agent).max()) / 3, rel=0.1)


def test_an_mp3_decodes():
    with open(COLLECTION_CALL, "rb") as file:
        decoded = audio_decode(file=file, max_seconds=3600)

    assert decoded.duration_seconds == pytest.approx(57.8, abs=0.3)
    assert len(decoded.peaks) == 300


def test_a_recording_past_the_cap_is_refused():
    with pytest.raises(AudioError, match="longer than"):
        _decode(audio.mono_call(seconds=3), max_seconds=2)


def test_a_wav_cut_short_is_told_as_cut_off():
    with pytest.raises(AudioError, match="cut off"):
        _decode(audio.truncated(audio.mono_call(seconds=4), keep=0.5))


def test_silence_draws_a_flat_waveform():
    assert set(peaks_compute(np.zeros(16000, dtype=np.float32))) == {0.0}


def test_peaks_follow_the_loudness():
    quiet_then_loud = np.concatenate([np.full(1000, 0.1), np.full(1000, 0.5)]).astype(np.float32)

    peaks = peaks_compute(quiet_then_loud, count=4)

    assert peaks == (0.2, 0.2, 1.0, 1.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=4000),
        st.builds(
            lambda cut, noise: audio.mono_call(seconds=0.5)[:cut] + noise,
            st.integers(min_value=0, max_value=8044),
            st.binary(max_size=200),
        ),
    )
)
def test_any_bytes_decode_or_say_why(data: bytes):
    try:
        decoded = _decode(data, max_seconds=60)
    except AudioError as error:
        decoded, message = None, str(error)
    if decoded is None:
        assert message.startswith("The recording")
    else:
        assert decoded.duration_seconds > 0
        assert all(0 <= peak <= 1 for peak in decoded.peaks)
