from django.conf import settings
from django.core.signals import setting_changed

from followups.getbill import origin_host_port


def sandbox_origin_set(*, origin: str) -> None:
    """Point the upstream settings at the sandbox served from `origin`."""
    values = {
        "SANDBOX_ORIGIN": origin,
        "GETBILL_API_URL": f"{origin}/sandbox/external-api/v1",
        "GETBILL_TOKEN_URL": f"{origin}/sandbox/token",
        "GETBILL_MEDIA_HOSTS": [origin_host_port(origin=origin)],
    }
    for name, value in values.items():
        setattr(settings, name, value)
        # What reads settings once (the GetBill client's configuration) reads them again.
        setting_changed.send(sender=type(settings), setting=name, value=value, enter=True)
