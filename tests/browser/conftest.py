"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's `live_server`,
which serves the whole app, the sandbox included. Every test here carries the `browser` mark."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings

from tests.support.sandbox import sandbox_point

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

    sandbox_point(settings, str(live_server.url))
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)
