"""The review permissions given to the dashboard's roles (groups of followups' 0003_roles).

QA reviewers and collections managers review; managers and auditors see everyone's reviews;
managers reopen submitted ones.
"""

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

ROLES = {
    "Collections managers": ["review_followup", "view_all_reviews", "reopen_review"],
    "QA reviewers": ["review_followup"],
    "Auditors": ["view_all_reviews"],
}


def review_roles_grant(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Permissions are normally created after every migration has run (post_migrate).
    app_config = apps.get_app_config("reviews")
    app_config.models_module = True  # type: ignore[assignment]
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        # Added, not set: what an administrator gave a group on top stays.
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="reviews", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_reviews_comments_scorecards"),
        ("followups", "0003_roles"),
    ]

    operations = [migrations.RunPython(review_roles_grant, migrations.RunPython.noop)]
