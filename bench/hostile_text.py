"""How long the text cleaner takes on hostile text, per field: GetBill's answers are capped at
2 MB, and every text field of every followup of a debt's pages goes through it.

Prints the median of a few runs for each input; asserts nothing. Run with
`.venv/bin/python bench/hostile_text.py`. Each figure should stay in milliseconds: inputs
that once took quadratic time (many "http://", "eyJ" after "-") are among them.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    DJANGO_SETTINGS_MODULE="dashboard.settings",
    DJANGO_DEBUG="true",
    DJANGO_LOG_LEVEL="WARNING",
    GETBILL_CLIENT_SECRET="bench-client-secret-0123",  # noqa: S106
)

import django  # noqa: E402

django.setup()

from followups.getbill import LONG_TEXT_MAX_LENGTH, text_clean  # noqa: E402

# About the largest text field a 2 MB answer can hold.
SIZE = 1_900_000
ROUNDS = 3
INPUTS = {
    "plain prose": "The debtor agreed to pay. ",
    "http:// repeated": "http://",
    "http://a? repeated": "http://a?",
    "eyJa- repeated": "eyJa-",
    "eyJa.bbbb. repeated": "eyJa.bbbb.",
    "bearer repeated": "bearer ",
    "client_secret= repeated": "client_secret=",
    "lone surrogates": "\ud800a",
    "C1 and bidi controls": "\x9b\u202e\u2066a",
    "combining marks": "a\u0301\u0301\u0301",
}


def main() -> None:
    print(f"text_clean on {SIZE:,} characters, cut to {LONG_TEXT_MAX_LENGTH:,}; median ms")
    for name, unit in INPUTS.items():
        text = (unit * (SIZE // len(unit) + 1))[:SIZE]
        samples = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            text_clean(text, max_length=LONG_TEXT_MAX_LENGTH)
            samples.append((time.perf_counter() - started) * 1000)
        print(f"  {name:<26} {statistics.median(samples):9.1f}")


if __name__ == "__main__":
    main()
