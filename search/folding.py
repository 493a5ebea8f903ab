"""How words are compared: the one place where case, accents and punctuation are folded.

The same folding is applied to a transcript's words before they are indexed (search) or checked
(trackers) and to what a user types, so "conteste" finds "contesté" and "CONTESTÉ" on
PostgreSQL and SQLite alike: neither database's own folding (text search configurations,
FTS5's tokenizers) is relied on, they only ever see folded words separated by spaces.
"""

from __future__ import annotations

import re
import unicodedata

# A word: letters and digits (a number said aloud, "4970", is a word too).
_WORD = re.compile(r"[^\W_]+")


def words_fold(text: str) -> list[str]:
    """The words of `text`, lower case, without accents: "Contesté, l'été" -> ["conteste",
    "l", "ete"]."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():  # no accent to drop (most words): spares a look at each letter
        return _WORD.findall(decomposed)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain)


def text_fold(text: str) -> str:
    """`text` folded as its words joined by single spaces (what the indexes hold)."""
    return " ".join(words_fold(text))
