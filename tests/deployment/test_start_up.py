"""Starting the project: production refuses to start without what it needs; development needs
nothing.
"""

from tests.support.start_up import run_django_check


def test_production_refuses_to_start_without_secret_key():
    result = run_django_check(DJANGO_ALLOWED_HOSTS="example.com", GETBILL_SANDBOX="true")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_getbill_credentials():
    result = run_django_check(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "GETBILL_CLIENT_ID must be set" in result.stderr


def test_production_starts_with_its_settings():
    result = run_django_check(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.com",
        GETBILL_CLIENT_ID="client",
        GETBILL_CLIENT_SECRET="secret",
    )
    assert result.returncode == 0, result.stderr


def test_development_starts_without_any_setting():
    result = run_django_check(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
