from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "GetBill webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Built on followups (which imports nothing of webhooks): the regions of new calls join
        # the queue page and the followups list through its registry.
        from followups import extensions
        from webhooks.live import list_new_calls_region, queue_new_calls_region

        extensions.queue_region_register(name="new_calls", render=queue_new_calls_region)
        extensions.list_region_register(name="new_calls", render=list_new_calls_region)
