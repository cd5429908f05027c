"""Schema versions: create a new database at head, upgrade an older one, say where one stands."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from storage_backends.sql.schema import metadata

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
FIRST_REVISION = "0001"
# Serializes concurrent migrations of one Postgres database (SQLite's writes already are serial).
_PG_MIGRATION_LOCK = 7_347_120_105
_VERSION_TABLE = "alembic_version"  # where alembic stamps the revision


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    """The revision this code's schema is at."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is stamped with; None when it was never stamped. Read directly
    (alembic's MigrationContext takes several times as long): every process that opens an
    instance, every Dask worker once per run among them, asks this of each SQL storage."""
    if not inspect(connection).has_table(_VERSION_TABLE):
        return None
    revisions = connection.exec_driver_sql(f"SELECT version_num FROM {_VERSION_TABLE}").scalars()
    return next(iter(revisions), None)


def has_tables(connection: Connection) -> bool:
    """Whether any of the schema's tables exist (an unstamped database from before versioning)."""
    names = set(inspect(connection).get_table_names())
    return any(table in names for table in metadata.tables)


def schema_version(engine: Engine) -> str | None:
    """The database's current revision; None for a database that was never stamped."""
    with engine.connect() as connection:
        return current_revision(connection)


def migrate(engine: Engine) -> None:
    """Bring the database to the head revision without losing rows; safe to run again."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        config = _alembic_config(connection)
        if current_revision(connection) is None:
            if not has_tables(connection):
                metadata.create_all(connection)
                command.stamp(config, "head")
                return
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, "head")
