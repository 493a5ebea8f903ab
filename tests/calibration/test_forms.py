"""What managers and reviewers post to calibration (calibration/forms.py): whatever it holds,
it is read or refused with a message, never an exception of another kind."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from calibration.errors import CalibrationError
from calibration.forms import SAMPLE_MAX, SessionForm, answers_posted
from reviews import services as review_services
from reviews.forms import ReviewForm
from reviews.models import Scorecard

_TEXT = st.text(max_size=80)
_NUMBERISH = st.one_of(_TEXT, st.integers(min_value=-5, max_value=50).map(str))


def _query(pairs: list[tuple[str, str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    return query


class TestSessionForm(HypothesisTestCase):
    def setUp(self) -> None:
        self.card = review_services.scorecard_create(
            name="Calls", criteria=[review_services.CriterionSpec(label="Disclosure given")]
        )
        permission = Permission.objects.get(codename="review_followup")
        self.reviewers = []
        for name in ("one", "two", "three"):
            user = get_user_model().objects.create_user(username=name)
            user.user_permissions.add(permission)
            self.reviewers.append(user)

    @settings(max_examples=60)
    @given(
        name=_TEXT,
        scorecard=st.one_of(_NUMBERISH, st.just("card")),
        followup_id=_TEXT,
        sample_size=_NUMBERISH,
        reviewers=st.lists(st.one_of(_NUMBERISH, st.sampled_from(["r0", "r1", "r2"])), max_size=4),
    )
    def test_a_session_is_read_or_refused(
        self, name, scorecard, followup_id, sample_size, reviewers
    ):
        ids = {f"r{i}": str(user.pk) for i, user in enumerate(self.reviewers)}
        data = _query(
            [
                ("name", name),
                ("scorecard", str(self.card.pk) if scorecard == "card" else scorecard),
                ("followup_id", followup_id),
                ("sample_size", sample_size),
                *(("reviewers", ids.get(r, r)) for r in reviewers),
            ]
        )
        form = SessionForm(
            data,
            scorecards=Scorecard.objects.all(),
            reviewers=get_user_model().objects.filter(pk__in=[u.pk for u in self.reviewers]),
        )
        if not form.is_valid():
            with pytest.raises(CalibrationError) as refused:
                form.session_input()
            assert refused.value.status_code == 400
            assert refused.value.message.strip()
            return
        session = form.session_input()
        assert session.name
        assert session.scorecard_id == self.card.pk
        assert len(set(session.reviewer_ids)) >= 2
        assert bool(session.followup_id) != (session.sample_size is not None)
        if session.sample_size is not None:
            assert 1 <= session.sample_size <= SAMPLE_MAX


@given(
    st.lists(
        st.tuples(
            st.one_of(_TEXT, st.integers(0, 10**20).map(lambda n: f"answer-{n}")),
            st.one_of(_TEXT, st.sampled_from(["yes", "no", "na"])),
        ),
        max_size=6,
    )
)
def test_posted_answers_are_read_or_refused(pairs):
    query = _query(pairs)
    if ReviewForm(query).posted() is None:
        with pytest.raises(CalibrationError) as refused:
            answers_posted(query)
        assert refused.value.message.strip()
        return
    answers, comment = answers_posted(query)
    assert all(isinstance(pk, int) and pk >= 0 for pk in answers)
    assert all(isinstance(value, str) and value for value in answers.values())
    assert isinstance(comment, str)
