"""Decoding a downloaded recording with PyAV: the samples the engine hears, one array per
speaker channel, and the waveform's peaks.

Two channels (the agent and the debtor recorded apart, as many dialers do) stay apart, each
its own speaker; one channel (or a stereo file whose channels are the same) is one mix with no
speaker. Decoding stops past the duration cap, whatever the file's header claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

import av
import numpy as np
import numpy.typing as npt

from transcripts.engine import SAMPLE_RATE

PEAKS_COUNT = 300
# A file whose header announced this much more than could be decoded is cut off.
_TRUNCATED_SHARE = 0.9
_TRUNCATED_MIN_SECONDS = 2.0

Samples = npt.NDArray[np.float32]


class AudioError(Exception):
    """The recording cannot be transcribed; the message says why, for a reviewer."""


@dataclass(frozen=True)
class DecodedAudio:
    # One array per speaker channel when they were recorded apart, else one mix.
    channels: tuple[Samples, ...]
    duration_seconds: float
    peaks: tuple[float, ...]

    @property
    def separate_speakers(self) -> bool:
        return len(self.channels) > 1


def audio_decode(*, file: IO[bytes], max_seconds: float) -> DecodedAudio:
    """The recording in `file`, decoded to SAMPLE_RATE float samples; AudioError if it is not
    audio, is damaged or cut off, holds no sound, or lasts longer than `max_seconds`."""
    if _riff_cut_off(file):
        raise AudioError("The recording is cut off: the file is shorter than its header says.")
    try:
        container = av.open(file, mode="r")
    except (av.FFmpegError, ValueError, OSError):
        raise AudioError("The recording is not an audio file the dashboard can read.") from None
    with container:
        if not container.streams.audio:
            raise AudioError("The recording holds no audio.")
        stream = container.streams.audio[0]
        announced = _announced_seconds(container=container, stream=stream)
        if announced is not None and announced > max_seconds:
            raise AudioError(_too_long(max_seconds))
        stereo = stream.codec_context.channels == 2
        samples = _samples_read(container=container, stream=stream, stereo=stereo, cap=max_seconds)
    if samples.shape[1] == 0:
        raise AudioError("The recording holds no sound (it may be empty or cut off).")
    duration = samples.shape[1] / SAMPLE_RATE
    if (
        announced is not None
        and announced - duration > _TRUNCATED_MIN_SECONDS
        and duration < announced * _TRUNCATED_SHARE
    ):
        raise AudioError(
            f"The recording is cut off: it should last {announced:.0f} s but holds "
            f"{duration:.0f} s."
        )
    mix = samples.mean(axis=0).astype(np.float32)
    if stereo and not np.allclose(samples[0], samples[1], atol=1e-3):
        channels: tuple[Samples, ...] = (samples[0].copy(), samples[1].copy())
    else:
        channels = (mix,)
    return DecodedAudio(channels=channels, duration_seconds=duration, peaks=peaks_compute(mix))


def _riff_cut_off(file: IO[bytes]) -> bool:
    """True for a WAV (RIFF) file whose data chunk announces more bytes than follow it.
    FFmpeg takes such a file's length from what is there, so it would pass for whole."""
    start = file.tell()
    try:
        header = file.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return False
        while chunk := file.read(8):
            if len(chunk) < 8:
                return True
            size = int.from_bytes(chunk[4:8], "little")
            if chunk[:4] == b"data":
                # 0 and 0xFFFFFFFF: written while recording, size unknown.
                if size in (0, 0xFFFFFFFF):
                    return False
                here = file.tell()
                end = file.seek(0, 2)
                return end - here < size
            file.seek(size + (size & 1), 1)
        return False
    finally:
        file.seek(start)


def _announced_seconds(
    *, container: av.container.InputContainer, stream: av.AudioStream
) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _too_long(max_seconds: float) -> str:
    minutes = f"{max_seconds / 60:.0f}"
    return f"The recording is longer than the {minutes} minutes the dashboard transcribes."


def _samples_read(
    *, container: av.container.InputContainer, stream: av.AudioStream, stereo: bool, cap: float
) -> npt.NDArray[np.float32]:
    resampler = av.AudioResampler(
        format="fltp", layout="stereo" if stereo else "mono", rate=SAMPLE_RATE
    )
    cap_samples = int(cap * SAMPLE_RATE)
    pieces: list[npt.NDArray[Any]] = []
    count = 0
    try:
        for frame in container.decode(stream):
            for resampled in resampler.resample(frame):
                piece = resampled.to_ndarray()
                pieces.append(piece)
                count += piece.shape[1]
            if count > cap_samples:
                raise AudioError(_too_long(cap))
        for resampled in resampler.resample(None):
            pieces.append(resampled.to_ndarray())
    except av.FFmpegError:
        if not pieces:
            raise AudioError("The recording is damaged: it could not be decoded.") from None
        # A damaged tail: what came before it is kept, and the duration check below tells a
        # recording cut short.
    if not pieces:
        return np.zeros((2 if stereo else 1, 0), dtype=np.float32)
    return np.concatenate(pieces, axis=1).astype(np.float32, copy=False)


def peaks_compute(samples: Samples, *, count: int = PEAKS_COUNT) -> tuple[float, ...]:
    """The waveform: the loudest sample of each of `count` equal slices, scaled to 0..1 by
    the loudest of all (so a quiet line still draws)."""
    if samples.size == 0:
        return ()
    slices = np.array_split(np.abs(samples), min(count, samples.size))
    loudest = np.array([float(piece.max()) for piece in slices])
    top = float(loudest.max())
    if top <= 0:
        return tuple(0.0 for _ in slices)
    return tuple(round(float(value / top), 3) for value in loudest)
