"""The review pages by role, through Django's test client: plain forms that post and redirect,
htmx panels, refusals with their status codes, and the detail page's panels."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from followups.models import AuditAction, AuditEntry, AuditOutcome
from followups.moments import MOMENT_MAX_LENGTH
from reviews import forms, services
from reviews.models import COMMENT_MAX_LENGTH, Comment, Review, ReviewStatus
from tests.support.html import html_attribute, html_one
from tests.support.pages import followup_page
from tests.support.reviews import CALL_DURATION_MS, CALL_ID, answers_all

COMMENTS_URL = reverse("reviews:comments", kwargs={"followup_id": CALL_ID})
REVIEW_URL = reverse("reviews:review", kwargs={"followup_id": CALL_ID})
DETAIL_URL = reverse("followups:detail", kwargs={"followup_id": CALL_ID})
END = forms.recording_end_token(followup_id=CALL_ID, duration_ms=CALL_DURATION_MS)


def _htmx(target: str) -> dict[str, str]:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target}


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _review_post(scorecard, value="yes", action="submit", **extra):
    data = {f"answer-{pk}": v for pk, v in answers_all(scorecard, value).items()}
    return {"scorecard": scorecard.pk, "summary": "Fine", "action": action, **data, **extra}


# --- Comments --------------------------------------------------------------------------------


def test_a_comment_without_javascript_posts_and_redirects_to_its_moment(qa_client, qa_user):
    response = qa_client.post(
        COMMENTS_URL, {"at": "0:42", "text": "Offer made", "recording_end": END}
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{DETAIL_URL}?t=42#comment-{comment.pk}"
    assert (comment.author, comment.at_seconds) == (qa_user, 42)


def test_a_comment_with_htmx_answers_the_panel_in_time_order(qa_client):
    for at, text in (("30", "Later"), ("0:05", "Sooner")):
        response = qa_client.post(
            COMMENTS_URL, {"at": at, "text": text, "recording_end": END}, **_htmx("comments")
        )
        assert response.status_code == 200
    body = _text(response)
    assert body.lstrip().startswith("<section")
    assert body.index("Sooner") < body.index("Later")
    assert 'data-comment-moment="5"' in body
    assert 'data-seek="30"' in body
    assert f'value="{END}"' in body  # the next comment is checked against the end too


def test_the_comment_fields_take_what_the_server_accepts(qa_user, qa_client):
    comment = services.comment_add(
        user=qa_user, followup_id=CALL_ID, data=services.CommentInput(at="5", text="Mine")
    )
    edit_url = reverse(
        "reviews:comment_edit", kwargs={"followup_id": CALL_ID, "comment_id": comment.pk}
    )
    pages = [
        qa_client.get(COMMENTS_URL, {"recording_end": END}, **_htmx("comments")),
        qa_client.get(edit_url),
        qa_client.get(edit_url, **_htmx(f"comment-{comment.pk}")),
    ]
    for page in pages:
        body = _text(page)
        for name in ("at", "end"):
            field = html_one(body, "input", name=name)
            assert html_attribute(field, "maxlength") == str(MOMENT_MAX_LENGTH)
        text = html_one(body, "textarea", name="text")
        assert html_attribute(text, "maxlength") == str(COMMENT_MAX_LENGTH)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"at": "-0:01", "text": "x"}, "before the start"),
        ({"at": "0:58", "text": "x"}, "past the end of the recording"),
        ({"at": "0:10", "text": ""}, "Write the comment"),
        ({"at": "0:10", "text": "y" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_comments_get_a_clear_400_and_nothing_is_saved(qa_client, data, says):
    data = {**data, "recording_end": END}
    plain = qa_client.post(COMMENTS_URL, data)
    swapped = qa_client.post(COMMENTS_URL, data, **_htmx("comments"))
    for response in (plain, swapped):
        assert response.status_code == 400
        assert says in _text(response)
    assert "data-comment-form" in _text(swapped)
    assert not Comment.objects.exists()


def test_someone_elses_comment_cannot_be_edited_or_deleted(qa_user, manager_client):
    comment = services.comment_add(
        user=qa_user,
        followup_id=CALL_ID,
        data=services.CommentInput(at="5", text="Mine"),
    )
    kwargs = {"followup_id": CALL_ID, "comment_id": comment.pk}
    edit_url = reverse("reviews:comment_edit", kwargs=kwargs)
    assert manager_client.get(edit_url).status_code == 403
    assert manager_client.post(edit_url, {"at": "6", "text": "Theirs"}).status_code == 403
    delete = manager_client.post(reverse("reviews:comment_delete", kwargs=kwargs))
    assert delete.status_code == 403
    assert "not yours" in _text(delete)
    comment.refresh_from_db()
    assert comment.text == "Mine"


def test_the_author_edits_inline_and_deletes(qa_user, qa_client):
    comment = services.comment_add(
        user=qa_user, followup_id=CALL_ID, data=services.CommentInput(at="5", text="Typo")
    )
    kwargs = {"followup_id": CALL_ID, "comment_id": comment.pk}
    edit_url = reverse("reviews:comment_edit", kwargs=kwargs)
    page = qa_client.get(edit_url)
    assert page.status_code == 200
    assert "<html" in _text(page)
    assert "Typo" in _text(page)
    inline = qa_client.get(edit_url, {"recording_end": END}, **_htmx(f"comment-{comment.pk}"))
    assert (
        _text(inline)
        .lstrip()
        .startswith(f'<li class="comment comment-editing" id="comment-{comment.pk}"')
    )
    assert f'value="{END}"' in _text(inline)
    refused = qa_client.post(
        edit_url,
        {"at": "0:58", "text": "Late", "recording_end": END},
        **_htmx(f"comment-{comment.pk}"),
    )
    assert refused.status_code == 400
    assert _text(refused).lstrip().startswith('<li class="comment comment-editing"')
    assert "past the end" in _text(refused)
    in_place = qa_client.post(
        edit_url,
        {"at": "0:06", "text": "Fixed", "recording_end": END},
        **_htmx(f"comment-{comment.pk}"),
    )
    assert in_place.status_code == 200
    assert in_place["HX-Retarget"] == "#comments"
    assert 'data-comment-moment="6"' in _text(in_place)
    saved = qa_client.post(edit_url, {"at": "0:07", "text": "Fixed"})
    assert saved.status_code == 302
    comment.refresh_from_db()
    assert (comment.at_seconds, comment.text) == (7, "Fixed")
    gone = qa_client.post(reverse("reviews:comment_delete", kwargs=kwargs), **_htmx("comments"))
    assert gone.status_code == 200
    assert "No comments yet" in _text(gone)
    assert not Comment.objects.exists()


def test_roles_without_the_review_permission_cannot_comment(auditor_client, plain_client):
    for client in (auditor_client, plain_client):
        response = client.post(COMMENTS_URL, {"at": "1", "text": "x"})
        assert response.status_code == 403
    assert not Comment.objects.exists()
    assert AuditEntry.objects.filter(outcome=AuditOutcome.DENIED).count() == 2


def test_a_missing_csrf_token_is_refused(qa_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(qa_user)
    assert client.post(COMMENTS_URL, {"at": "1", "text": "x"}).status_code == 403
    assert not Comment.objects.exists()


def test_a_bad_followup_id_is_a_400(qa_client):
    url = reverse("reviews:comments", kwargs={"followup_id": "not an id!"})
    response = qa_client.post(url, {"at": "1", "text": "x"})
    assert response.status_code == 400
    assert "not a followup ID" in _text(response)


# --- A followup's review ---------------------------------------------------------------------


def test_the_review_page_saves_a_draft_then_submits_without_javascript(qa_client, scorecard):
    page = qa_client.get(REVIEW_URL)
    assert page.status_code == 200
    for criterion in scorecard.criteria.all():
        assert f'name="answer-{criterion.pk}"' in _text(page)
    draft = qa_client.post(REVIEW_URL, _review_post(scorecard, action="save"))
    assert draft.status_code == 302
    assert draft["Location"] == REVIEW_URL
    assert Review.objects.get().status == ReviewStatus.DRAFT
    submitted = qa_client.post(REVIEW_URL, _review_post(scorecard))
    assert submitted.status_code == 302
    review = Review.objects.get()
    assert (review.status, review.verdict, review.score) == ("submitted", "pass", 100)
    shown = _text(qa_client.get(REVIEW_URL))
    assert "read-only" in shown
    assert 'type="radio"' not in shown
    again = qa_client.post(REVIEW_URL, _review_post(scorecard, value="no"))
    assert again.status_code == 409
    assert "submitted already" in _text(again)


def test_the_review_panel_with_htmx_is_swapped_alone(qa_client, scorecard):
    response = qa_client.post(REVIEW_URL, _review_post(scorecard), **_htmx("review-panel"))
    assert response.status_code == 200
    body = _text(response)
    assert body.lstrip().startswith("<section")
    assert "Score 100.0%" in body
    assert "Pass" in body


def test_answers_to_another_scorecard_version_are_refused(qa_client, scorecard):
    qa_client.post(REVIEW_URL, _review_post(scorecard, action="save"))
    other = services.scorecard_create(name="Other", criteria=[services.CriterionSpec(label="Q")])
    response = qa_client.post(
        REVIEW_URL, {**_review_post(scorecard), f"answer-{other.criteria.get().pk}": "yes"}
    )
    assert response.status_code == 400
    assert "not in this version" in _text(response)
    assert Review.objects.get().status == ReviewStatus.DRAFT


def test_malformed_answer_fields_are_a_400(qa_client, scorecard):
    response = qa_client.post(REVIEW_URL, {**_review_post(scorecard), "answer-x1": "yes"})
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_review_pages_need_the_review_permission(auditor_client, plain_client, scorecard):
    for client in (auditor_client, plain_client):
        assert client.get(REVIEW_URL).status_code == 403
        assert client.post(REVIEW_URL, _review_post(scorecard)).status_code == 403
    assert not Review.objects.exists()


# --- All reviews -----------------------------------------------------------------------------


@pytest.fixture
def two_reviews(qa_user, manager_user, scorecard):
    mine = services.review_save(
        user=qa_user,
        followup_id=CALL_ID,
        data=services.ReviewInput(
            scorecard_id=scorecard.pk,
            answers=answers_all(scorecard, "yes"),
            submit=True,
            summary='=HYPERLINK("http://example.invalid")',
        ),
    )
    theirs = services.review_save(
        user=manager_user,
        followup_id=CALL_ID,
        data=services.ReviewInput(
            scorecard_id=scorecard.pk, answers=answers_all(scorecard, "no"), submit=True
        ),
    )
    return mine, theirs


def _review_links(body: str) -> set[str]:
    return set(re.findall(r'href="/reviews/([0-9]+)/"', body))


def test_the_list_shows_reviewers_their_own_and_managers_everyones(
    qa_client, manager_client, auditor_client, plain_client, two_reviews
):
    mine, theirs = two_reviews
    assert _review_links(_text(qa_client.get("/reviews/"))) == {str(mine.pk)}
    for client in (manager_client, auditor_client):
        assert _review_links(_text(client.get("/reviews/"))) == {str(mine.pk), str(theirs.pk)}
    assert plain_client.get("/reviews/").status_code == 403
    assert qa_client.get(f"/reviews/{theirs.pk}/").status_code == 404
    assert manager_client.get(f"/reviews/{mine.pk}/").status_code == 200


def test_the_list_filters_and_counts(manager_client, manager_user, two_reviews):
    body = _text(manager_client.get("/reviews/", {"verdict": "fail"}))
    assert _review_links(body) == {str(two_reviews[1].pk)}
    counts = _text(manager_client.get("/reviews/"))
    table = counts.split("data-review-counts", 1)[1].split("</table>", 1)[0]
    assert re.search(
        r"<td>manager-user</td><td>0</td><td>0</td><td>1</td><td>0</td><td>1</td>", table
    )
    assert re.search(r"<td>qa-user</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td>", table)
    mine = _text(manager_client.get("/reviews/", {"reviewer": manager_user.pk}))
    assert _review_links(mine) == {str(two_reviews[1].pk)}


def test_bad_filters_are_a_400_with_the_reason(manager_client, two_reviews):
    for query in (
        {"verdict": "great"},
        {"submitted_from": "yesterday"},
        {"submitted_from": "2026-02-02", "submitted_to": "2026-01-01"},
    ):
        response = manager_client.get("/reviews/", query)
        assert response.status_code == 400
        assert 'class="field-error"' in _text(response)
        assert manager_client.get("/reviews/export.csv", query).status_code == 400


def test_the_csv_exports_the_selection_safe_from_formulas(manager_client, two_reviews):
    mine, _ = two_reviews
    response = manager_client.get("/reviews/export.csv", {"verdict": "pass"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("review_id,followup_id,reviewer,scorecard")
    assert len(lines) == 2
    assert lines[1].startswith(f"{mine.pk},{CALL_ID},qa-user,Calls,1,submitted,100.0,pass,")
    assert "Disclosure given: Yes; Balance stated: Yes; Wrapped up: Yes" in lines[1]
    assert '"\'=HYPERLINK(""http://example.invalid"")"' in lines[1]
    entry = AuditEntry.objects.filter(action=AuditAction.REVIEWS_EXPORT).get()
    assert entry.detail == "1 reviews"


def test_the_csv_of_a_reviewer_holds_only_their_reviews(qa_client, two_reviews):
    lines = b"".join(qa_client.get("/reviews/export.csv").streaming_content).decode().splitlines()
    assert len(lines) == 2
    assert ",qa-user," in lines[1]


def test_a_manager_reopens_a_review_and_the_reviewer_may_change_it(
    qa_client, manager_client, two_reviews, scorecard
):
    mine, _ = two_reviews
    assert qa_client.post(f"/reviews/{mine.pk}/reopen/").status_code == 403
    page = _text(manager_client.get(f"/reviews/{mine.pk}/"))
    assert "Reopen for the reviewer" in page
    assert manager_client.post(f"/reviews/{mine.pk}/reopen/").status_code == 302
    assert qa_client.post(REVIEW_URL, _review_post(scorecard, value="no")).status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.verdict) == ("submitted", "fail")


# --- The detail page -------------------------------------------------------------------------


def test_the_detail_page_holds_the_panels_for_reviewers_only(
    sandbox, qa_client, qa_user, manager_client, scorecard
):
    services.comment_add(
        user=qa_user, followup_id=CALL_ID, data=services.CommentInput(at="12", text="Greeting")
    )
    body = _text(followup_page(qa_client, DETAIL_URL))
    assert 'id="comments"' in body
    assert 'id="review-panel"' in body
    assert 'data-comment-moment="12"' in body
    assert "Greeting" in body
    found = re.search(r'name="recording_end" value="([^"]+)"', body)
    assert found
    token = found.group(1)
    refused = qa_client.post(COMMENTS_URL, {"at": "0:58", "text": "x", "recording_end": token})
    assert refused.status_code == 400
    # A manager sees the reviewer's comment but may not change it.
    manager_body = _text(followup_page(manager_client, DETAIL_URL))
    assert "Greeting" in manager_body
    assert "comment_edit" not in manager_body
    assert "/edit/" not in manager_body


def test_the_detail_page_has_no_panels_without_a_review_role(sandbox, admin_user, client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    viewer = get_user_model().objects.create_user(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    client.force_login(viewer)
    body = _text(followup_page(client, DETAIL_URL))
    assert "Followup" in body
    assert 'id="comments"' not in body


def test_an_email_gets_the_review_but_no_comments_on_moments(sandbox, qa_client, scorecard):
    from sandbox.data import EXAMPLES

    url = reverse("followups:detail", kwargs={"followup_id": EXAMPLES["email_many_opens"]})
    body = _text(followup_page(qa_client, url))
    assert 'id="review-panel"' in body
    assert 'id="comments"' not in body


def test_a_review_keeps_the_type_of_the_call_the_page_fetched(sandbox, qa_client, scorecard):
    body = _text(followup_page(qa_client, DETAIL_URL))
    found = re.search(r'name="call_type" value="([^"]+)"', body)
    assert found
    qa_client.post(REVIEW_URL, _review_post(scorecard, call_type=found.group(1)))
    assert Review.objects.get().call_type == "call"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "forged",
        forms.call_type_token(followup_id="someone-else", call_type="email"),
    ],
)
def test_a_review_without_a_signed_type_of_its_own_call_has_none(qa_client, scorecard, token):
    qa_client.post(REVIEW_URL, _review_post(scorecard, call_type=token))
    assert Review.objects.get().call_type is None
