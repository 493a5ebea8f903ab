from django.contrib import admin
from django.http import HttpRequest

from webhooks.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Read only: deliveries are GetBill's record, not something to edit."""

    list_display = ("received_at", "event_type", "outcome", "followup_id", "debt_id", "repeats")
    list_filter = ("outcome", "event_type")
    search_fields = ("followup_id", "debt_id")
    date_hierarchy = "received_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
