"""Postgres run, event-log and schedule storage: one database for every process of a cluster.

Connections are pooled; a transaction whose connection was killed (a restarted server, a dropped
connection) is run again once on a new one, so connections are not pinged before each use. Reads
run without BEGIN and ROLLBACK, on pooled connections of their own that are in autocommit: under
READ COMMITTED, Postgres's default, each statement sees its own snapshot even inside a
transaction, so a read transaction would only cost two round trips.
Watchers LISTEN on a channel that every event write NOTIFYs with its run id.
"""

from __future__ import annotations

import logging
import select
import threading
from typing import Any

import psycopg2
import psycopg2.extensions
from sqlalchemy import URL, Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from dagster_core.config import ConfigString, Field
from dagster_core.redact import redact_text, redact_url
from storage_backends.sql import DagsterStorageConnectionError, SqlDatabase
from storage_backends.sql.event_log import SqlEventLogStorage
from storage_backends.sql.run_storage import SqlRunStorage
from storage_backends.sql.schedule_storage import SqlScheduleStorage

logger = logging.getLogger(__name__)

CHANNEL = "run_events"
CONNECT_TIMEOUT = 10  # seconds, unless the URL sets connect_timeout
RECONNECT_DELAY = 1.0  # seconds between two attempts to LISTEN again
URL_FORM = "postgresql://USER:PASSWORD@HOST:PORT/DATABASE"


class PostgresDatabase(SqlDatabase):
    """A Postgres database named by a URL (`URL_FORM`)."""

    max_retries = 1

    def __init__(self, postgres_url: str):
        engine, reads, self.connect_params = _engines(postgres_url)
        super().__init__(engine, redact_url(postgres_url), read_engine=reads)

    def is_transient(self, error: DBAPIError) -> bool:
        return error.connection_invalidated

    def connection_error(self, error: OperationalError) -> DagsterStorageConnectionError:
        host = self.engine.url.host or "localhost"
        port = self.engine.url.port or 5432
        reason = redact_text(str(error.orig).strip().splitlines()[0])
        return DagsterStorageConnectionError(
            f"Cannot connect to PostgreSQL at {host}:{port} ({self.location}): {reason}. "
            f"Is the server running and the URL right? Try: pg_isready -h {host} -p {port}"
        )


_EngineSet = tuple[Engine, Engine, dict[str, Any]]
_engine_sets: dict[str, _EngineSet] = {}
_engine_sets_lock = threading.Lock()


def _engines(postgres_url: str) -> _EngineSet:
    """The engine for transactions, the engine for reads and the psycopg2 connect parameters of
    a URL, made once per process: the run, event-log and schedule storages of an instance, and
    each instance a process opens (a Dask worker opens one per run), share them, so the dialect
    asks the server about itself once rather than at every storage's first connection. Disposing
    a storage closes the pooled connections; the engines connect again when next used."""
    with _engine_sets_lock:
        found = _engine_sets.get(postgres_url)
        if found is None:
            url = _parse_url(postgres_url)
            connect_args = (
                {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT}
            )
            engine = create_engine(url, connect_args=connect_args)
            _, params = engine.dialect.create_connect_args(engine.url)
            # reads get connections of their own, set to autocommit once rather than at every read
            reads = create_engine(url, connect_args=connect_args, isolation_level="AUTOCOMMIT")
            found = _engine_sets[postgres_url] = (engine, reads, {**params, **connect_args})
        return found


def _parse_url(postgres_url: str) -> URL:
    """The URL for psycopg2, or an error that shows it redacted and says what is wrong with it."""
    if postgres_url.partition("?")[0].count("@") > 1:
        raise _url_error(postgres_url, "the user or password holds an unencoded '@' (write %40)")
    try:
        return make_url(postgres_url).set(drivername="postgresql+psycopg2")
    except ArgumentError:
        raise _url_error(postgres_url, "it is not a URL") from None
    except ValueError:
        authority = postgres_url.partition("://")[2].partition("?")[0].rpartition("@")[2]
        port = authority.partition("/")[0].rpartition(":")[2]
        raise _url_error(postgres_url, f"its port {port!r} is not a number") from None


def _url_error(postgres_url: str, problem: str) -> DagsterStorageConnectionError:
    return DagsterStorageConnectionError(
        f"Cannot read the Postgres URL {redact_url(postgres_url)!r}: {problem}; expected {URL_FORM}"
    )


class PostgresRunStorage(SqlRunStorage):
    """Runs in the runs and run_tags tables of a Postgres database."""

    def __init__(self, postgres_url: str):
        super().__init__(PostgresDatabase(postgres_url))

    @classmethod
    def config_schema(cls) -> object:
        return {"postgres_url": Field(ConfigString)}


class PostgresScheduleStorage(SqlScheduleStorage):
    """Schedules in the schedules table of a Postgres database."""

    def __init__(self, postgres_url: str):
        super().__init__(PostgresDatabase(postgres_url))

    @classmethod
    def config_schema(cls) -> object:
        return {"postgres_url": Field(ConfigString)}


class PostgresEventLogStorage(SqlEventLogStorage):
    """Events in the event_logs table of a Postgres database, watched by LISTEN/NOTIFY."""

    def __init__(self, postgres_url: str):
        database = PostgresDatabase(postgres_url)
        super().__init__(database)
        self._connect_params = database.connect_params
        self._listener: psycopg2.extensions.connection | None = None

    @classmethod
    def config_schema(cls) -> object:
        return {"postgres_url": Field(ConfigString)}

    def _before_insert(self, connection: Connection, run_ids: list[str]) -> None:
        # Ids are drawn at insert but seen at commit: writers of one run take turns (the lock) so
        # that a run's id order is its commit order and no reader's cursor skips a late commit.
        # The notification reaches listeners when, and only if, the transaction commits.
        statement = text(
            "SELECT pg_advisory_xact_lock(hashtextextended(:run_id, 0)),"
            " pg_notify(:channel, :run_id)"
        )
        for run_id in run_ids:
            connection.execute(statement, {"channel": CHANNEL, "run_id": run_id})

    def _wait_for_changes(self) -> set[str]:
        if self._listener is None:
            try:
                self._listener = self._listen()
            except psycopg2.Error as error:
                logger.warning("Cannot LISTEN on %s (%s); retrying", self._db.location, error)
                self._stopping.wait(RECONNECT_DELAY)
                return set()
            return self._watched_runs()  # catch up on what was stored while not listening
        try:
            if select.select([self._listener], [], [], 0.1)[0]:
                self._listener.poll()
        except (psycopg2.Error, OSError, ValueError) as error:
            logger.warning("Lost the LISTEN connection to %s (%s)", self._db.location, error)
            self._close_watch()
            return set()
        notified = {notify.payload for notify in self._listener.notifies}
        self._listener.notifies.clear()
        return notified

    def _listen(self) -> psycopg2.extensions.connection:
        listener = psycopg2.connect(**self._connect_params)
        listener.autocommit = True
        with listener.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        return listener

    def _close_watch(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
