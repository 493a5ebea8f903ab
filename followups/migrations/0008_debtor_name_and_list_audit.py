"""Debtors' names on debt cards for Collections managers only; audit actions for the followups
list, the review queue and the debt card.

QA reviewers judge how a call went: the amount, status and plan of the debt matter for that,
the debtor's identity does not, so they see initials (as they see phone numbers masked).
Managers act on the debt itself (call back, agree a plan, answer a dispute) and need the name.
"""

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# Permissions this migration adds to the roles of 0003_roles.
ROLE_ADDITIONS = {"Collections managers": ["view_debtor_name"]}


def debtor_name_grant(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # As in 0003_roles: the permission must exist before the group can hold it.
    app_config = apps.get_app_config("followups")
    app_config.models_module = True  # type: ignore[assignment]
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_ADDITIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="followups", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0007_auditentry_answer_source"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="followupaccess",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("view_followup_data", "Can look up followups and see their details"),
                    ("listen_recording", "Can listen to call recordings"),
                    ("view_full_phone", "Can see full phone numbers"),
                    ("view_debtor_name", "Can see debtors' names"),
                ],
            },
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("lookup", "Followup lookup"),
                    ("debt_lookup", "Debt lookup"),
                    ("recording_play", "Recording played"),
                    ("recording_url_refresh", "Recording link fetched"),
                    ("comment_add", "Review comment added"),
                    ("comment_edit", "Review comment edited"),
                    ("comment_delete", "Review comment deleted"),
                    ("review_save", "Review draft saved"),
                    ("review_submit", "Review submitted"),
                    ("review_reopen", "Review reopened"),
                    ("reviews_export", "Reviews exported"),
                    ("followups_list", "Followups list"),
                    ("review_queue", "Review queue"),
                    ("debt_detail", "Debt details"),
                ],
                max_length=32,
            ),
        ),
        # Reversing leaves the permission with the group, as 0003_roles leaves its groups.
        migrations.RunPython(debtor_name_grant, migrations.RunPython.noop),
    ]
