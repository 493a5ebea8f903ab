"""The dashboard's roles, as groups holding its permissions.

Collections managers see followups in full and listen to recordings; QA reviewers do the same
with phone numbers masked; auditors read the audit trail in the admin (they also need
"staff status" on their account to open the admin).
"""

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

ROLES = {
    "Collections managers": ["view_followup_data", "listen_recording", "view_full_phone"],
    "QA reviewers": ["view_followup_data", "listen_recording"],
    "Auditors": ["view_auditentry"],
}


def roles_create(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Permissions are normally created after every migration has run (post_migrate); the groups
    # need them now.
    app_config = apps.get_app_config("followups")
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
                content_type__app_label="followups", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0002_auditentry_access"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Reversing leaves the groups: they may have members and extra permissions by then.
    operations = [migrations.RunPython(roles_create, migrations.RunPython.noop)]
