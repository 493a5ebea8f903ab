"""Scorecards in the admin. Saving changes to a scorecard that reviews answered already makes
a new version of it, so those reviews keep the questions they answered."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from reviews import services
from reviews.models import Criterion, Scorecard


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["position", "label", "help_text", "weight", "critical", "tracker"]
    extra = 1
    ordering = ["position", "id"]


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "is_current", "is_active", "criteria_count", "reviews_count"]
    list_filter = ["is_current", "is_active"]
    fields = ["name", "description", "is_active", "pass_mark", "coaching_mark", "version"]
    readonly_fields = ["version"]
    inlines = [CriterionInline]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Scorecard]:
        return (
            super()
            .get_queryset(request)
            .annotate(criteria_total=Count("criteria", distinct=True))
            .annotate(reviews_total=Count("reviews", distinct=True))
        )

    @admin.display(description="Criteria")
    def criteria_count(self, scorecard: Any) -> int:
        return int(scorecard.criteria_total)

    @admin.display(description="Reviews")
    def reviews_count(self, scorecard: Any) -> int:
        return int(scorecard.reviews_total)

    def has_change_permission(self, request: HttpRequest, obj: Scorecard | None = None) -> bool:
        # Older versions are the record of what past reviews answered.
        if obj is not None and not obj.is_current:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Scorecard | None = None) -> bool:
        if obj is not None and services.scorecard_in_use(scorecard=obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: Scorecard, form: ModelForm, change: bool
    ) -> None:
        if change and services.scorecard_in_use(scorecard=obj):
            # Saved as a new version with its criteria in save_related; the old row stays.
            obj._revise = True  # type: ignore[attr-defined]
            return
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[BaseInlineFormSet], change: bool
    ) -> None:
        scorecard = form.instance
        if not getattr(scorecard, "_revise", False):
            super().save_related(request, form, formsets, change)
            return
        kept = [
            inline.cleaned_data
            for formset in formsets
            for inline in formset.forms
            if inline.cleaned_data and not inline.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda data: data.get("position") or 0)
        revised = services.scorecard_revise(
            scorecard=scorecard,
            criteria=[
                services.CriterionSpec(
                    label=data["label"],
                    weight=data["weight"],
                    critical=data["critical"],
                    help_text=data.get("help_text", ""),
                )
                for data in kept
            ],
        )
        for formset in formsets:
            # The admin's change message reads these; nothing of the old version was saved.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        # The admin's messages and redirect then speak of the new version.
        scorecard.pk, scorecard.version, scorecard.is_current = (
            revised.pk,
            revised.version,
            True,
        )
        self.message_user(
            request,
            f"Reviews answered version {revised.version - 1}, so the changes are saved as "
            f"version {revised.version}; older reviews keep their questions.",
            messages.INFO,
        )
