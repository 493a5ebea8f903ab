from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transcripts", "0001_transcript"),
    ]

    operations = [
        # Every row made before this had a recording (only calls with one were transcribed):
        # they get True, rows made from now on say what GetBill gave.
        migrations.AddField(
            model_name="transcript",
            name="has_recording",
            field=models.BooleanField(default=True),
        ),
        migrations.AlterField(
            model_name="transcript",
            name="has_recording",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="transcript",
            name="status",
            field=models.CharField(
                choices=[
                    ("known", "Not transcribed"),
                    ("queued", "Queued"),
                    ("running", "Transcribing"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="queued",
                max_length=16,
            ),
        ),
    ]
