"""Permissions read in one query, with Django's rules; sessions from before the backend moved."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.module_loading import import_string

from dashboard.auth_backends import OneQueryModelBackend
from tests.support.accounts import ROLE_USER_PASSWORD

pytestmark = pytest.mark.django_db


def _fresh(user: Any) -> Any:
    # A user as a request loads it: nothing read about its permissions yet.
    return get_user_model().objects.get(pk=user.pk)


def _permissions(backend: ModelBackend, user: Any) -> set[str]:
    return backend.get_all_permissions(_fresh(user))


@pytest.mark.parametrize("role", ["manager_user", "qa_user", "auditor_user"])
def test_a_roles_permissions_are_djangos_in_one_query(request: pytest.FixtureRequest, role: str):
    user = request.getfixturevalue(role)
    user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    fresh = _fresh(user)
    with CaptureQueriesContext(connection) as queries:
        ours = OneQueryModelBackend().get_all_permissions(fresh)
        assert OneQueryModelBackend().has_perm(fresh, next(iter(ours)))
    assert len(queries.captured_queries) == 1
    assert ours == _permissions(ModelBackend(), user)
    assert "followups.view_auditentry" in ours


def test_a_superuser_holds_every_permission():
    admin = get_user_model().objects.create_superuser(username="root", password=None)
    assert _permissions(OneQueryModelBackend(), admin) == _permissions(ModelBackend(), admin)
    assert len(_permissions(OneQueryModelBackend(), admin)) == Permission.objects.count()


def test_an_inactive_user_holds_none(manager_user: Any):
    manager_user.is_active = False
    manager_user.save()
    assert _permissions(OneQueryModelBackend(), manager_user) == set()
    assert not OneQueryModelBackend().has_perm(_fresh(manager_user), "followups.view_followup_data")


def test_a_user_with_neither_own_nor_group_permissions_holds_none():
    nobody = get_user_model().objects.create_user(username="nobody", password=None)
    assert _permissions(OneQueryModelBackend(), nobody) == set()


# Sessions name the backend that signed their user in; the backend's former dotted path
# (followups.auth_backends) keeps the sessions made before it moved.
FORMER_BACKEND = "followups.auth_backends.OneQueryModelBackend"


def test_a_session_naming_the_backends_former_path_stays_signed_in(manager_user: Any):
    client = Client()
    client.force_login(manager_user, backend=FORMER_BACKEND)
    assert client.session[BACKEND_SESSION_KEY] == FORMER_BACKEND
    response = client.get(reverse("followups:search"))
    assert response.status_code == 200
    assert response.wsgi_request.user == manager_user


def test_a_sign_in_names_the_backends_path_in_dashboard(manager_user: Any):
    client = Client()
    response = client.post(
        reverse("login"), {"username": manager_user.username, "password": ROLE_USER_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "dashboard.auth_backends.OneQueryModelBackend"


def test_the_backends_former_path_signs_nobody_in(manager_user: Any):
    former = import_string(FORMER_BACKEND)()
    credentials = {"username": manager_user.username, "password": ROLE_USER_PASSWORD}
    assert OneQueryModelBackend().authenticate(None, **credentials) == manager_user
    assert former.authenticate(None, **credentials) is None
    assert async_to_sync(former.aauthenticate)(None, **credentials) is None


def test_permissions_from_several_groups_and_the_users_own_are_read_once_each():
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username="both", password=None)
    first, second = Group.objects.create(name="First"), Group.objects.create(name="Second")
    shared = Permission.objects.get(codename="view_auditentry")
    first.permissions.add(shared, Permission.objects.get(codename="view_followup_data"))
    second.permissions.add(shared, Permission.objects.get(codename="listen_recording"))
    user.groups.add(first, second)
    user.user_permissions.add(shared, Permission.objects.get(codename="view_full_phone"))
    ours = _permissions(OneQueryModelBackend(), user)
    assert ours == _permissions(ModelBackend(), user)
    assert len(ours) == 4
    # Another user's groups and permissions are not this user's.
    assert _permissions(OneQueryModelBackend(), get_user_model().objects.create_user("x")) == set()


@pytest.mark.parametrize("role", ["manager_user", "qa_user", "auditor_user"])
def test_a_signed_in_requests_user_comes_with_its_permissions_in_one_query(
    request: pytest.FixtureRequest, role: str
):
    user = request.getfixturevalue(role)
    user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    with CaptureQueriesContext(connection) as queries:
        loaded = OneQueryModelBackend().get_user(str(user.pk))
        ours = OneQueryModelBackend().get_all_permissions(loaded)
    assert len(queries.captured_queries) == 1
    assert ours == _permissions(ModelBackend(), user)
    expected = ModelBackend().get_user(user.pk)
    for field in get_user_model()._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
        assert type(getattr(loaded, field.attname)) is type(getattr(expected, field.attname))


def test_a_user_loaded_with_no_permissions_holds_none_and_a_superuser_all():
    nobody = get_user_model().objects.create_user(username="nobody", password=None)
    admin = get_user_model().objects.create_superuser(username="root", password=None)
    backend = OneQueryModelBackend()
    assert backend.get_all_permissions(backend.get_user(nobody.pk)) == set()
    assert backend.get_all_permissions(backend.get_user(admin.pk)) == _permissions(
        ModelBackend(), admin
    )


@pytest.mark.parametrize("user_id", ["", "abc", "99999", None, "1; DROP TABLE auth_user"])
def test_no_user_for_an_id_that_names_none(user_id: Any):
    assert OneQueryModelBackend().get_user(user_id) is None


def test_an_inactive_user_is_not_loaded(manager_user: Any):
    manager_user.is_active = False
    manager_user.save()
    assert OneQueryModelBackend().get_user(manager_user.pk) is None
