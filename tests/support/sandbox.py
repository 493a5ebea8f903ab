"""The embedded sandbox as the dashboard's upstream in tests."""

from django.conf import LazySettings


def sandbox_point(settings: LazySettings, origin: str) -> None:
    """Make the sandbox served at `origin` the dashboard's upstream, with a fresh quota;
    `settings` is pytest-django's fixture, which restores every setting after the test."""
    from sandbox.state import sandbox_state_reset

    settings.SANDBOX_ORIGIN = origin
    settings.GETBILL_API_URL = f"{origin}/sandbox/external-api/v1"
    settings.GETBILL_TOKEN_URL = f"{origin}/sandbox/token"
    settings.GETBILL_MEDIA_HOSTS = [origin.removeprefix("http://")]
    sandbox_state_reset()
