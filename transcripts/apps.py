from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "transcripts"
    verbose_name = "Transcripts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The transcripts app builds on followups: the calls' facts it keeps follow GetBill's
        # answers through the client's signal (followups imports nothing of transcripts).
        from followups.getbill import followups_received
        from transcripts import facts

        followups_received.connect(
            facts.facts_on_followups_received, dispatch_uid="transcripts.facts"
        )
