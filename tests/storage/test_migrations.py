"""Schema versions: new databases at head, older ones upgraded by `migrate` without losing rows."""

import logging

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, make_url, select

from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.serdes import serialize_value
from dagster_core.storage.runs import PipelineRun, RunsFilter
from storage_backends.postgres import PostgresRunStorage
from storage_backends.sql.migrate import (
    FIRST_REVISION,
    MIGRATIONS_DIR,
    head_revision,
    migrate,
    schema_version,
)
from storage_backends.sql.schema import event_logs, metadata, run_tags, runs
from storage_backends.sqlite import SqliteRunStorage


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, tmp_path):
    """(engine on a new empty database, a function opening run storage on that database)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'runs.db'}")
        yield engine, lambda: SqliteRunStorage(str(tmp_path))
    else:
        url = request.getfixturevalue("fresh_postgres_url")
        engine = create_engine(make_url(url).set(drivername="postgresql+psycopg2"))
        yield engine, lambda: PostgresRunStorage(url)
    engine.dispose()


def upgrade_to(engine, revision: str) -> None:
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def insert_rows(engine) -> PipelineRun:
    run = PipelineRun("old-run", "pipe", tags={"team": "x"})
    event = DagsterEvent(DagsterEventType.PIPELINE_START, "old-run", "pipe", message="start")
    with engine.begin() as connection:
        connection.execute(
            runs.insert().values(
                run_id=run.run_id,
                pipeline_name=run.pipeline_name,
                status=run.status.value,
                created_at=run.created_at,
                updated_at=run.updated_at,
                body=serialize_value(run),
            )
        )
        connection.execute(run_tags.insert().values(run_id=run.run_id, key="team", value="x"))
        connection.execute(
            event_logs.insert().values(
                run_id=event.run_id,
                event_type=event.event_type.value,
                timestamp=event.timestamp,
                body=serialize_value(event),
            )
        )
    return run


def assert_rows_kept(engine, open_run_storage, run: PipelineRun) -> None:
    with engine.connect() as connection:
        for table in (runs, run_tags, event_logs):
            assert connection.execute(select(func.count()).select_from(table)).scalar() == 1
    storage = open_run_storage()
    try:
        assert storage.get_runs(RunsFilter(tags={"team": "x"})) == [run]
    finally:
        storage.dispose()


def test_new_database_is_created_at_head(target):
    engine, open_run_storage = target
    open_run_storage().dispose()
    assert schema_version(engine) == head_revision()
    migrate(engine)
    assert schema_version(engine) == head_revision()


def test_migrate_from_first_revision_keeps_rows(target):
    engine, open_run_storage = target
    upgrade_to(engine, FIRST_REVISION)
    run = insert_rows(engine)
    migrate(engine)
    assert schema_version(engine) == head_revision()
    assert_rows_kept(engine, open_run_storage, run)


def test_unstamped_database_is_stamped_without_losing_rows(target, caplog):
    engine, open_run_storage = target
    metadata.create_all(engine, tables=[runs, run_tags, event_logs])  # from before versioning
    run = insert_rows(engine)
    assert schema_version(engine) is None

    with caplog.at_level(logging.WARNING):
        open_run_storage().dispose()
    assert "dagster instance migrate" in caplog.text

    migrate(engine)
    assert schema_version(engine) == head_revision()
    storage = open_run_storage()  # as `dagster instance migrate` does: again, idempotent
    try:
        assert storage.upgrade() == head_revision()
    finally:
        storage.dispose()
    assert_rows_kept(engine, open_run_storage, run)


def test_migrations_build_the_declared_schema(target):
    engine, _ = target
    upgrade_to(engine, "head")
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
