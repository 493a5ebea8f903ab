import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transcripts", "0002_calls_known"),
    ]

    # A row is dated when its call was learnt of, which the code now sets: the column stays as
    # it is (Django keeps defaults in Python). Only the model's state changes, because an
    # AlterField would rebuild the table on SQLite and drop the trigger search's migration
    # 0003 keeps on it.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="transcript",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
            ],
        ),
    ]
