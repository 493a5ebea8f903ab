from django import template

from dashboard.request_id import request_id_get

register = template.Library()


@register.simple_tag
def request_id() -> str:
    """The current request's ID (empty outside a request); read from the request's context, so
    it works on pages rendered without a RequestContext too (Django's own 500 page)."""
    return request_id_get() or ""
