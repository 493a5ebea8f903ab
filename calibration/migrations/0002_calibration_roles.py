"""The calibration permission given to the dashboard's roles (groups of followups' 0003_roles):
collections managers run calibration sessions."""

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

ROLES = {"Collections managers": ["run_calibration"]}


def calibration_roles_grant(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Permissions are normally created after every migration has run (post_migrate).
    app_config = apps.get_app_config("calibration")
    app_config.models_module = True  # type: ignore[assignment]
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        # Added, not set: permissions an administrator gave a group on top stay.
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="calibration", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("calibration", "0001_initial"),
        ("followups", "0003_roles"),
    ]

    # Reversing leaves the permission with the groups: administrators may have relied on it.
    operations = [migrations.RunPython(calibration_roles_grant, migrations.RunPython.noop)]
