from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "transcripts"
    verbose_name = "Transcripts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Built on followups: the transcript's panel joins a followup's page through its
        # registry, right after the player (order 10) and before the review panels (20).
        from followups import extensions
        from transcripts import panels

        extensions.detail_panel_register(
            panel=extensions.DetailPanel(
                name="transcript", render=panels.transcript_panel_html, order=10
            )
        )
