"""What a user types in the search box, read as terms, and written in each database's query
language from those terms only: nothing the user typed reaches FTS5's MATCH or PostgreSQL's
to_tsquery as syntax (NEAR, AND, `-`, `^`, `:`, parentheses are plain words or nothing).

The language offered: words (all must be said), "a phrase in quotes" (those words in that
order), and a word's start with `*` ("contest*").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.folding import words_fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# A word's start shorter than this matches most of the index: refused rather than slow.
MIN_PREFIX_LENGTH = 2

# A quoted phrase, or a run of characters up to a space or a quote.
_PIECE = re.compile(r'"([^"]*)"?|([^\s"]+)')


class QueryError(ValueError):
    """Input that is not a search: the message says why, in the user's words."""


@dataclass(frozen=True)
class Term:
    """Folded words that must follow each other; `prefix`: the last one is a word's start."""

    words: tuple[str, ...]
    prefix: bool = False


def terms_parse(text: str) -> tuple[Term, ...]:
    """The terms of `text`, or QueryError with a message for the page."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"A search is at most {MAX_QUERY_LENGTH} characters.")
    terms: list[Term] = []
    for match in _PIECE.finditer(text):
        phrase, bare = match.group(1), match.group(2)
        if phrase is not None:
            words = words_fold(phrase)
            if words:
                terms.append(Term(words=tuple(words)))
            continue
        # Outside quotes a piece like "l'été" or "4970-1012" is several words in a row, as the
        # index holds them; a trailing `*` asks for a word's start.
        words = words_fold(bare)
        if not words:
            continue
        prefix = bare.endswith("*") and len(words[-1]) >= MIN_PREFIX_LENGTH
        terms.append(Term(words=tuple(words), prefix=prefix))
    if not terms:
        raise QueryError("Type at least one word to search for (letters or digits).")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"A search has at most {MAX_TERMS} words or phrases.")
    return tuple(dict.fromkeys(terms))


def terms_score(terms: tuple[Term, ...], words: str) -> int:
    """How many times `terms` occur in `words` (folded words joined by spaces, as indexed);
    0 unless every term occurs. Ranks the sentences of the few calls a page shows."""
    total = 0
    for term in terms:
        last = r"\w*" if term.prefix else r"(?!\S)"
        pattern = r"(?<!\S)" + " ".join(re.escape(word) for word in term.words) + last
        count = len(re.findall(pattern, words))
        if not count:
            return 0
        total += count
    return total


def fts5_match(terms: tuple[Term, ...], *, column: str) -> str:
    """An FTS5 MATCH expression of `terms` on `column`: every term a quoted string (folded
    words hold only letters and digits, so no quote can close it early)."""
    parts = [f'"{" ".join(term.words)}"' + ("*" if term.prefix else "") for term in terms]
    return f"{{{column}}} : ({' AND '.join(parts)})"


def tsquery_raw(terms: tuple[Term, ...]) -> str:
    """A PostgreSQL tsquery of `terms` (to_tsquery's syntax: websearch_to_tsquery has no word
    starts): every word a quoted lexeme, a phrase's words joined by <->, terms by &."""

    def lexeme(word: str, *, prefix: bool) -> str:
        return f"'{word}'" + (":*" if prefix else "")

    parts = []
    for term in terms:
        last = len(term.words) - 1
        lexemes = [
            lexeme(word, prefix=term.prefix and index == last)
            for index, word in enumerate(term.words)
        ]
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)
