import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transcripts", "0002_calls_known"),
    ]

    operations = [
        # A row is dated when its call was learnt of, which the code sets (no SQL changes).
        migrations.AlterField(
            model_name="transcript",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
    ]
