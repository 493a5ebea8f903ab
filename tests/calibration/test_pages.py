"""The calibration pages by role, through Django's test client: opening a session, answering
next to the recording, blind until the results open, the results and their audited export, the
pending sessions above the queue and the distance column of the insights."""

import csv
import html
import io
import re

import pytest
from django.urls import reverse

from calibration import services
from calibration.models import CalibrationReview, CalibrationSession, SessionState
from followups.models import AuditAction, AuditEntry
from reviews import services as review_services
from reviews.forms import ReviewInput
from tests.support.calibration import answers_of
from tests.support.pages import followup_page
from tests.support.reviews import CALL_ID, OTHER_ID

NEW_URL = reverse("calibration:new")
LIST_URL = reverse("calibration:list")


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _url(name, session, **kwargs):
    return reverse(f"calibration:{name}", kwargs={"session_id": session.pk, **kwargs})


def _review_url(session, followup_id=CALL_ID):
    return _url("review", session, followup_id=followup_id)


def _posted(scorecard, *values, comment=""):
    return {
        **{f"answer-{pk}": v for pk, v in answers_of(scorecard, *values).items()},
        "summary": comment,
        "action": "submit",
    }


# --- Opening a session -----------------------------------------------------------------------


def test_a_manager_opens_a_session_on_one_call(
    manager_client, qa_user, second_qa_user, auditor_user, scorecard
):
    page = _text(manager_client.get(NEW_URL))
    assert "qa-second" in page
    # Only users who review are offered: auditors do not.
    assert "auditor-user" not in page
    response = manager_client.post(
        NEW_URL,
        {
            "name": "Week 49",
            "scorecard": scorecard.pk,
            "followup_id": f"  {CALL_ID} ",
            "reviewers": [qa_user.pk, second_qa_user.pk],
        },
    )
    session = CalibrationSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("detail", session)
    assert [call.followup_id for call in session.calls.all()] == [CALL_ID]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"followup_id": "", "sample_size": ""}, "either one call"),
        ({"followup_id": CALL_ID, "sample_size": "2"}, "not both"),
        ({"followup_id": "../etc", "sample_size": ""}, "not a GetBill ID"),
        ({"followup_id": "", "sample_size": "500"}, "less than or equal to 20"),
        ({"followup_id": CALL_ID, "reviewers": []}, "at least 2 reviewers"),
        ({"followup_id": CALL_ID, "name": ""}, "required"),
    ],
)
def test_bad_session_input_is_a_400_with_the_reason(
    manager_client, qa_user, second_qa_user, scorecard, fields, says
):
    data = {
        "name": "Week 49",
        "scorecard": scorecard.pk,
        "reviewers": [qa_user.pk, second_qa_user.pk],
        **fields,
    }
    response = manager_client.post(NEW_URL, data)
    assert response.status_code == 400
    assert says in _text(response)
    assert not CalibrationSession.objects.exists()


def test_a_sample_of_the_queue_is_picked_from_its_calls(
    sandbox, manager_client, qa_user, second_qa_user, scorecard
):
    response = manager_client.post(
        NEW_URL,
        {
            "name": "Sample",
            "scorecard": scorecard.pk,
            "sample_size": "3",
            "reviewers": [qa_user.pk, second_qa_user.pk],
        },
    )
    assert response.status_code == 302
    picked = [call.followup_id for call in CalibrationSession.objects.get().calls.all()]
    assert len(picked) == 3
    assert len(set(picked)) == 3
    queue = _text(manager_client.get("/queue/"))
    assert set(picked) <= set(re.findall(r'<tr data-followup-id="([^"]+)">', queue))


def test_reviewers_and_auditors_may_not_open_sessions(qa_client, auditor_client, scorecard):
    for client in (qa_client, auditor_client):
        assert client.get(NEW_URL).status_code == 403
        assert client.post(NEW_URL, {"name": "x"}).status_code == 403


# --- Answering, blind ------------------------------------------------------------------------


def test_a_reviewer_answers_next_to_the_recording_and_the_queue_says_what_waits(
    sandbox, session, qa_client, qa_user
):
    queue = _text(qa_client.get("/queue/"))
    assert "Calibration waiting for you" in queue
    assert "Week 49" in queue
    detail = _text(
        followup_page(qa_client, reverse("followups:detail", kwargs={"followup_id": CALL_ID}))
    )
    assert "data-calibration-panel" in detail
    assert f'action="{_review_url(session)}"' in detail
    response = qa_client.post(_review_url(session), _posted(session.scorecard, "yes", "no", "yes"))
    assert response.status_code == 302
    assert CalibrationReview.objects.get().reviewer == qa_user
    # Done: neither the page nor the queue asks again.
    detail = _text(
        followup_page(qa_client, reverse("followups:detail", kwargs={"followup_id": CALL_ID}))
    )
    assert "data-calibration-panel" not in detail
    assert "Calibration waiting for you" not in _text(qa_client.get("/queue/"))


def test_refused_answers_come_back_on_the_form_as_given(session, qa_client):
    ids = [c.pk for c in session.scorecard.criteria.all()]
    response = qa_client.post(
        _review_url(session), {f"answer-{ids[0]}": "no", "summary": "Kept", "action": "submit"}
    )
    page = _text(response)
    assert response.status_code == 400
    assert "Answer every criterion" in page
    assert "Kept" in page
    assert 'value="no" checked' in page
    assert not CalibrationReview.objects.exists()


def test_answering_twice_is_a_409(session, qa_client):
    qa_client.post(_review_url(session), _posted(session.scorecard, "yes", "yes", "yes"))
    response = qa_client.post(_review_url(session), _posted(session.scorecard, "no", "no", "no"))
    assert response.status_code == 409
    assert CalibrationReview.objects.count() == 1


def test_someone_not_in_the_session_cannot_answer_or_see_it(session, plain_client, scorecard):
    assert plain_client.get(_url("detail", session)).status_code == 404
    response = plain_client.post(_review_url(session), _posted(scorecard, "yes", "yes", "yes"))
    assert response.status_code in (403, 404)
    assert not CalibrationReview.objects.exists()


def test_nobody_sees_answers_before_the_results_open(
    session, qa_user, qa_client, second_qa_client, manager_client, auditor_client
):
    qa_client.post(
        _review_url(session), _posted(session.scorecard, "yes", "no", "yes", comment="Secretive")
    )
    for client in (second_qa_client, manager_client, auditor_client, qa_client):
        detail = _text(client.get(_url("detail", session)))
        assert "Secretive" not in detail
        results = client.get(_url("results", session))
        assert results.status_code == 409
        assert "blind" in _text(results)
        assert client.get(_url("export", session)).status_code == 409
    # Counts only, before the results open.
    assert "1 of 1" in _text(manager_client.get(_url("detail", session)))


def test_the_results_page_and_export_once_open_are_audited(
    session, qa_client, second_qa_client, manager_client, auditor_client, manager_user
):
    manager_client.post(
        _url("reference", session, followup_id=CALL_ID),
        {f"answer-{pk}": v for pk, v in answers_of(session.scorecard, "yes", "no", "yes").items()},
    )
    qa_client.post(
        _review_url(session), _posted(session.scorecard, "yes", "no", "yes", comment="Fine")
    )
    second_qa_client.post(_review_url(session), _posted(session.scorecard, "yes", "yes", "na"))
    session.refresh_from_db()
    assert session.state == SessionState.CLOSED
    for client in (qa_client, second_qa_client, manager_client, auditor_client):
        page = _text(client.get(_url("results", session)))
        assert "Krippendorff" in page
        assert "qa-second: Not applicable" in page
        assert "Fine" in page
    assert AuditEntry.objects.filter(action=AuditAction.CALIBRATION_RESULTS).count() == 4
    page = _text(manager_client.get(_url("results", session)))
    assert "data-calibration-distances" in page
    export = manager_client.get(_url("export", session))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    body = b"".join(export.streaming_content).decode()
    assert "Balance stated,qa-second,Yes,No,yes" in body
    entry = AuditEntry.objects.filter(action=AuditAction.CALIBRATION_EXPORT).get()
    assert entry.user == manager_user


def test_a_manager_closes_a_session_early(session, qa_client, manager_client, qa_user):
    qa_client.post(_review_url(session), _posted(session.scorecard, "yes", "no", "yes"))
    response = manager_client.post(_url("close", session))
    assert response.status_code == 302
    assert qa_client.get(_url("results", session)).status_code == 200
    assert qa_client.post(_url("close", session)).status_code == 403


def test_the_list_shows_the_sessions_a_user_may_see(
    session, qa_client, manager_client, auditor_client, plain_client
):
    for client in (qa_client, manager_client, auditor_client):
        assert "Week 49" in _text(client.get(LIST_URL))
    assert "New session" in _text(manager_client.get(LIST_URL))
    assert "New session" not in _text(qa_client.get(LIST_URL))
    assert plain_client.get(LIST_URL).status_code == 403


def test_a_reviewer_outside_the_session_does_not_see_it(session, scorecard):
    from django.contrib.auth import get_user_model

    from tests.support.accounts import role_group_get, signed_in_client

    outsider = get_user_model().objects.create_user(username="qa-outsider")
    outsider.groups.set([role_group_get("QA reviewers")])
    client = signed_in_client(outsider)
    assert "Week 49" not in _text(client.get(LIST_URL))
    assert client.get(_url("detail", session)).status_code == 404


# --- Insights --------------------------------------------------------------------------------


def test_the_insights_show_the_distance_from_the_references(
    session, qa_user, second_qa_user, manager_user, manager_client, qa_client
):
    for user in (qa_user, second_qa_user):
        review_services.review_save(
            user=user,
            followup_id=OTHER_ID,
            data=ReviewInput(
                scorecard_id=session.scorecard.pk,
                answers=answers_of(session.scorecard, "yes", "yes", "yes"),
                submit=True,
            ),
        )
    page = _text(manager_client.get(reverse("insights:page")))
    assert "Distance from calibration references" in page
    assert page.count("no calibration yet") == 2
    services.calibration_references_save(
        user=manager_user,
        session_id=session.pk,
        followup_id=CALL_ID,
        answers=answers_of(session.scorecard, "yes", "no", "yes"),
    )
    qa_client.post(_review_url(session), _posted(session.scorecard, "no", "no", "yes"))
    services.calibration_session_close(user=manager_user, session_id=session.pk)
    page = _text(manager_client.get(reverse("insights:page")))
    assert "33.3 % of 3 answers differ" in page
    assert page.count("no calibration yet") == 1
    # A reviewer sees their own row only, with their distance.
    own = _text(qa_client.get(reverse("insights:page")))
    assert "33.3 % of 3 answers differ" in own
    assert "qa-second" not in own
    # The per-reviewer CSV has the same column, as a plain figure.
    export = manager_client.get(reverse("insights:export", kwargs={"chart": "reviewers"}))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][-1] == "calibration_answers_differing_percent"
    distances = {row[0]: row[-1] for row in rows[1:]}
    assert distances == {"qa-user": "33.3", "qa-second": ""}


def test_a_followup_id_that_is_not_one_is_a_400_page(session, qa_client):
    response = qa_client.post(
        _review_url(session, followup_id="x.y"), _posted(session.scorecard, "yes", "yes", "yes")
    )
    assert response.status_code == 400
    assert "data-calibration-form" not in _text(response)
    assert not CalibrationReview.objects.exists()
