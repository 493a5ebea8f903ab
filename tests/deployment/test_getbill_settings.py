"""GETBILL_* settings at start-up: every one accepted in production, a bad one stops the process,
sandbox mode points them all at its origin.
"""

from typing import Any

import pytest

from followups.getbill import (
    media_url_allowed,
)
from sandbox.origin import sandbox_origin_set
from tests.support.start_up import run_django_check

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "example.com",
    "GETBILL_CLIENT_ID": "client",
    "GETBILL_CLIENT_SECRET": "secret-value-never-echoed",
}


def test_production_starts_with_every_getbill_setting():
    result = run_django_check(
        **PRODUCTION_ENV,
        GETBILL_API_URL="https://api.getbill.io/external-api/v1",
        GETBILL_TOKEN_URL="https://api.getbill.io/token",
        GETBILL_SCOPES="followups:read debts:read",
        GETBILL_MEDIA_HOSTS="*.s3.eu-west-3.amazonaws.com,s3.eu-west-3.amazonaws.com",
        GETBILL_CONNECT_TIMEOUT="2",
        GETBILL_READ_TIMEOUT="8",
        GETBILL_DEADLINE="12",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("GETBILL_API_URL", "http://getbill.io/external-api/v1", "GETBILL_API_URL must use https"),
        ("GETBILL_MEDIA_HOSTS", "https://s3.amazonaws.com", "GETBILL_MEDIA_HOSTS entry"),
        ("GETBILL_DEADLINE", "forever", "GETBILL_DEADLINE must be a number"),
    ],
)
def test_a_bad_getbill_setting_stops_start_up(setting: str, value: str, message: str):
    result = run_django_check(**PRODUCTION_ENV, **{setting: value})
    assert result.returncode != 0
    assert message in result.stderr
    assert PRODUCTION_ENV["GETBILL_CLIENT_SECRET"] not in result.stderr


def test_sandbox_mode_points_everything_at_its_origin(settings: Any):
    # Through the fixture first, so that what sandbox_origin_set writes is undone afterwards.
    settings.SANDBOX_ORIGIN = "http://127.0.0.1:8000"
    sandbox_origin_set(origin="http://127.0.0.1:8765")

    assert settings.GETBILL_API_URL == "http://127.0.0.1:8765/sandbox/external-api/v1"
    assert settings.GETBILL_TOKEN_URL == "http://127.0.0.1:8765/sandbox/token"
    assert settings.GETBILL_MEDIA_HOSTS == ["127.0.0.1:8765"]
    assert media_url_allowed(url="http://127.0.0.1:8765/sandbox/media/a.mp3?X-Amz-Signature=1")
