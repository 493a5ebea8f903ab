from django.apps import AppConfig


class TrackersConfig(AppConfig):
    name = "trackers"
    verbose_name = "Trackers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A finished transcript is checked by the job that made it; the results' panel joins
        # a followup's page above the transcript (order 5; the transcript's is 10), and their
        # markers on the player's seek bar, over the waveform (order 20); the review queue offers
        # an order by risk.
        from followups import extensions
        from trackers import panels, services, views
        from transcripts.signals import transcript_done

        transcript_done.connect(services.check_on_transcript_done, dispatch_uid="trackers.check")
        extensions.detail_panel_register(
            panel=extensions.DetailPanel(name="trackers", render=panels.tracker_panel_html, order=5)
        )
        extensions.seek_bar_layer_register(
            layer=extensions.SeekBarLayer(
                name="trackers", render=panels.tracker_marks_html, order=20
            )
        )
        extensions.queue_order_register(
            order=extensions.QueueOrder(
                name=views.RISK_ORDER, label="By risk", render=views.risk_queue
            )
        )
