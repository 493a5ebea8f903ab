"""The dashboard's admin site: Django's, with its lists' filters read safely.

An admin list filters by whatever its query string names (`?at__year=`, `?at__gte=`,
`?at__iso_year=`...). For dates near the calendar's ends Django 5.2 fails working out a range
(where year 9999 ends, a day's start in the time zone) with a ValueError or OverflowError:
a 500. On every list, such a failure is a wrong lookup, answered as Django answers any other:
back to the whole list, flagged (`?e=1`).
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse


class DashboardAdminSite(admin.AdminSite):
    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        def filters_read_safely(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                response = view(request, *args, **kwargs)
                if isinstance(response, TemplateResponse) and request.GET:
                    # The list's rows are read while its page renders.
                    response.render()
            except (ValueError, OverflowError):
                if request.method != "GET" or not request.GET or ERROR_FLAG in request.GET:
                    raise
                return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
            return response

        return super().admin_view(filters_read_safely, cacheable)
