from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Figures and charts of the QA reviews for the QA lead; built on `reviews` and
    `followups`, neither of which knows of it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"
    verbose_name = "QA insights"
