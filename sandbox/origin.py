from django.conf import settings

from followups.upstream_config import origin_host_port


def sandbox_origin_set(*, origin: str) -> None:
    """Point the upstream settings at the sandbox served from `origin`."""
    settings.SANDBOX_ORIGIN = origin
    settings.GETBILL_API_URL = f"{origin}/sandbox/external-api/v1"
    settings.GETBILL_TOKEN_URL = f"{origin}/sandbox/token"
    settings.GETBILL_MEDIA_HOSTS = [origin_host_port(origin=origin)]
