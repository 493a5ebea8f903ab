"""What an MP3 file holds, read from its frame headers with the standard library only.

Walks every MPEG audio frame (Layer III, MPEG 1, 2 and 2.5), so a truncated or corrupt file
fails, and reads the encoder's delay and padding from the LAME tag in the first frame (the
Xing/Info frame, which holds no audio), which gives the exact number of decoded samples.
"""

from dataclasses import dataclass

# Layer III bit rates (kbit/s) by bitrate index, for MPEG 1 and for MPEG 2 and 2.5.
_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
# Sample rates by the version bits (0: MPEG 2.5, 2: MPEG 2, 3: MPEG 1) and the rate index.
_SAMPLE_RATES = {0: (11025, 12000, 8000), 2: (22050, 24000, 16000), 3: (44100, 48000, 32000)}
_MONO = 3  # channel mode bits


class Mp3Error(ValueError):
    pass


@dataclass(frozen=True)
class FrameHeader:
    version: int
    bitrate_kbps: int
    sample_rate: int
    channels: int
    length: int
    samples: int
    side_info: int


@dataclass(frozen=True)
class Mp3Info:
    sample_rate: int
    channels: int
    bitrates_kbps: frozenset[int]
    audio_frames: int  # frames after the Xing/Info frame
    samples: int  # decoded samples per channel, encoder delay and padding left out

    @property
    def duration_ms(self) -> float:
        return self.samples * 1000 / self.sample_rate


def _frame_header(data: bytes, offset: int) -> FrameHeader:
    if offset + 4 > len(data):
        raise Mp3Error(f"truncated frame header at byte {offset}")
    word = int.from_bytes(data[offset : offset + 4], "big")
    version = (word >> 19) & 0b11
    layer = (word >> 17) & 0b11
    bitrate_index = (word >> 12) & 0b1111
    rate_index = (word >> 10) & 0b11
    if word >> 21 != 0x7FF or version == 1 or layer != 0b01:
        raise Mp3Error(f"no MPEG Layer III frame at byte {offset}")
    if bitrate_index in (0, 15) or rate_index == 3:
        raise Mp3Error(f"bad bit rate or sample rate at byte {offset}")
    mpeg1 = version == 3
    bitrate = (_BITRATES_V1 if mpeg1 else _BITRATES_V2)[bitrate_index]
    sample_rate = _SAMPLE_RATES[version][rate_index]
    padding = (word >> 9) & 1
    channels = 1 if (word >> 6) & 0b11 == _MONO else 2
    samples = 1152 if mpeg1 else 576
    side_info = (17 if channels == 1 else 32) if mpeg1 else (9 if channels == 1 else 17)
    if not (word >> 16) & 1:  # protected by a 16-bit CRC, which comes first
        side_info += 2
    return FrameHeader(
        version=version,
        bitrate_kbps=bitrate,
        sample_rate=sample_rate,
        channels=channels,
        length=samples // 8 * bitrate * 1000 // sample_rate + padding,
        samples=samples,
        side_info=side_info,
    )


def _id3_end(data: bytes) -> int:
    if not data.startswith(b"ID3"):
        return 0
    size = int.from_bytes(bytes(b & 0x7F for b in data[6:10]), "big")
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def _encoder_delay_and_padding(frame: bytes, header: FrameHeader) -> tuple[int, int]:
    """From the LAME tag that follows the Xing/Info header in the first frame."""
    xing = 4 + header.side_info
    if frame[xing : xing + 4] not in (b"Xing", b"Info"):
        raise Mp3Error("the first frame is not a Xing/Info frame")
    flags = int.from_bytes(frame[xing + 4 : xing + 8], "big")
    lame = xing + 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4)
    lame += 4 * bool(flags & 8)
    packed = int.from_bytes(frame[lame + 21 : lame + 24], "big")
    return packed >> 12, packed & 0xFFF


def mp3_read(data: bytes) -> Mp3Info:
    offset = _id3_end(data)
    first = _frame_header(data, offset)
    if offset + first.length > len(data):
        raise Mp3Error("truncated first frame")
    delay, padding = _encoder_delay_and_padding(data[offset : offset + first.length], first)
    offset += first.length
    frames = 0
    bitrates: set[int] = set()
    while offset < len(data):
        if data[offset : offset + 3] == b"TAG" and len(data) - offset == 128:
            break  # an ID3v1 tag closes the file
        header = _frame_header(data, offset)
        if (header.sample_rate, header.channels) != (first.sample_rate, first.channels):
            raise Mp3Error(f"the format changes at byte {offset}")
        if offset + header.length > len(data):
            raise Mp3Error(f"truncated frame at byte {offset}")
        bitrates.add(header.bitrate_kbps)
        frames += 1
        offset += header.length
    return Mp3Info(
        sample_rate=first.sample_rate,
        channels=first.channels,
        bitrates_kbps=frozenset(bitrates),
        audio_frames=frames,
        samples=frames * first.samples - delay - padding,
    )
