"""ReviewAccess gets a real (empty) table, so that `manage.py dumpdata` works.

The model, its content type and its permissions stay the same rows, so every group and user
keeps the permissions it had.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_review_roles")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.CreateModel(
                    name="ReviewAccess",
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
                    name="reviewaccess",
                    options={
                        "default_permissions": (),
                        "permissions": [
                            ("review_followup", "Can comment on recordings and review followups"),
                            ("view_all_reviews", "Can see everyone's comments and reviews"),
                            ("reopen_review", "Can reopen a submitted review"),
                        ],
                    },
                ),
            ],
        ),
    ]
