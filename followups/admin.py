"""The audit trail in the admin: auditors browse, filter and export it; nobody changes it."""

from collections.abc import Iterator
from datetime import UTC, datetime

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from followups.csv_export import csv_lines, csv_response
from followups.getbill import InvalidIdError, getbill_id_clean
from followups.models import AuditEntry

# An entry's own text columns, in the order the entry page and the CSV export show them.
_ENTRY_COLUMNS = ["username", "action", "outcome", "source", "followup_id", "debt_id", "detail"]
CSV_COLUMNS = ["at_utc", *_ENTRY_COLUMNS]
_EXPORT_CHUNK = 2000
# Room for a typical detail in the list at 1280 px with the sidebar open; the rest is in a
# tooltip and on the entry's own page.
DETAIL_LIST_CHARS = 40


def audit_time_format(*, moment: datetime) -> str:
    """`moment` in the active time zone, unambiguous for auditors: 2026-11-26 17:37:05 UTC."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def audit_id_link(*, value: str, url_name: str, kwarg: str) -> SafeString | str:
    """An ID of an entry as a link to its page in the dashboard; plain when it is no valid ID
    (rejected input is recorded as typed), so no link is built from it."""
    if not value:
        return ""
    try:
        clean = getbill_id_clean(raw=value)
    except InvalidIdError:
        return format_html("<code>{}</code>", value)
    return format_html(
        '<a href="{}"><code>{}</code></a>', reverse(url_name, kwargs={kwarg: clean}), value
    )


def audit_csv_rows(*, entries: QuerySet[AuditEntry]) -> Iterator[str]:
    rows = (
        [
            entry.at.astimezone(UTC).isoformat(timespec="seconds"),
            *(getattr(entry, column) for column in _ENTRY_COLUMNS),
        ]
        for entry in entries.iterator(chunk_size=_EXPORT_CHUNK)
    )
    return csv_lines(header=CSV_COLUMNS, rows=rows)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "time",
        "username",
        "action",
        "outcome",
        "source",
        "followup",
        "debt",
        "detail_short",
    ]
    fields = ["time", "user", *_ENTRY_COLUMNS]
    readonly_fields = ["time"]
    list_filter = [
        "action",
        "outcome",
        "source",
        ("at", admin.DateFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
    ]
    # Exact matches: IDs are pasted whole, and exact lookups use the indexes.
    search_fields = ["=followup_id", "=debt_id", "=username"]
    search_help_text = "Exact followup ID, debt ID or user name."
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    actions = None

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description="Time", ordering="at")
    def time(self, entry: AuditEntry) -> str:
        return audit_time_format(moment=entry.at)

    @admin.display(description="Followup", ordering="followup_id")
    def followup(self, entry: AuditEntry) -> SafeString | str:
        return audit_id_link(
            value=entry.followup_id, url_name="followups:detail", kwarg="followup_id"
        )

    @admin.display(description="Debt", ordering="debt_id")
    def debt(self, entry: AuditEntry) -> SafeString | str:
        return audit_id_link(
            value=entry.debt_id, url_name="followups:debt_followups", kwarg="debt_id"
        )

    @admin.display(description="Detail")
    def detail_short(self, entry: AuditEntry) -> SafeString | str:
        if len(entry.detail) <= DETAIL_LIST_CHARS:
            return entry.detail
        return format_html(
            '<span title="{}">{}</span>',
            entry.detail,
            Truncator(entry.detail).chars(DETAIL_LIST_CHARS),
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> TemplateResponse | HttpResponse:
        return super().changelist_view(request, {"title": "Audit trail", **(extra_context or {})})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv_view),
            name="followups_auditentry_export",
        )
        return [export, *super().get_urls()]

    def export_csv_view(self, request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
        """The changelist's current selection (filters, search, dates) as a CSV download."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect("../?e=1")
        entries = changelist.get_queryset(request).order_by("at", "id")
        filename = f"audit-trail-{timezone.now():%Y%m%d-%H%M%S}.csv"
        return csv_response(lines=audit_csv_rows(entries=entries), filename=filename)
