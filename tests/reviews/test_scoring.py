"""The score and verdict rules of reviews (reviews/scoring.py), checked over generated answers."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from reviews.models import AnswerValue, Verdict
from reviews.scoring import ScoredAnswer, review_outcome, review_score

answers_st = st.lists(
    st.builds(
        ScoredAnswer,
        weight=st.integers(min_value=1, max_value=100),
        critical=st.booleans(),
        value=st.sampled_from(AnswerValue.values),
    ),
    max_size=20,
)
marks_st = st.tuples(st.integers(0, 100), st.integers(0, 100)).map(sorted)


def _exact(answers):
    scored = [a for a in answers if a.value != AnswerValue.NOT_APPLICABLE]
    possible = sum(a.weight for a in scored)
    earned = sum(a.weight for a in scored if a.value == AnswerValue.YES)
    return None if possible == 0 else Decimal(100 * earned) / Decimal(possible)


@given(answers_st)
def test_score_is_the_weighted_share_of_yes_among_yes_and_no_rounded_to_a_tenth(answers):
    score = review_score(answers=answers)
    exact = _exact(answers)
    if exact is None:
        assert score is None
    else:
        assert score is not None
        assert Decimal(0) <= score <= Decimal(100)
        assert abs(score - exact) <= Decimal("0.05")
        assert score == score.quantize(Decimal("0.1"))


@given(answers_st, st.integers(1, 100), st.booleans())
def test_not_applicable_answers_leave_the_score_unchanged(answers, weight, critical):
    extra = ScoredAnswer(weight=weight, critical=critical, value=AnswerValue.NOT_APPLICABLE)
    assert review_score(answers=[*answers, extra]) == review_score(answers=answers)


@given(answers_st, st.integers(2, 9))
def test_scaling_every_weight_keeps_the_score(answers, factor):
    scaled = [ScoredAnswer(a.weight * factor, a.critical, a.value) for a in answers]
    assert review_score(answers=scaled) == review_score(answers=answers)


@given(answers_st, st.data())
def test_turning_a_no_into_a_yes_never_lowers_the_score(answers, data):
    noes = [i for i, a in enumerate(answers) if a.value == AnswerValue.NO]
    if not noes:
        return
    index = data.draw(st.sampled_from(noes))
    better = list(answers)
    better[index] = ScoredAnswer(answers[index].weight, answers[index].critical, AnswerValue.YES)
    before, after = review_score(answers=answers), review_score(answers=better)
    assert before is not None
    assert after is not None
    assert after >= before


@given(answers_st, marks_st)
def test_a_critical_no_fails_whatever_the_score(answers, marks):
    coaching, passing = marks
    outcome = review_outcome(answers=answers, pass_mark=passing, coaching_mark=coaching)
    critical_no = any(a.critical and a.value == AnswerValue.NO for a in answers)
    if critical_no:
        assert outcome.verdict == Verdict.FAIL
    elif outcome.score is None:
        assert outcome.verdict == ""
    elif outcome.score >= passing:
        assert outcome.verdict == Verdict.PASS
    elif outcome.score >= coaching:
        assert outcome.verdict == Verdict.NEEDS_COACHING
    else:
        assert outcome.verdict == Verdict.FAIL


def test_worked_example():
    answers = [
        ScoredAnswer(weight=3, critical=True, value=AnswerValue.YES),
        ScoredAnswer(weight=1, critical=False, value=AnswerValue.NO),
        ScoredAnswer(weight=2, critical=False, value=AnswerValue.NOT_APPLICABLE),
    ]
    outcome = review_outcome(answers=answers, pass_mark=85, coaching_mark=70)
    assert outcome.score == Decimal("75.0")
    assert outcome.verdict == Verdict.NEEDS_COACHING
    two_thirds = [
        ScoredAnswer(weight=2, critical=False, value=AnswerValue.YES),
        ScoredAnswer(weight=1, critical=False, value=AnswerValue.NO),
    ]
    assert review_score(answers=two_thirds) == Decimal("66.7")
