"""Masking long runs of digits in what a call's words show: card, IBAN, account and phone
numbers said aloud. Users without `followups.view_full_phone` see them as they see the phone
number, every digit but the last three replaced (followups.access.phone_mask), wherever the
text is shown: the page, the WebVTT download, and anything later built on the words.
"""

from __future__ import annotations

import re

from followups.access import phone_mask

# Six or more digits, with spaces, dots or dashes between them ("4970 1012 3456 7890",
# "06.12.34.56.78", "FR76-3000-6000"): a few separators in a row still join a number said
# slowly ("12 - 34"), so none of its digits slip out between two runs shorter than six.
_DIGIT_RUN = re.compile(r"\d(?:[ .\-]{0,3}\d){5,}")
MIN_MASKED_DIGITS = 6


def digits_mask(text: str) -> str:
    """`text` with every run of 6+ digits masked as a phone number is; the same length, so
    what is cut from the masked text (a word of a segment) is the same part of the original."""
    return _DIGIT_RUN.sub(lambda match: phone_mask(number=match.group()), text)
