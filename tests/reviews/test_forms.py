"""The review pages' forms: a comment and a review as posted are read, or refused with a
ReviewError that says why; nothing else is raised, whatever is posted."""

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from reviews import forms
from reviews.errors import ReviewError

_TEXT = st.text(max_size=40) | st.sampled_from(["", "0", "1:05", "-1", "61:00", "99999999"])


@given(at=_TEXT, end=_TEXT, text=_TEXT, token=_TEXT)
def test_a_comment_is_read_or_refused(at, end, text, token):
    form = forms.CommentForm(
        {"at": at, "end": end, "text": text, "recording_end": token}, followup_id="abc123"
    )
    if not form.is_valid():
        with pytest.raises(ReviewError) as refused:
            form.comment_require()
        assert refused.value.status_code == 400
        assert refused.value.message
        return
    start, until, words = form.comment_require()
    assert start >= 0
    assert until is None or until > start
    assert words
    assert words == words.strip()


def test_a_comment_past_the_signed_end_is_refused():
    token = forms.recording_end_token(followup_id="abc123", duration_ms=60_000)
    form = forms.CommentForm(
        {"at": "1:05", "text": "late", "recording_end": token}, followup_id="abc123"
    )
    with pytest.raises(ReviewError, match="past the end of the recording"):
        form.comment_require()
    # Another followup's note says nothing about this one's end.
    other = forms.CommentForm(
        {"at": "1:05", "text": "late", "recording_end": token}, followup_id="other1"
    )
    assert other.comment_require() == (65, None, "late")


@given(
    fields=st.lists(
        st.tuples(
            st.sampled_from(["scorecard", "summary", "action", "answer-1", "answer-x", "answer-"]),
            _TEXT,
        ),
        max_size=6,
    )
)
def test_a_review_is_read_or_refused(fields):
    posted = QueryDict(mutable=True)
    for name, value in fields:
        posted.appendlist(name, value)
    form = forms.ReviewForm(posted)
    if form.posted() is None:
        with pytest.raises(ReviewError) as refused:
            form.review_input()
        assert refused.value.status_code == 400
        return
    review = form.review_input()
    assert review.scorecard_id is None or review.scorecard_id >= 0
    assert all(isinstance(pk, int) for pk in review.answers)
