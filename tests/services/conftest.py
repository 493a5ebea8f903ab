"""The services job: PostgreSQL and Redis given by DATABASE_URL and CACHE_URL (`.ci/run` starts
both on loopback). Without them these tests are skipped."""

import os

import pytest

SERVICES_GIVEN = os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get(
    "CACHE_URL", ""
).startswith("redis")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="needs DATABASE_URL=postgres://... and CACHE_URL=redis://...")
    for item in items:
        # The marker itself: "services" is also in every keyword of this folder's tests.
        if item.get_closest_marker("services") is not None and not SERVICES_GIVEN:
            item.add_marker(skip)
