"""Django's ModelBackend, reading a user's permissions in one plain statement instead of two
ORM queries, and a signed-in request's user together with them.

Every signed-in page checks permissions (before any lookup, and again for what the role may
see), and Django's backend reads them with two queries on a request's first check: the
user's own permissions, then their groups'. Here one statement reads both. It is written as SQL
because building the equivalent queryset (two joins, a union, `values_list`) cost ten times
more CPU than running it, on every page. The rules are Django's (inactive users hold none,
superusers hold all), and the result is kept on the user object for the rest of the request in
the same attribute, so Django's other checks use it too.

A signed-in request loads its user (`get_user`) and then checks a permission: both come from
one statement here, one round trip to the database instead of two on every page.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection


@dataclass(frozen=True)
class _Statements:
    every: str  # every permission's (app label, codename)
    mine: str  # one user's, the user's ID given twice
    user: str  # a user's row with their permissions, the user's ID given three times


@cache
def _statements() -> _Statements:
    """The statements, named after the models' own tables and columns."""
    quote = connection.ops.quote_name
    permission = quote(Permission._meta.db_table)
    content_type = quote(ContentType._meta.db_table)
    user_model = get_user_model()
    users = user_model._meta
    own = users.get_field("user_permissions").remote_field.through._meta  # type: ignore[union-attr]
    member = users.get_field("groups").remote_field.through._meta  # type: ignore[union-attr]
    granted = Group._meta.get_field("permissions").remote_field.through._meta  # type: ignore[union-attr]

    def column(through: Any, model: Any) -> str:
        # The through table's column pointing at `model` (user_id, group_id, permission_id).
        field = next(f for f in through.fields if f.related_model is model)
        return quote(field.column)

    # Only identifiers are formatted in (the models' own, quoted by the database backend); the
    # user's ID is a parameter.
    labelled = (
        f"SELECT p.{quote('id')} AS pid, c.{quote('app_label')} AS app_label, "  # noqa: S608
        f"p.{quote('codename')} AS codename FROM {permission} p "
        f"JOIN {content_type} c ON c.{quote('id')} = p.{quote('content_type_id')}"
    )
    every = f"SELECT app_label, codename FROM ({labelled}) held"  # noqa: S608
    mine_ids = (
        f"SELECT {column(own, Permission)} FROM {quote(own.db_table)} "  # noqa: S608
        f"WHERE {column(own, user_model)} = %s UNION "
        f"SELECT g.{column(granted, Permission)} FROM {quote(granted.db_table)} g "
        f"JOIN {quote(member.db_table)} m "
        f"ON m.{column(member, Group)} = g.{column(granted, Group)} "
        f"WHERE m.{column(member, user_model)} = %s"
    )
    columns = {f.name: quote(f.column) for f in users.concrete_fields if f.column}
    user_columns = ", ".join(f"u.{name}" for name in columns.values())
    active, superuser = columns["is_active"], columns["is_superuser"]
    pk = columns[users.pk.name]
    # One row per permission held, or one with NULL permission columns for a user holding
    # none; the rules are Django's: an inactive user holds none, a superuser every one.
    user = (
        f"SELECT {user_columns}, held.app_label, held.codename "  # noqa: S608
        f"FROM {quote(users.db_table)} u LEFT JOIN ({labelled}) held "
        f"ON u.{active} AND (u.{superuser} OR held.pid IN ({mine_ids})) "
        f"WHERE u.{pk} = %s"
    )
    return _Statements(every=every, mine=f"{every} WHERE pid IN ({mine_ids})", user=user)


def _user_from_row(user_model: Any, row: tuple[Any, ...]) -> Any:
    # The row's values converted as the ORM converts its own (SQLite's booleans and moments).
    table = user_model._meta.db_table
    fields = user_model._meta.concrete_fields
    values = []
    for field, value in zip(fields, row, strict=False):
        column = field.get_col(table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        for converter in converters:
            value = converter(value, column, connection)
        values.append(value)
    return user_model.from_db(connection.alias, [field.attname for field in fields], values)


class OneQueryModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        with connection.cursor() as cursor:
            cursor.execute(_statements().user, [pk, pk, pk])
            rows = cursor.fetchall()
        if not rows:
            return None
        user = _user_from_row(user_model, rows[0])
        user._perm_cache = {f"{label}.{code}" for *_, label, code in rows if code is not None}
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            statements = _statements()
            with connection.cursor() as cursor:
                if user_obj.is_superuser:
                    cursor.execute(statements.every)
                else:
                    cursor.execute(statements.mine, [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{label}.{code}" for label, code in cursor.fetchall()}
        return user_obj._perm_cache
