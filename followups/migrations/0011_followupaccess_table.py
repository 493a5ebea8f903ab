"""FollowupAccess gets a real (empty) table, so that `manage.py dumpdata` works.

The model, its content type and its permissions stay the same rows, so every group and user
keeps the permissions it had.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("followups", "0010_auditentry_document_open")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.CreateModel(
                    name="FollowupAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                    ],
                    options={"default_permissions": ()},
                ),
            ],
            state_operations=[
                migrations.AlterModelOptions(
                    name="followupaccess",
                    options={
                        "default_permissions": (),
                        "permissions": [
                            ("view_followup_data", "Can look up followups and see their details"),
                            ("listen_recording", "Can listen to call recordings"),
                            ("view_full_phone", "Can see full phone numbers"),
                            ("view_debtor_name", "Can see debtors' names"),
                        ],
                    },
                ),
            ],
        ),
    ]
