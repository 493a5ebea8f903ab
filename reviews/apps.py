from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "QA reviews"

    def ready(self) -> None:
        # The reviews app builds on followups: its panels join a followup's page and its
        # submitted reviews leave the reviewer's queue through followups' registry.
        from followups import extensions
        from reviews import panels, services

        extensions.detail_panel_register(
            panel=extensions.DetailPanel(name="reviews", render=panels.detail_panels_html, order=20)
        )
        extensions.queue_exclusion_register(
            name="reviews", exclusion=lambda user: services.reviewed_followup_ids(user=user)
        )
