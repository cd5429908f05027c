"""SQLite run, event-log and schedule storage: the local default, files under one directory.

Many processes may write at once (a multiprocess run's steps): the database is in WAL mode so
readers never wait, and every write transaction begins IMMEDIATE, taking the write lock up front
and waiting for it (busy_timeout) instead of failing halfway; "locked" errors left are retried.
Reads begin no transaction: each statement reads a committed state of its own, as on Postgres.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError

from dagster_core.config import ConfigString, Field
from storage_backends.sql import READ_ONLY, SqlDatabase
from storage_backends.sql.event_log import SqlEventLogStorage
from storage_backends.sql.run_storage import SqlRunStorage
from storage_backends.sql.schedule_storage import SqlScheduleStorage

BUSY_TIMEOUT_MS = 30_000
POLL_INTERVAL = 0.1  # seconds between two looks for new events of watched runs


def _configure_connection(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Transactions are begun by _begin below, not by the sqlite3 module.
    dbapi_connection.isolation_level = None
    for pragma in (
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",  # durable across process crashes in WAL mode
    ):
        dbapi_connection.execute(pragma)


def _begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    if not read_only:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class SqliteDatabase(SqlDatabase):
    """A SQLite file, created with its directory when missing."""

    max_retries = 10

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(f"sqlite:///{path}")
        event.listen(engine, "connect", _configure_connection)
        event.listen(engine, "begin", _begin)
        super().__init__(engine, str(path))

    def is_transient(self, error: DBAPIError) -> bool:
        return isinstance(error, OperationalError) and "locked" in str(error.orig)

    def retry_delay(self, attempt: int) -> float:
        return random.uniform(0.5, 1.0) * min(0.05 * 2**attempt, 2.0)


class SqliteRunStorage(SqlRunStorage):
    """Runs in `<base_dir>/runs.db`."""

    def __init__(self, base_dir: str):
        super().__init__(SqliteDatabase(Path(base_dir) / "runs.db"))

    @classmethod
    def config_schema(cls) -> object:
        return {"base_dir": Field(ConfigString)}


class SqliteScheduleStorage(SqlScheduleStorage):
    """Schedules in `<base_dir>/schedules.db`."""

    def __init__(self, base_dir: str):
        super().__init__(SqliteDatabase(Path(base_dir) / "schedules.db"))

    @classmethod
    def config_schema(cls) -> object:
        return {"base_dir": Field(ConfigString)}


class SqliteEventLogStorage(SqlEventLogStorage):
    """Events in `<base_dir>/event_log.db`; watchers poll it every POLL_INTERVAL seconds."""

    def __init__(self, base_dir: str):
        super().__init__(SqliteDatabase(Path(base_dir) / "event_log.db"))

    @classmethod
    def config_schema(cls) -> object:
        return {"base_dir": Field(ConfigString)}

    def _wait_for_changes(self) -> set[str]:
        self._stopping.wait(POLL_INTERVAL)
        return self._watched_runs()
