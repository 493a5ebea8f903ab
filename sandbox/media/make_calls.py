#!/usr/bin/env python3
"""Builds the sandbox's call recordings from the scripts in calls.json.

The recordings are committed; run this again only to change them:
`python sandbox/media/make_calls.py [FILE ...]` (every call, or only the files named). It needs
espeak-ng, sox and ffmpeg with libmp3lame (`apt-get install espeak-ng sox ffmpeg`), and writes
each call's length back into calls.json (`duration_ms`), which the sandbox's data reads.

Every line is spoken by its speaker's espeak-ng voice, resampled to 16 kHz mono and squeezed
into the telephone band (300-3,400 Hz), then followed by its pause; calls open with a narrator
saying the voices are computer generated, so nobody mistakes one for a real person. A
two-channel call puts the agent (and the narrator) on the left channel and the debtor on the
right, each silent while the other speaks, as dialers that record both sides apart do.

MP3 because every browser plays it and GetBill's own recordings are MP3; 16 kHz at a constant
bit rate (24 kbit/s a channel) keeps files small and makes byte-range seeking exact. `sox -R`
(repeatable dither) and ffmpeg's bitexact flags make the output byte-identical from run to run.
"""

import array
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CALLS_FILE = HERE / "calls.json"

SAMPLE_RATE = 16_000
BITRATE_PER_CHANNEL_KBPS = 24
TONE_HZ = 1_000
TITLE = "Synthetic collection call (GetBill sandbox)"
# The channel each speaker is heard on in a two-channel call (0: left, 1: right).
STEREO_CHANNEL = {"narrator": 0, "agent": 0, "debtor": 1}


def _run(*command: str | Path) -> str:
    result = subprocess.run(  # noqa: S603 - fixed tools, arguments from our own calls.json
        [str(part) for part in command], check=True, capture_output=True, text=True
    )
    return result.stdout


def _espeak_args(voice: dict[str, Any]) -> list[str]:
    return ["-v", voice["voice"], "-p", str(voice["pitch"]), "-s", str(voice["speed"])]


def _line_render(*, line: dict[str, Any], voices: dict[str, Any], work: Path, n: int) -> Path:
    """One line (speech or a tone) as 16 kHz mono telephone audio, its pause included."""
    part = work / f"part-{n}.wav"
    pause = str(line["pause"])
    if "tone" in line:
        _run(
            "sox", "-R", "-n", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", part,
            "synth", str(line["tone"]), "sine", str(TONE_HZ), "vol", "0.3", "pad", "0", pause,
        )  # fmt: skip
        return part
    raw = work / f"raw-{n}.wav"
    _run("espeak-ng", *_espeak_args(voices[line["speaker"]]), "-w", raw, line["text"])
    _run(
        "sox", "-R", raw, "-r", str(SAMPLE_RATE), "-c", "1", part,
        "gain", "-3", "highpass", "300", "lowpass", "3400", "pad", "0", pause,
    )  # fmt: skip
    return part


def _two_channel_join(*, lines: list[dict[str, Any]], parts: list[Path], out: Path) -> None:
    """The parts one after the other, each on its speaker's channel, silence on the other."""
    samples = array.array("h")
    for line, part in zip(lines, parts, strict=True):
        with wave.open(str(part)) as reader:
            mono = array.array("h", reader.readframes(reader.getnframes()))
        stereo = array.array("h", bytes(4 * len(mono)))
        channel = STEREO_CHANNEL[line["speaker"]]
        stereo[channel::2] = mono
        samples.extend(stereo)
    with wave.open(str(out), "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(samples.tobytes())


def call_make(*, call: dict[str, Any], work: Path) -> int:
    """Write the call's MP3 next to this script; return its length in milliseconds."""
    lines = call["lines"]
    parts = [
        _line_render(line=line, voices=call["voices"], work=work, n=n)
        for n, line in enumerate(lines, start=1)
    ]
    joined = work / "joined.wav"
    if call["channels"] == 2:
        _two_channel_join(lines=lines, parts=parts, out=work / "stereo.wav")
        _run("sox", "-R", work / "stereo.wav", joined, "norm", "-3")
    else:
        _run("sox", "-R", *parts, joined, "norm", "-3")
    channels = str(call["channels"])
    _run(
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", joined,
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
        "-metadata", f"title={TITLE}",
        "-c:a", "libmp3lame", "-b:a", f"{BITRATE_PER_CHANNEL_KBPS * call['channels']}k",
        # Left and right coded apart: joint stereo would let one side bleed into the other.
        *(["-joint_stereo", "0"] if call["channels"] == 2 else []),
        "-ar", str(SAMPLE_RATE), "-ac", channels, HERE / call["file"],
    )  # fmt: skip
    return round(float(_run("soxi", "-D", joined)) * 1000)


def main(only: list[str]) -> None:
    missing = [tool for tool in ("espeak-ng", "sox", "soxi", "ffmpeg") if not shutil.which(tool)]
    if missing:
        sys.exit(f"Missing {', '.join(missing)}: apt-get install espeak-ng sox ffmpeg")
    catalogue = json.loads(CALLS_FILE.read_text(encoding="utf-8"))
    unknown = set(only) - {call["file"] for call in catalogue["calls"]}
    if unknown:
        sys.exit(f"Not in {CALLS_FILE.name}: {', '.join(sorted(unknown))}")
    for call in catalogue["calls"]:
        if only and call["file"] not in only:
            continue
        with tempfile.TemporaryDirectory() as work:
            call["duration_ms"] = call_make(call=call, work=Path(work))
        size = (HERE / call["file"]).stat().st_size
        print(f"{call['file']}: {size:,} bytes, {call['duration_ms'] / 1000:.1f} s")
    CALLS_FILE.write_text(
        json.dumps(catalogue, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
