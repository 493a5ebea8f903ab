from django.conf import settings


def sandbox_origin_set(*, origin: str) -> None:
    """Point the upstream settings at the sandbox served from `origin`."""
    settings.SANDBOX_ORIGIN = origin
    settings.GETBILL_API_URL = f"{origin}/sandbox/external-api/v1"
    settings.GETBILL_TOKEN_URL = f"{origin}/sandbox/token"
