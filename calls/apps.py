from django.apps import AppConfig


class CallsConfig(AppConfig):
    """The periodic read of GetBill's newest calls, which fills the dashboard's table of calls
    (kept by the transcripts app) without anyone opening them. Built on followups, transcripts
    and webhooks; none of them imports it."""

    name = "calls"
    verbose_name = "Newest calls"
    default_auto_field = "django.db.models.BigAutoField"
