"""Krippendorff's alpha (nominal) against the published worked example and its edge cases."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insights.agreement import krippendorff_alpha_nominal

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): four observers, twelve
# units, missing values; nominal alpha 0.743.
_OBSERVERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_the_published_example_gives_its_published_alpha():
    units = list(zip(*_OBSERVERS, strict=True))
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=0.0005)


def test_perfect_agreement_is_one_and_missing_answers_are_left_out():
    units = [("yes", "yes", None), ("no", "no", "no"), ("yes", None, None)]
    assert krippendorff_alpha_nominal(units) == 1


def test_systematic_disagreement_is_below_zero():
    alpha = krippendorff_alpha_nominal([("yes", "no"), ("no", "yes")])
    assert alpha is not None
    assert alpha < 0


@pytest.mark.parametrize(
    "units", [[], [("yes",)], [("yes", None)], [("yes", "yes"), ("yes", "yes")]]
)
def test_nothing_comparable_or_no_variation_is_undefined(units):
    assert krippendorff_alpha_nominal(units) is None


@given(st.lists(st.lists(st.sampled_from(["yes", "no", None]), max_size=6), max_size=20))
def test_alpha_is_at_most_one_or_undefined(units):
    alpha = krippendorff_alpha_nominal(units)
    assert alpha is None or alpha <= 1 + 1e-9
