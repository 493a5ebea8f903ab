from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "transcripts"
    verbose_name = "Transcripts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The transcripts app builds on followups (followups imports nothing of transcripts):
        # the calls' facts it keeps follow GetBill's answers through the client's signal, and
        # the transcript's panel joins a followup's page through its registry, right after the
        # player (order 10) and before the review panels (20); the recording's waveform is drawn
        # behind the player's seek bar, under any markers (order 10); managers queue calls from
        # the followups list through its list actions.
        from followups import extensions
        from followups.getbill import followups_received
        from transcripts import facts, panels, services

        followups_received.connect(
            facts.facts_on_followups_received, dispatch_uid="transcripts.facts"
        )
        extensions.detail_panel_register(
            panel=extensions.DetailPanel(
                name="transcript", render=panels.transcript_panel_html, order=10
            )
        )
        extensions.list_action_register(
            action=extensions.ListAction(
                name="transcribe",
                label="Transcribe",
                url_name="transcripts:queue",
                permitted=services.list_queue_permitted,
            )
        )
        extensions.seek_bar_layer_register(
            layer=extensions.SeekBarLayer(
                name="waveform", render=panels.seek_bar_waveform_html, order=10
            )
        )
