"""A tracker changed in the admin has every transcript checked again, by a job."""

import io
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from search.models import SegmentEntry
from tests.support.transcripts import transcript_make
from trackers.models import Tracker

pytestmark = pytest.mark.django_db


def _recheck_jobs() -> int:
    return DBTaskResult.objects.filter(task_path="trackers.tasks.trackers_recheck").count()


def test_saving_in_the_admin_queues_the_recheck(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/trackers/tracker/add/",
            {"name": "Lawyer", "kind": "signal", "phrases": "lawyer\nattorney", "speaker": ""},
        )
    assert response.status_code == 302
    assert Tracker.objects.get().phrases == ["lawyer", "attorney"]
    assert _recheck_jobs() == 1


def test_a_pattern_in_the_admin_is_refused(admin_client: Any) -> None:
    response = admin_client.post(
        "/admin/trackers/tracker/add/",
        {"name": "Regex", "kind": "signal", "phrases": "law(yer)?", "speaker": ""},
    )
    assert response.status_code == 200
    assert "looks like a pattern" in response.content.decode()
    assert not Tracker.objects.exists()


def test_search_reindex_indexes_finished_transcripts() -> None:
    transcript_make("fu-1")
    call_command("search_reindex", stdout=io.StringIO())
    assert SegmentEntry.objects.count() == 5
