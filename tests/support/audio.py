"""Small recordings made on the spot for transcript tests: WAV files of tones."""

import io
import math
import struct
import wave

RATE = 8000


def tone_samples(*, seconds: float, frequency: float, rate: int = RATE) -> list[int]:
    count = int(seconds * rate)
    return [int(12000 * math.sin(2 * math.pi * frequency * i / rate)) for i in range(count)]


def wav_bytes(*channels: list[int], rate: int = RATE) -> bytes:
    """A 16-bit PCM WAV file with one channel per list of samples (all the same length)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(len(channels))
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack(f"<{len(channels)}h", *frame) for frame in zip(*channels, strict=True)
        )
        out.writeframes(frames)
    return buffer.getvalue()


def mono_call(seconds: float = 3.0) -> bytes:
    return wav_bytes(tone_samples(seconds=seconds, frequency=440))


def stereo_call(seconds: float = 3.0) -> bytes:
    """Two channels that differ (an agent and a debtor recorded apart)."""
    agent = tone_samples(seconds=seconds, frequency=440)
    debtor = [sample // 3 for sample in tone_samples(seconds=seconds, frequency=660)]
    return wav_bytes(agent, debtor)


def truncated(recording: bytes, *, keep: float) -> bytes:
    """The file cut after `keep` (a share) of its bytes, its header still announcing all."""
    return recording[: int(len(recording) * keep)]
