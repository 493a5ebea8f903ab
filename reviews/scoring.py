"""How a review scores: pure rules, with no database, so they can be checked exhaustively.

- The score is the weighted share of "yes" among the criteria answered yes or no, in percent
  (one decimal, rounded half up); "not applicable" and unanswered criteria are left out. With
  nothing answered yes or no there is no score.
- The verdict: any critical criterion answered "no" fails the review whatever the score;
  otherwise the score against the scorecard's pass and coaching marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reviews.models import AnswerValue, Verdict

_ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class ScoredAnswer:
    weight: int
    critical: bool
    value: str  # an AnswerValue


@dataclass(frozen=True)
class Outcome:
    score: Decimal | None
    verdict: str  # a Verdict, or "" when there is no score and no critical failure


def review_score(*, answers: Iterable[ScoredAnswer]) -> Decimal | None:
    """Weighted percentage of "yes" among yes/no answers; None when none is yes or no."""
    earned = 0
    possible = 0
    for answer in answers:
        if answer.value == AnswerValue.NOT_APPLICABLE:
            continue
        possible += answer.weight
        if answer.value == AnswerValue.YES:
            earned += answer.weight
    if possible == 0:
        return None
    return (Decimal(100 * earned) / Decimal(possible)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


def review_outcome(
    *, answers: Iterable[ScoredAnswer], pass_mark: int, coaching_mark: int
) -> Outcome:
    """The score and the verdict of a set of answers."""
    answers = list(answers)
    score = review_score(answers=answers)
    if any(a.critical and a.value == AnswerValue.NO for a in answers):
        return Outcome(score=score, verdict=Verdict.FAIL)
    if score is None:
        return Outcome(score=None, verdict="")
    if score >= pass_mark:
        return Outcome(score=score, verdict=Verdict.PASS)
    if score >= coaching_mark:
        return Outcome(score=score, verdict=Verdict.NEEDS_COACHING)
    return Outcome(score=score, verdict=Verdict.FAIL)
