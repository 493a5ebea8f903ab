import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

# The links in a signed-in page's header, by the name the base template uses. Reversed once per URL
# configuration and script prefix rather than by a `{% url %}` tag each on every page, where
# they took a tenth of the page's rendering.
_HEADER_VIEWS = {
    "lookup": "followups:lookup",
    "queue": "followups:queue",
    "call_search": "search:search",
    "reviews": "reviews:list",
    "insights": "insights:page",
    "calibration": "calibration:list",
    "audit_trail": "admin:followups_auditentry_changelist",
    "admin": "admin:index",
    "sign_out": "logout",
}


@functools.cache
def _header_urls(urlconf: str, script_prefix: str) -> dict[str, str]:
    return {name: reverse(view, urlconf=urlconf) for name, view in _HEADER_VIEWS.items()}


def _duration_words(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def dashboard(request: HttpRequest) -> dict[str, Any]:
    idle = settings.SESSION_COOKIE_AGE
    return {
        "sandbox_mode": settings.GETBILL_SANDBOX,
        # Lazy: a fragment rendered with the request (under any URL configuration) reverses none.
        "header_urls": SimpleLazyObject(
            lambda: _header_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
        ),
        # The player keeps a listening reviewer's session alive a few times per idle period;
        # the sign-in page says how long a session lasts without activity.
        "session_idle_seconds": idle,
        "session_idle_words": _duration_words(idle),
    }
