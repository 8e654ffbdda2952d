from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.base import World, make_world


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgres or redis run only when those services are configured."""
    skip_pg = pytest.mark.skip(reason="set DATABASE_URL to a PostgreSQL database to run")
    skip_redis = pytest.mark.skip(reason="set REDIS_URL to run")
    for item in items:
        if "postgres" in item.keywords and not os.environ.get("DATABASE_URL"):
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)
