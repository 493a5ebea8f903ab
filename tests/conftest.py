from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import LazySettings
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from tests.support.accounts import role_user_make, signed_in_client
from tests.support.sandbox import sandbox_point

if TYPE_CHECKING:
    from time_machine import TimeMachineFixture

    from tests.support.fake_getbill import FakeGetBill


# No example may fail for taking long: the suite shares its machine, and speed is measured by
# the scripts in bench/, not asserted by tests.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


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


@pytest.fixture
def clock(time_machine: "TimeMachineFixture") -> "TimeMachineFixture":
    """The wall clock (time.time, datetime.now, the cache's expiries) under the test's control,
    in every thread: it starts now and runs on, and `clock.shift(seconds)` moves it forward at
    once, so a test reaches an expiry without sleeping. Monotonic time, which timeouts and
    deadlines use, is left alone."""
    time_machine.move_to(datetime.now(UTC), tick=True)
    return time_machine


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

    sandbox_point(settings, upstream_origin)
    yield upstream_origin
    sandbox_state_reset()


@pytest.fixture
def sandbox_upstream(sandbox: str, settings: LazySettings) -> str:
    """The sandbox as the GetBill client's upstream, for the client's own tests: timeouts of a
    second, so a fault that stalls costs a test seconds, not the production defaults."""
    settings.GETBILL_CONNECT_TIMEOUT = 1.0
    settings.GETBILL_READ_TIMEOUT = 1.0
    settings.GETBILL_DEADLINE = 3.0
    return sandbox


@pytest.fixture
def fake_getbill(settings: LazySettings) -> Iterator["FakeGetBill"]:
    """GetBill faked at the transport (tests/support/fake_getbill.py): tell it what it knows
    (`fake_getbill.followup_add(...)`, `.debts`, `.answers`); any other request fails the test."""
    from tests.support.fake_getbill import fake_getbill_installed

    with fake_getbill_installed(settings) as fake:
        yield fake
    assert fake.unexpected == [], "GetBill was asked something the test did not expect"


# --- Followups for page tests ----------------------------------------------------------------


@pytest.fixture
def followup_make() -> Callable[..., Any]:
    """Build a `Followup` like the documented example (tests/support/examples.py), with keyword
    overrides; without its media links unless a test gives them."""
    from tests.support.examples import followup_make

    def make(**overrides: Any) -> Any:
        return followup_make(**{"audio_url": None, "media_urls_expire_at": None, **overrides})

    return make


@pytest.fixture
def upstream_returns(fake_getbill: "FakeGetBill", followup_make: Callable[..., Any]) -> Any:
    """`upstream_returns(**fields)`: GetBill (faked at the transport) answers every followup ID
    with the example under that ID, with `fields` (no media links unless given); returns the
    followup as the client reads it. `fake_getbill.followup_ids_asked()` lists the lookups."""

    def answer(**fields: Any) -> Any:
        fields = {"audio_url": None, "media_urls_expire_at": None, **fields}
        fake_getbill.any_followup(**fields)
        return followup_make(**fields)

    return answer


# --- Roles -------------------------------------------------------------------------------------
# A user of each role (tests/support/accounts.py), and a signed-in test client for each; every
# client is its own, so one test can compare roles. Superusers (`admin_user`, `admin_client`)
# hold every permission.


@pytest.fixture
def manager_user(db: None) -> Any:
    """A Collections manager: followups, recordings and full phone numbers."""
    return role_user_make("manager")


@pytest.fixture
def qa_user(db: None) -> Any:
    """A QA reviewer: followups and recordings, phone numbers masked."""
    return role_user_make("qa")


@pytest.fixture
def auditor_user(db: None) -> Any:
    """An auditor (staff): the audit trail in the admin, no followup data."""
    return role_user_make("auditor")


@pytest.fixture
def plain_user(db: None) -> Any:
    """Signed in, no role: every lookup is a 403."""
    return role_user_make("plain")


@pytest.fixture
def manager_client(manager_user: Any) -> Any:
    return signed_in_client(manager_user)


@pytest.fixture
def qa_client(qa_user: Any) -> Any:
    return signed_in_client(qa_user)


@pytest.fixture
def auditor_client(auditor_user: Any) -> Any:
    return signed_in_client(auditor_user)


@pytest.fixture
def plain_client(plain_user: Any) -> Any:
    return signed_in_client(plain_user)


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
