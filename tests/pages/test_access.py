"""Roles: what each one sees of the same followup, and what is refused before GetBill is asked."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from followups import access, presentation, services
from followups.access import phone_mask
from followups.getbill import getbill_id_clean
from followups.models import AuditEntry
from sandbox.data import EXAMPLES, SANDBOX_FOLLOWUPS
from tests.support.html import html_attribute, html_find, html_one

CALL_ID = EXAMPLES["call_deal_found"]
CALL = next(r for r in SANDBOX_FOLLOWUPS if r["id"] == CALL_ID)
PHONE = str(CALL["phone_number_used"])
PHONE_SHOWN = str(presentation.phone_format(number=PHONE))


def _page(client: Client, followup_id: str = CALL_ID) -> tuple[int, str]:
    response = client.get(reverse("followups:detail", kwargs={"followup_id": followup_id}))
    return response.status_code, html.unescape(response.content.decode())


@pytest.fixture
def upstream_forbidden(fake_getbill):
    """Every request to GetBill, followup or debt, fails the test: the fake knows nothing."""
    return fake_getbill


@pytest.mark.django_db
def test_roles_migration_creates_the_groups_with_their_permissions():
    def codenames(name: str) -> set[str]:
        permissions = Group.objects.get(name=name).permissions.filter(
            content_type__app_label="followups"
        )
        return set(permissions.values_list("codename", flat=True))

    assert codenames("Collections managers") == {
        "view_followup_data",
        "listen_recording",
        "view_full_phone",
        "view_debtor_name",
    }
    assert codenames("QA reviewers") == {"view_followup_data", "listen_recording"}
    assert codenames("Auditors") == {"view_auditentry"}


def test_role_fixtures_hold_the_expected_permissions(
    manager_user, qa_user, auditor_user, plain_user
):
    everything = [
        access.PERM_VIEW_FOLLOWUP_DATA,
        access.PERM_LISTEN_RECORDING,
        access.PERM_VIEW_FULL_PHONE,
        access.PERM_VIEW_AUDIT,
    ]
    held = {
        user.username: [perm for perm in everything if user.has_perm(perm)]
        for user in (manager_user, qa_user, auditor_user, plain_user)
    }
    assert held == {
        "manager-user": everything[:3],
        "qa-user": everything[:2],
        "auditor-user": [access.PERM_VIEW_AUDIT],
        "plain-user": [],
    }
    assert auditor_user.is_staff
    assert not manager_user.is_staff


def test_manager_sees_full_phone_and_the_recording(sandbox, manager_client):
    status, body = _page(manager_client)
    assert status == 200
    assert PHONE_SHOWN in body
    audio = html_one(body, "audio", preload="metadata")
    assert html_attribute(audio, "src") == f"/followups/{CALL_ID}/recording/audio"
    # The signed link itself stays on the server.
    assert "X-Amz-Signature=" not in body


def test_qa_reviewer_hears_the_recording_but_sees_the_phone_masked(sandbox, qa_client):
    status, body = _page(qa_client)
    assert status == 200
    assert phone_mask(number=PHONE) in body
    assert phone_mask(number=PHONE).endswith(PHONE[-3:])
    digits = PHONE.lstrip("+")
    assert digits not in body.replace(" ", "")
    assert PHONE_SHOWN not in body
    assert f"/followups/{CALL_ID}/recording/audio" in body


NO_ROLE_NOTICE = (
    "Your account has no role that lets you look up followups. Ask an administrator to add "
    "you to Collections managers or QA reviewers."
)


# Marked: clients fetched by name are not seen when pytest-django orders the database tests.
@pytest.mark.django_db
@pytest.mark.parametrize("client_fixture", ["plain_client", "auditor_client"])
def test_without_view_permission_the_search_page_says_so_instead_of_a_box(request, client_fixture):
    body = request.getfixturevalue(client_fixture).get("/").content.decode()
    assert NO_ROLE_NOTICE in body
    assert 'name="q"' not in body
    assert "Recently viewed" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("client_fixture", ["manager_client", "qa_client"])
def test_with_view_permission_the_search_page_has_its_box(request, client_fixture):
    body = request.getfixturevalue(client_fixture).get("/").content.decode()
    assert NO_ROLE_NOTICE not in body
    assert html_find(body, "input", id="q", name="q")


AUDIT_LINK = '<a href="/admin/followups/auditentry/">Audit trail</a>'


def test_auditors_have_an_audit_trail_link_in_the_header(auditor_client, admin_client):
    assert AUDIT_LINK in auditor_client.get("/").content.decode()
    assert AUDIT_LINK in admin_client.get("/").content.decode()


def test_no_audit_trail_link_without_the_permission_or_staff(manager_user, auditor_user):
    manager_user.is_staff = True
    manager_user.save()
    auditor_user.is_staff = False
    auditor_user.save()
    for user in (manager_user, auditor_user):
        client = Client()
        client.force_login(user)
        assert "Audit trail" not in client.get("/").content.decode()


@pytest.mark.parametrize("client_fixture", ["plain_client", "auditor_client"])
def test_without_view_permission_lookup_is_403_and_getbill_is_not_asked(
    request, client_fixture, upstream_forbidden
):
    client = request.getfixturevalue(client_fixture)
    status, body = _page(client)
    assert status == 403
    assert "not allowed" in body
    assert CALL["summary"] not in body
    # The search box still answers, and a pasted link leads to the same refusal.
    follow = client.get(reverse("followups:lookup"), {"q": CALL_ID}, follow=True)
    assert follow.status_code == 403
    entry = AuditEntry.objects.filter(followup_id=CALL_ID).first()
    assert entry is not None
    assert (entry.action, entry.outcome) == ("lookup", "denied")


def test_without_listen_permission_the_page_holds_no_recording_url(sandbox, db):
    user = get_user_model().objects.create_user(username="reader", password="pw-reader-123")
    user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    client = Client()
    client.force_login(user)
    status, body = _page(client)
    assert status == 200
    assert CALL["summary"] in body
    for trace in ("X-Amz", "/sandbox/media/", ".mp3", "<audio", "/recording/audio"):
        assert trace not in body, trace
    assert "Listening to recordings is for collections managers and QA reviewers." in body
    # Nor phone numbers in full: that is a separate permission.
    assert PHONE_SHOWN not in body


def test_without_listen_permission_no_answer_holds_a_recording_url(sandbox, db):
    """Every page and fragment a reader can get about a followup with a recording: the page by
    htmx too, the debt's page and side panel, the player's renewal and play report, headers
    included."""
    user = get_user_model().objects.create_user(username="reader", password="pw-reader-123")
    user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    client = Client()
    client.force_login(user)
    debt_id = str(CALL["debt_id"])
    htmx = {"HX-Request": "true", "HX-Target": "main"}
    answers = {
        "page": client.get(reverse("followups:detail", kwargs={"followup_id": CALL_ID})),
        "htmx lookup": client.get(reverse("followups:lookup"), {"q": CALL_ID}, headers=htmx),
        "debt page": client.get(
            reverse("followups:debt_followups", kwargs={"debt_id": debt_id}), {"current": CALL_ID}
        ),
        "debt panel": client.get(
            reverse("followups:debt_timeline", kwargs={"debt_id": debt_id}),
            {"current": CALL_ID},
            headers={"HX-Request": "true"},
        ),
        "renewal": client.get(
            reverse("followups:recording", kwargs={"followup_id": CALL_ID}),
            headers={"HX-Request": "true"},
        ),
        "play report": client.post(
            reverse("followups:recording_played", kwargs={"followup_id": CALL_ID})
        ),
    }
    assert {name: r.status_code for name, r in answers.items()} == {
        "page": 200,
        "htmx lookup": 200,
        "debt page": 200,
        "debt panel": 200,
        "renewal": 403,
        "play report": 403,
    }
    assert CALL_ID in answers["debt panel"].content.decode()
    for name, response in answers.items():
        text = html.unescape(response.content.decode()) + repr(sorted(response.items()))
        for trace in ("X-Amz", "/sandbox/media/", ".mp3", "<audio", "/recording/audio"):
            assert trace not in text, (name, trace)


def test_restriction_happens_before_any_template(followup_make, qa_user, plain_user):
    followup = followup_make(audio_url="https://s3.amazonaws.com/b/x.mp3?X-Amz-Signature=abc")
    for_qa = access.followup_restrict(user=qa_user, followup=followup)
    assert for_qa.audio_url == followup.audio_url
    assert for_qa.phone_number_used == "+••••••••456"
    for_nobody = access.followup_restrict(user=plain_user, followup=followup)
    assert for_nobody.audio_url is None


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+33800123456", "+••••••••456"),
        ("+33 1 99 00 41 27", "+•• • •• •• •1 27"),
        ("12", "12"),
        ("", ""),
    ],
)
def test_phone_mask_keeps_the_last_three_digits(number, masked):
    assert phone_mask(number=number) == masked


def test_inactive_user_has_no_access(manager_user):
    manager_user.is_active = False
    assert not access.user_may(user=manager_user, permissions=[access.PERM_VIEW_FOLLOWUP_DATA])


def test_superuser_keeps_every_permission(sandbox, admin_client):
    status, body = _page(admin_client)
    assert status == 200
    assert PHONE_SHOWN in body


def test_recording_played_needs_listen_permission(manager_client, qa_client, plain_client):
    url = reverse("followups:recording_played", kwargs={"followup_id": CALL_ID})
    assert manager_client.post(url).status_code == 204
    assert qa_client.post(url).status_code == 204
    assert plain_client.post(url).status_code == 403
    assert manager_client.get(url).status_code == 405
    assert manager_client.post(url.replace(CALL_ID, "bad%20id")).status_code == 400
    outcomes = list(
        AuditEntry.objects.filter(action="recording_play")
        .order_by("id")
        .values_list("username", "outcome")
    )
    assert outcomes == [
        ("manager-user", "shown"),
        ("qa-user", "shown"),
        ("plain-user", "denied"),
        ("manager-user", "rejected_input"),
    ]


def test_recording_refresh_needs_listen_permission(db, upstream_forbidden):
    user = get_user_model().objects.create_user(username="reader", password="pw-reader-123")
    user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    with pytest.raises(access.PermissionMissingError):
        services.followup_recording_refresh(user=user, followup_id=getbill_id_clean(raw=CALL_ID))
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.outcome) == ("recording_url_refresh", "denied")


HTMX = {"HX-Request": "true"}


def test_fresh_recording_link_by_role(sandbox, manager_client, qa_client, plain_client, db):
    url = reverse("followups:recording", kwargs={"followup_id": CALL_ID})
    for client in (manager_client, qa_client):
        response = client.get(url, headers=HTMX)
        assert response.status_code == 200
        assert "X-Amz-Signature=" in response.content.decode()
    refused = plain_client.get(url, headers=HTMX)
    assert refused.status_code == 403
    assert "X-Amz" not in refused.content.decode()


def test_fresh_recording_link_without_listen_is_refused_before_getbill(db, upstream_forbidden):
    user = get_user_model().objects.create_user(username="reader", password="pw-reader-123")
    user.user_permissions.add(Permission.objects.get(codename="view_followup_data"))
    client = Client()
    client.force_login(user)
    url = reverse("followups:recording", kwargs={"followup_id": CALL_ID})
    response = client.get(url, headers=HTMX)
    assert response.status_code == 403
    assert list(AuditEntry.objects.values_list("action", "outcome")) == [
        ("recording_url_refresh", "denied")
    ]
