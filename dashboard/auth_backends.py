"""Django's ModelBackend, reading a user's permissions in one query instead of two.

Every signed-in page checks permissions (before any lookup, and again for what the role may
see), and Django's backend reads them with two queries on a request's first check: the
user's own permissions, then their groups'. Here one query reads both; the rules are Django's
(inactive users hold none, superusers hold all), and the result is kept on the user object for
the rest of the request in the same attribute, so Django's other checks use it too.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class OneQueryModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.order_by()
                .values_list("content_type__app_label", "codename")
                .distinct()
            }
        return user_obj._perm_cache
