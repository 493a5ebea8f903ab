"""Two reviews submitted at once into one bucket of the roll-up both count: the second's
INSERT of the bucket waits for the first's transaction, fails on the bucket's unique key, and
adds to the bucket the first made (PostgreSQL; SQLite takes one writer at a time)."""

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from insights.models import CriterionWeekRollup, WeekRollup
from reviews import services

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)


def _submit(user: Any, scorecard: Any, followup_id: str) -> None:
    services.review_save(
        user=user,
        followup_id=followup_id,
        data=services.ReviewInput(
            scorecard_id=scorecard.pk,
            answers={c.pk: "yes" for c in scorecard.criteria.all()},
            submit=True,
        ),
    )


@pytest.mark.django_db(transaction=True)
def test_two_reviews_submitted_at_once_into_one_bucket_both_count(qa_user: Any) -> None:
    scorecard = services.scorecard_create(
        name="Calls", criteria=[services.CriterionSpec(label="Disclosure given")]
    )
    first_written, first_may_commit = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first() -> None:
        try:
            # The first submission's transaction stays open (its new bucket uncommitted)
            # while the second one writes.
            with transaction.atomic():
                _submit(qa_user, scorecard, "30001")
                first_written.set()
                first_may_commit.wait(timeout=30)
        except BaseException as error:
            failures.append(error)
            first_written.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            _submit(qa_user, scorecard, "30002")
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    first_thread, second_thread = threading.Thread(target=first), threading.Thread(target=second)
    first_thread.start()
    first_written.wait(timeout=30)
    second_thread.start()
    # Let the second reach the bucket (it waits on the first's row lock), then commit the first.
    second_thread.join(timeout=1)
    first_may_commit.set()
    first_thread.join(timeout=30)
    second_thread.join(timeout=30)

    assert failures == []
    assert list(WeekRollup.objects.values_list("reviews", "passed")) == [(2, 2)]
    assert list(CriterionWeekRollup.objects.values_list("answers", "answered")) == [(2, 2)]
