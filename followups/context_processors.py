from typing import Any

from django.conf import settings
from django.http import HttpRequest


def dashboard(request: HttpRequest) -> dict[str, Any]:
    return {"sandbox_mode": settings.GETBILL_SANDBOX}
