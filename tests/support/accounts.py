"""Users in the groups the roles migration creates (followups/migrations/0003_roles.py), and
signed-in test clients for them."""

import importlib
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client

ROLE_GROUPS: dict[str, list[str]] = {
    "manager": ["Collections managers"],
    "qa": ["QA reviewers"],
    "auditor": ["Auditors"],
    "plain": [],
}
ROLE_USER_PASSWORD = "pw-role-user-1"


def role_user_make(role: str) -> Any:
    # Auditors read the trail in the admin, which needs staff status.
    user = get_user_model().objects.create_user(
        username=f"{role}-user", password=ROLE_USER_PASSWORD, is_staff=role == "auditor"
    )
    user.groups.set([role_group_get(name) for name in ROLE_GROUPS[role]])
    return user


# The migrations that give the roles their permissions: (module, constant, app label).
_ROLE_MIGRATIONS = (
    ("followups.migrations.0003_roles", "ROLES", "followups"),
    ("followups.migrations.0008_debtor_name_and_list_audit", "ROLE_ADDITIONS", "followups"),
    ("reviews.migrations.0002_review_roles", "ROLES", "reviews"),
    ("calibration.migrations.0002_calibration_roles", "ROLES", "calibration"),
)


def role_group_get(name: str) -> Any:
    """The role's group as the migrations made it; made again if a browser test's flush of the
    database (transactional tests) removed it."""
    group, created = Group.objects.get_or_create(name=name)
    if created:
        for module, constant, app_label in _ROLE_MIGRATIONS:
            codenames = getattr(importlib.import_module(module), constant).get(name, [])
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
    return group


def signed_in_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
