import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.folding import text_fold, words_fold
from search.query import (
    MAX_QUERY_LENGTH,
    QueryError,
    Term,
    fts5_match,
    terms_parse,
    terms_score,
    tsquery_raw,
)


def test_folding_ignores_case_accents_and_punctuation() -> None:
    assert text_fold("Je CONTESTE, c'est contesté!") == "je conteste c est conteste"
    assert words_fold("Straße") == ["strasse"]


def test_terms_words_phrases_and_prefixes() -> None:
    assert terms_parse('lawyer "this call is recorded" contest*') == (
        Term(words=("lawyer",)),
        Term(words=("this", "call", "is", "recorded")),
        Term(words=("contest",), prefix=True),
    )


def test_operators_are_plain_words() -> None:
    terms = terms_parse('NEAR(a b) -x "y OR z" col:w ^start')
    assert fts5_match(terms, column="words") == (
        '{words} : ("near a" AND "b" AND "x" AND "y or z" AND "col w" AND "start")'
    )
    assert tsquery_raw(terms_parse('contest* "on behalf"')) == (
        "('contest':*) & ('on' <-> 'behalf')"
    )


@pytest.mark.parametrize("text", ["", "   ", "!!! --- ***", '""', "*"])
def test_no_words_is_a_clear_error(text: str) -> None:
    with pytest.raises(QueryError, match="at least one word"):
        terms_parse(text)


def test_too_long() -> None:
    with pytest.raises(QueryError, match="at most"):
        terms_parse("a" * 20_000)


@given(st.text(max_size=MAX_QUERY_LENGTH))
def test_any_input_is_terms_or_a_query_error(text: str) -> None:
    try:
        terms = terms_parse(text)
    except QueryError:
        return
    match = fts5_match(terms, column="words")
    # Every term is one quoted string of letters, digits and spaces.
    for term in terms:
        assert all(word.isalnum() for word in term.words)
    assert match.count('"') == 2 * len(terms)
    assert "'" not in "".join(w for t in terms for w in t.words)


def test_terms_score_counts_whole_words_phrases_and_starts() -> None:
    words = "je conteste la dette je conteste tout"
    assert terms_score(terms_parse("conteste"), words) == 2
    assert terms_score(terms_parse('"la dette" contest*'), words) == 3
    assert terms_score(terms_parse("conte"), words) == 0
    assert terms_score(terms_parse("conteste absent"), words) == 0
