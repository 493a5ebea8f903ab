from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _duration_words(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def dashboard(request: HttpRequest) -> dict[str, Any]:
    idle = settings.SESSION_COOKIE_AGE
    return {
        "sandbox_mode": settings.GETBILL_SANDBOX,
        # The player keeps a listening reviewer's session alive a few times per idle period;
        # the sign-in page says how long a session lasts without activity.
        "session_idle_seconds": idle,
        "session_idle_words": _duration_words(idle),
    }
