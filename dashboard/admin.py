"""What every admin page of the dashboard shares."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpRequest


class DateHierarchyAdmin(admin.ModelAdmin):
    """A ModelAdmin with a `date_hierarchy` that takes any year in the query string: Django 5.2
    fails working out where year 9999 (its last month, its last day) ends, a 500. Here that is
    a wrong lookup, which the admin answers as it does any other: back to the whole list."""

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as error:
            if f"{self.date_hierarchy}__year" not in request.GET:
                raise
            raise IncorrectLookupParameters(error) from error
