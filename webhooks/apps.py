from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "GetBill webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Built on followups (which imports nothing of webhooks): the queue's region of new
        # calls joins the queue page through its registry.
        from followups import extensions
        from webhooks.live import queue_new_calls_region

        extensions.queue_region_register(name="new_calls", render=queue_new_calls_region)
