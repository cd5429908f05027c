"""Fixtures of the storage suite: each storage kind (in-memory, SQLite, Postgres) and throwaway
Postgres databases, created through the server's `test` database and dropped afterwards."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from dagster_core.storage.event_log import InMemoryEventLogStorage
from dagster_core.storage.runs import InMemoryRunStorage
from dagster_core.storage.schedules import InMemoryScheduleStorage
from storage_backends.postgres import (
    PostgresEventLogStorage,
    PostgresRunStorage,
    PostgresScheduleStorage,
)
from storage_backends.sqlite import (
    SqliteEventLogStorage,
    SqliteRunStorage,
    SqliteScheduleStorage,
)

RUN_STORAGES = {
    "in_memory": InMemoryRunStorage,
    "sqlite": SqliteRunStorage,
    "postgres": PostgresRunStorage,
}
EVENT_LOG_STORAGES = {
    "in_memory": InMemoryEventLogStorage,
    "sqlite": SqliteEventLogStorage,
    "postgres": PostgresEventLogStorage,
}
SCHEDULE_STORAGES = {
    "in_memory": InMemoryScheduleStorage,
    "sqlite": SqliteScheduleStorage,
    "postgres": PostgresScheduleStorage,
}


@pytest.fixture(params=list(RUN_STORAGES))
def storage_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def storage_config(storage_kind: str, request: pytest.FixtureRequest, tmp_path) -> dict:
    """The config that builds a storage of this kind (the same one in another process)."""
    if storage_kind == "sqlite":
        return {"base_dir": str(tmp_path / "dagster_home" / "storage")}
    if storage_kind == "postgres":
        return {"postgres_url": request.getfixturevalue("postgres_url")}
    return {}


@pytest.fixture
def run_storage(storage_kind: str, storage_config: dict):
    storage = RUN_STORAGES[storage_kind].from_config_value(storage_config)
    storage.wipe()
    yield storage
    storage.dispose()


@pytest.fixture
def event_log_storage(storage_kind: str, storage_config: dict):
    storage = EVENT_LOG_STORAGES[storage_kind].from_config_value(storage_config)
    storage.wipe()
    yield storage
    storage.dispose()


@pytest.fixture
def schedule_storage(storage_kind: str, storage_config: dict):
    storage = SCHEDULE_STORAGES[storage_kind].from_config_value(storage_config)
    storage.wipe()
    yield storage
    storage.dispose()


def _wait_until(condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


@pytest.fixture
def wait_until() -> Callable[..., None]:
    """wait_until(condition, timeout=15, what=""): poll until the condition holds, else fail."""
    return _wait_until
