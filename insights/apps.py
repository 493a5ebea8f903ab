from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Figures and charts of the QA reviews for the QA lead; built on `reviews` and
    `followups`, neither of which knows of it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"
    verbose_name = "QA insights"

    def ready(self) -> None:
        # The weekly roll-up follows every submitted review through the reviews' registry,
        # in the transaction that writes the review.
        from insights.rollup import rollup_review_change
        from reviews import extensions

        extensions.submitted_hook_register(
            name="insights_rollup",
            hook=lambda review, change: rollup_review_change(review=review, change=change),
        )
