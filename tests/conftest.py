import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import LazySettings
from django.core.cache import cache

if TYPE_CHECKING:
    from tests.support.fake_getbill import FakeGetBill


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Hashing passwords the production way makes up most of the suite's time; tests need only
    # that a password checks, as in cookiecutter-django's test settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: LazySettings) -> None:
    """Tests run without `collectstatic`, so the manifest storage has nothing to look up."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def upstream_origin() -> Iterator[str]:
    """The project's WSGI app on a loopback port, so the sandbox is reached over real HTTP.

    Only the sandbox's routes are requested through it; they touch no database, so tests using
    it keep the fast, transaction-wrapped `db` fixture.
    """
    from sandbox.serve import sandbox_serve_in_thread

    origin, stop = sandbox_serve_in_thread()
    yield origin
    stop()


@pytest.fixture
def sandbox(upstream_origin: str, settings: LazySettings) -> Iterator[str]:
    """The embedded sandbox as the dashboard's upstream, on the loopback server, quota reset.

    Returns the origin ("http://127.0.0.1:<port>"); every setting it changes is restored after
    the test.
    """
    from sandbox.state import sandbox_state_reset

    _sandbox_point(settings, upstream_origin)
    yield upstream_origin
    sandbox_state_reset()


def _sandbox_point(settings: LazySettings, origin: str) -> None:
    """Make the sandbox served at `origin` the dashboard's upstream, with a fresh quota."""
    from sandbox.state import sandbox_state_reset

    settings.SANDBOX_ORIGIN = origin
    settings.GETBILL_API_URL = f"{origin}/sandbox/external-api/v1"
    settings.GETBILL_TOKEN_URL = f"{origin}/sandbox/token"
    settings.GETBILL_MEDIA_HOSTS = [origin.removeprefix("http://")]
    sandbox_state_reset()


@pytest.fixture
def fake_getbill(settings: LazySettings) -> Iterator["FakeGetBill"]:
    """GetBill faked at the transport (tests/support/fake_getbill.py): tell it what it knows
    (`fake_getbill.followup_add(...)`, `.debts`, `.answers`); any other request fails the test."""
    from tests.support.fake_getbill import fake_getbill_installed

    with fake_getbill_installed(settings) as fake:
        yield fake
    assert fake.unexpected == [], "GetBill was asked something the test did not expect"


# --- Followups for page tests ----------------------------------------------------------------
# The documented example followup (get-followup-page.txt), overridable field by field, for tests
# that feed the pages data the sandbox does not have (hostile text, odd types...).
FOLLOWUP_EXAMPLE: dict[str, object] = {
    "id": "abc123def456",
    "debt_id": "xyz789ghi012",
    "status": "deal_found",
    "type": "call",
    "call_date": datetime(2024, 1, 22, 10, 30, tzinfo=UTC),
    "scheduled_at": datetime(2024, 1, 22, 10, 0, tzinfo=UTC),
    "processed_at": datetime(2024, 1, 22, 10, 35, tzinfo=UTC),
    "summary": "Successfully contacted debtor, agreed to payment plan",
    "notes": "Customer was cooperative and agreed to pay €500 monthly starting February 1st.",
    "call_id": "call_789456",
    "audio_url": None,
    "pdf_url": None,
    "duration_ms": 180000,
    "disconnection_reason": "completed_successfully",
    "direction": "outbound",
    "phone_number_used": "+33800123456",
    "is_retry": False,
    "triggered_payment": True,
    "email_opened": False,
    "email_open_count": 0,
    "email_first_opened_at": None,
    "email_clicked": False,
    "email_click_count": 0,
    "media_urls_expire_at": None,
}


@pytest.fixture
def followup_make() -> Callable[..., Any]:
    """Build a `Followup` like the documented example, with keyword overrides."""
    from followups.getbill import Followup

    def make(**overrides: Any) -> Followup:
        return Followup(**{**FOLLOWUP_EXAMPLE, **overrides})

    return make


# --- Browser tests -----------------------------------------------------------------------------
# Debian's Chromium driven by Playwright against pytest-django's `live_server`, which serves the
# whole app, the sandbox included.
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
]
BROWSER_USER_PASSWORD = "browser-reviewer-pw-1"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the main thread, which makes Django refuse
    # ORM calls from test code and fixtures; those calls are synchronous and safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live_sandbox(live_server: Any, settings: LazySettings) -> Iterator[str]:
    """The sandbox served by `live_server` as the dashboard's upstream; returns its origin.

    The browser loads recordings from there too, so the media host is the page's own host.
    """
    from sandbox.state import sandbox_state_reset

    _sandbox_point(settings, str(live_server.url))
    yield str(live_server.url)
    sandbox_state_reset()


@pytest.fixture
def signed_in_page(browser: Any, live_server: Any, live_sandbox: str) -> Iterator[tuple[Any, str]]:
    """A fresh browser page signed in through the login form as a user allowed to see and
    hear followups; yields (page, live_server_url)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(
        username="browser-reviewer", password=BROWSER_USER_PASSWORD
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="followups"))
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(BROWSER_USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    yield page, str(live_server.url)
    context.close()


# --- Roles -------------------------------------------------------------------------------------
# Users in the groups the roles migration creates (followups/migrations/0003_roles.py), and a
# signed-in test client for each; every client is its own, so one test can compare roles.
# Superusers (`admin_user`, `admin_client`) hold every permission.
ROLE_GROUPS: dict[str, list[str]] = {
    "manager": ["Collections managers"],
    "qa": ["QA reviewers"],
    "auditor": ["Auditors"],
    "plain": [],
}
ROLE_USER_PASSWORD = "pw-role-user-1"


def _role_user(role: str) -> Any:
    from django.contrib.auth import get_user_model

    # Auditors read the trail in the admin, which needs staff status.
    user = get_user_model().objects.create_user(
        username=f"{role}-user", password=ROLE_USER_PASSWORD, is_staff=role == "auditor"
    )
    user.groups.set([_role_group(name) for name in ROLE_GROUPS[role]])
    return user


def _role_group(name: str) -> Any:
    """The role's group as the migration made it; made again if a browser test's flush of the
    database (transactional tests) removed it."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=name)
    if created:
        codenames = importlib.import_module("followups.migrations.0003_roles").ROLES[name]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="followups", codename__in=codenames)
        )
    return group


def _signed_in_client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager_user(db: None) -> Any:
    """A Collections manager: followups, recordings and full phone numbers."""
    return _role_user("manager")


@pytest.fixture
def qa_user(db: None) -> Any:
    """A QA reviewer: followups and recordings, phone numbers masked."""
    return _role_user("qa")


@pytest.fixture
def auditor_user(db: None) -> Any:
    """An auditor (staff): the audit trail in the admin, no followup data."""
    return _role_user("auditor")


@pytest.fixture
def plain_user(db: None) -> Any:
    """Signed in, no role: every lookup is a 403."""
    return _role_user("plain")


@pytest.fixture
def manager_client(manager_user: Any) -> Any:
    return _signed_in_client(manager_user)


@pytest.fixture
def qa_client(qa_user: Any) -> Any:
    return _signed_in_client(qa_user)


@pytest.fixture
def auditor_client(auditor_user: Any) -> Any:
    return _signed_in_client(auditor_user)


@pytest.fixture
def plain_client(plain_user: Any) -> Any:
    return _signed_in_client(plain_user)


# --- Test database -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """SQLite's test database in a file rather than in memory.

    A page in the browser tests makes the live server answer several requests at once (the
    page, its lazy panels, the player's link renewal and its play report, each saving the
    session). With an in-memory database every server thread shares the one connection and
    those requests fail with "database table is locked"; with a file each thread has its own
    connection and waits its turn (IMMEDIATE transactions, so two writers never deadlock).
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    database.setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL"}
    )
