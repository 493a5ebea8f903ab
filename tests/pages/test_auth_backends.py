"""Permissions read in one query, with Django's rules."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followups.auth_backends import OneQueryModelBackend

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
