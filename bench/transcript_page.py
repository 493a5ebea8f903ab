"""What a transcript costs a page: the panel's HTML size and server time, and the WebVTT file's,
for calls of 3, 10 and 30 minutes (about 2.5 words a second, two channels, 600 waveform bars),
for a manager (digits shown) and a QA reviewer (digits masked, across the whole transcript).

Prints the median of a few runs for each, in CPU time (the process's own, so that other work on
a shared machine does not count); the audit entry's write is included. Asserts nothing. Run with
`.venv/bin/python bench/transcript_page.py`.
"""

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import django_ready

django_ready()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from followups.getbill import GetBillId  # noqa: E402
from transcripts import reading  # noqa: E402
from transcripts.models import Transcript  # noqa: E402
from transcripts.panels import PANEL_TEMPLATE  # noqa: E402

ROUNDS = 7
WIDTHS = (7, 8, 6, 9, 13, 7, 11)
WORDS_PER_SECOND = 2.5
SEGMENT_SECONDS = 6
SAYINGS = [
    *("so", "I", "can", "pay", "two", "hundred", "on", "the", "5th"),
    *("my", "card", "is", "4970", "1012", "3456", "7890", "thanks"),
]


def _segments(minutes: int) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = []
    words_said = 0
    for index, start in enumerate(range(0, minutes * 60, SEGMENT_SECONDS)):
        count = int(SEGMENT_SECONDS * WORDS_PER_SECOND)
        step = SEGMENT_SECONDS / count
        words: list[dict[str, Any]] = [
            {
                "start": start + n * step,
                "end": start + (n + 0.8) * step,
                "text": SAYINGS[(words_said + n) % len(SAYINGS)],
            }
            for n in range(count)
        ]
        words_said += count
        segments.append(
            {
                "start": float(start),
                "end": start + SEGMENT_SECONDS - 0.5,
                "speaker": index % 2,
                "text": " ".join(w["text"] for w in words),
                "words": words,
            }
        )
    return segments


def _median_ms(work: Callable[[], str]) -> tuple[float, str]:
    times = []
    result = ""
    for _ in range(ROUNDS):
        started = time.process_time()
        result = work()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    users = {}
    for role, group in (("manager", "Collections managers"), ("qa", "QA reviewers")):
        users[role] = get_user_model().objects.create_user(username=f"bench-{role}")
        users[role].groups.set([Group.objects.get(name=group)])
    factory = RequestFactory()
    header = ("call", "role", "words", "panel KB", "panel CPU ms", "vtt KB", "vtt CPU ms")
    print(" ".join(f"{name:>{width}}" for name, width in zip(header, WIDTHS, strict=True)))
    for minutes in (3, 10, 30):
        followup_id = GetBillId(f"bench{minutes}min")
        segments = _segments(minutes)
        Transcript.objects.create(
            followup_id=followup_id,
            status=Transcript.Status.DONE,
            channels=2,
            duration_seconds=minutes * 60.0,
            segments=segments,
            peaks=[(i % 17) / 17 for i in range(600)],
        )
        words = sum(len(s["words"]) for s in segments)
        for role, user in users.items():
            request = factory.get("/")
            request.user = user

            def panel(
                user: Any = user, request: Any = request, followup_id: Any = followup_id
            ) -> str:
                shown = reading.transcript_view(user=user, followup_id=followup_id)
                return render_to_string(
                    PANEL_TEMPLATE, {"shown": shown, "on_page": True}, request=request
                )

            def vtt(user: Any = user, followup_id: Any = followup_id) -> str:
                return reading.transcript_download(user=user, followup_id=followup_id)

            panel_ms, html = _median_ms(panel)
            vtt_ms, text = _median_ms(vtt)
            print(
                f"{minutes:>4} min {role:>8} {words:>6} {len(html.encode()) / 1024:>9.0f} "
                f"{panel_ms:>13.1f} {len(text.encode()) / 1024:>7.0f} {vtt_ms:>11.1f}"
            )


if __name__ == "__main__":
    main()
