"""A closed session's results, worked out from its (few) calibration reviews: per call and
criterion who answered what, the share agreeing with the most given answer, the spread of the
calls' scores, Krippendorff's alpha across the session, and each reviewer's distance from the
manager's reference answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from calibration.models import CalibrationSession, ReferenceAnswer
from insights.agreement import krippendorff_alpha_nominal
from reviews.models import AnswerValue, Criterion


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _score(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def answer_label(value: str) -> str:
    return AnswerValue(value).label if value else "not answered"


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    # (reviewer, answer) in the order of the session's reviewers.
    answers: list[tuple[str, str]]
    # The answer given most; "" when two answers tie for most.
    modal: str
    agreeing: int
    reference: str  # the manager's answer, "" when none was given

    @property
    def agreeing_share(self) -> float | None:
        return _share(self.agreeing, len(self.answers))

    @property
    def modal_label(self) -> str:
        return AnswerValue(self.modal).label if self.modal else "tie"

    @property
    def answer_cells(self) -> list[tuple[str, str, bool]]:
        """(reviewer, answer's label, differs from the reference) for the page."""
        return [
            (name, answer_label(value), bool(self.reference) and value != self.reference)
            for name, value in self.answers
        ]

    @property
    def reference_label(self) -> str:
        return answer_label(self.reference) if self.reference else ""


@dataclass(frozen=True)
class CallResult:
    followup_id: str
    criteria: list[CriterionResult]
    # (reviewer, score) of every reviewer who answered, None for a review with no score.
    scores: list[tuple[str, float | None]]
    comments: list[tuple[str, str]]

    @property
    def score_values(self) -> list[float]:
        return [score for _, score in self.scores if score is not None]

    @property
    def score_low(self) -> float | None:
        return min(self.score_values, default=None)

    @property
    def score_high(self) -> float | None:
        return max(self.score_values, default=None)

    @property
    def score_spread(self) -> float | None:
        """Points between the highest and the lowest score."""
        values = self.score_values
        return round(max(values) - min(values), 1) if values else None


@dataclass(frozen=True)
class ReviewerDistance:
    username: str
    compared: int  # answers to criteria with a reference answer
    differing: int

    @property
    def share(self) -> float | None:
        return _share(self.differing, self.compared)


@dataclass(frozen=True)
class SessionResults:
    session: CalibrationSession
    reviewers: list[str]
    calls: list[CallResult]
    alpha: float | None
    has_references: bool
    distances: list[ReviewerDistance]


def _modal(values: Iterable[str]) -> tuple[str, int]:
    ranked = Counter(values).most_common()
    if not ranked:
        return "", 0
    top, count = ranked[0]
    tied = len(ranked) > 1 and ranked[1][1] == count
    return ("" if tied else top), count


def session_results(*, session: CalibrationSession) -> SessionResults:
    """Everything the results page shows (the caller checks the results are open)."""
    criteria = list(session.scorecard.criteria.all())
    reviewers = sorted(user.get_username() for user in session.reviewers.all())
    calls = list(
        session.calls.prefetch_related("reviews__answers", "reviews__reviewer", "references")
    )
    call_results: list[CallResult] = []
    units: list[list[str | None]] = []
    compared: Counter[str] = Counter()
    differing: Counter[str] = Counter()
    for call in calls:
        given = {
            review.reviewer.get_username(): {a.criterion_id: a.value for a in review.answers.all()}
            for review in call.reviews.all()
        }
        references = {ref.criterion_id: ref.value for ref in call.references.all()}
        rows = []
        for criterion in criteria:
            answers = [
                (name, given[name].get(criterion.pk, "")) for name in reviewers if name in given
            ]
            modal, agreeing = _modal(value for _, value in answers if value)
            reference = references.get(criterion.pk, "")
            rows.append(
                CriterionResult(
                    criterion=criterion,
                    answers=answers,
                    modal=modal,
                    agreeing=agreeing,
                    reference=reference,
                )
            )
            # "Not applicable" is no answer for alpha: it neither agrees nor disagrees.
            units.append(
                [
                    None if value in ("", AnswerValue.NOT_APPLICABLE) else value
                    for _, value in answers
                ]
            )
            if reference:
                for name, value in answers:
                    compared[name] += 1
                    differing[name] += value != reference
        by_name = {review.reviewer.get_username(): review for review in call.reviews.all()}
        call_results.append(
            CallResult(
                followup_id=call.followup_id,
                criteria=rows,
                scores=[
                    (name, _score(by_name[name].score)) for name in reviewers if name in by_name
                ],
                comments=[
                    (name, by_name[name].comment)
                    for name in reviewers
                    if name in by_name and by_name[name].comment
                ],
            )
        )
    has_references = ReferenceAnswer.objects.filter(call__session=session).exists()
    return SessionResults(
        session=session,
        reviewers=reviewers,
        calls=call_results,
        alpha=krippendorff_alpha_nominal(units),
        has_references=has_references,
        distances=[
            ReviewerDistance(username=name, compared=compared[name], differing=differing[name])
            for name in reviewers
        ]
        if has_references
        else [],
    )
