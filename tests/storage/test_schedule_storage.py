"""The schedule storage suite, run against every backend (in-memory, SQLite, Postgres)."""

import dataclasses
import time

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, make_url

from dagster_core.storage.schedules import (
    DagsterScheduleAlreadyExistsError,
    DagsterScheduleNotFoundError,
    Schedule,
    ScheduleStatus,
)
from storage_backends.postgres import PostgresScheduleStorage
from storage_backends.sql.migrate import FIRST_REVISION, MIGRATIONS_DIR, head_revision
from storage_backends.sqlite import SqliteScheduleStorage


def make_schedule(name: str = "nightly", **kwargs) -> Schedule:
    values = {
        "pipeline_name": "etl",
        "cron_schedule": "0 2 * * *",
        "status": ScheduleStatus.RUNNING,
        "fingerprint": "f" * 64,
        "python_file": "/code/pipelines.py",
        **kwargs,
    }
    return Schedule(name=name, **values)


def test_add_and_get(schedule_storage):
    schedule = make_schedule(created_at=time.time() - 60)
    assert schedule_storage.add_schedule(schedule) == schedule
    assert schedule_storage.get_schedule("nightly") == schedule
    assert schedule_storage.get_schedule("nope") is None


def test_module_origin_round_trips(schedule_storage):
    schedule = make_schedule(python_file=None, module_name="team.pipelines")
    schedule_storage.add_schedule(schedule)
    assert schedule_storage.get_schedule("nightly") == schedule


def test_all_schedules_sorted_by_name(schedule_storage):
    for name in ("hourly", "b-daily", "a.weekly"):
        schedule_storage.add_schedule(make_schedule(name))
    assert [s.name for s in schedule_storage.all_schedules()] == ["a.weekly", "b-daily", "hourly"]


def test_duplicate_name_is_an_error(schedule_storage):
    schedule_storage.add_schedule(make_schedule())
    with pytest.raises(DagsterScheduleAlreadyExistsError, match="'nightly' already exists"):
        schedule_storage.add_schedule(make_schedule(pipeline_name="other"))
    assert schedule_storage.get_schedule("nightly").pipeline_name == "etl"


def test_update_replaces_every_field(schedule_storage):
    original = schedule_storage.add_schedule(make_schedule())
    changed = dataclasses.replace(
        original.with_status(ScheduleStatus.STOPPED),
        cron_schedule="*/5 * * * *",
        fingerprint="0" * 64,
        python_file=None,
        module_name="pkg.mod",
    )
    assert schedule_storage.update_schedule(changed) == changed
    stored = schedule_storage.get_schedule("nightly")
    assert stored == changed
    assert stored.status is ScheduleStatus.STOPPED
    assert stored.updated_at >= original.updated_at and stored.created_at == original.created_at


def test_update_of_unknown_schedule_is_an_error(schedule_storage):
    with pytest.raises(DagsterScheduleNotFoundError, match="No schedule named 'ghost'"):
        schedule_storage.update_schedule(make_schedule("ghost"))
    assert schedule_storage.all_schedules() == []


def test_delete_and_wipe(schedule_storage):
    for name in ("a", "b", "c"):
        schedule_storage.add_schedule(make_schedule(name))
    schedule_storage.delete_schedule("b")
    schedule_storage.delete_schedule("never-there")
    assert [s.name for s in schedule_storage.all_schedules()] == ["a", "c"]
    schedule_storage.wipe()
    assert schedule_storage.all_schedules() == []


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """(an engine on a new empty database, a function opening schedule storage on it)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'schedules.db'}")
        yield engine, lambda: SqliteScheduleStorage(str(tmp_path))
    else:
        url = request.getfixturevalue("fresh_postgres_url")
        engine = create_engine(make_url(url).set(drivername="postgresql+psycopg2"))
        yield engine, lambda: PostgresScheduleStorage(url)
    engine.dispose()


def test_schedules_survive_reopening(database):
    _, open_storage = database
    first, second = open_storage(), open_storage()
    try:
        schedule = first.add_schedule(make_schedule())
        assert second.get_schedule("nightly") == schedule
    finally:
        first.dispose()
        second.dispose()


def test_migrate_adds_the_schedules_table_to_an_older_database(database):
    engine, open_storage = database
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, FIRST_REVISION)
    storage = open_storage()
    try:
        assert storage.upgrade() == head_revision()
        storage.add_schedule(make_schedule())
        assert [s.name for s in storage.all_schedules()] == ["nightly"]
    finally:
        storage.dispose()
