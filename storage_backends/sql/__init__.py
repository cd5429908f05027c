"""What the SQL storages share: their errors and `SqlDatabase`, an engine with its backend's
rules for beginning transactions and retrying them.

Most work runs through SQLAlchemy Core in a transaction (`read`, `write`). The few reads that
every step makes on every worker (`fetch`) run one statement on a pooled DBAPI connection
instead: building SQLAlchemy's execution context and result costs several times what SQLite
takes to answer, and on a busy worker that time is taken from the step. Errors are turned into
SQLAlchemy's as its own execution would turn them (a dropped connection is invalidated), so one
retry rule covers both paths.
"""

from __future__ import annotations

import logging
import os
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from dagster_core.errors import DagsterError
from dagster_core.redact import redact_text
from storage_backends.sql.migrate import current_revision, has_tables, head_revision, migrate

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Execution option that tells a backend a transaction only reads (SQLite then need not lock).
READ_ONLY = "dagster_read_only"


def driver_sql(dialect: Dialect, sql: str) -> str:
    """`sql` with its `?` placeholders in the paramstyle of the dialect's DBAPI driver."""
    return sql if dialect.paramstyle == "qmark" else sql.replace("?", "%s")


class DagsterStorageConnectionError(DagsterError):
    """The storage's database cannot be reached or opened."""


class DagsterRunAlreadyExistsError(DagsterError, ValueError):
    """A run was added under an id that run storage already holds."""


class SqlDatabase(ABC):
    """An engine plus its backend's rules; runs each transaction as one function, retried."""

    #: how many times a transaction that failed with a transient error is run again
    max_retries = 0

    def __init__(self, engine: Engine, location: str, read_engine: Engine | None = None):
        """`read_engine`, when given, runs the reads: say, one whose connections never begin a
        transaction."""
        self.engine = engine
        self.location = location
        self._read_engine = read_engine or engine
        for pooled in {engine, self._read_engine}:
            _dispose_in_forked_children(pooled)
        self._ensure_schema()

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in a read-only transaction."""
        return self._run(work, {READ_ONLY: True}, self._read_engine)

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in a write transaction, committed when it returns."""
        return self._run(work, {}, self.engine)

    def fetch(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        """The rows of one read-only statement in driver SQL with `?` placeholders, run on a
        pooled DBAPI connection of the read engine (no transaction is begun: one statement
        reads one snapshot)."""
        engine = self._read_engine
        sql = driver_sql(engine.dialect, sql)
        return self._retrying(lambda: self._fetch_once(engine, sql, tuple(params)))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        self._read_engine.dispose()

    @abstractmethod
    def is_transient(self, error: DBAPIError) -> bool:
        """Whether running the same transaction again may succeed."""

    def retry_delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        return 0.0

    def connection_error(self, error: OperationalError) -> DagsterStorageConnectionError:
        """The error to raise when no connection can be opened."""
        reason = redact_text(str(error.orig).strip().splitlines()[0])
        return DagsterStorageConnectionError(f"Cannot open the database {self.location}: {reason}")

    def _run(self, work: Callable[[Connection], T], options: dict, engine: Engine) -> T:
        def transaction() -> T:
            with self._connect(engine, options) as connection, connection.begin():
                return work(connection)

        return self._retrying(transaction)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """`attempt()`, run again after a transient error, up to `max_retries` times."""
        retries = 0
        while True:
            try:
                return attempt()
            except DBAPIError as error:
                retries += 1
                if retries > self.max_retries or not self.is_transient(error):
                    raise
                logger.debug("Retrying a transaction on %s after: %s", self.location, error.orig)
                time.sleep(self.retry_delay(retries))

    def _fetch_once(self, engine: Engine, sql: str, params: tuple) -> list[tuple]:
        dialect = engine.dialect
        dbapi_error = dialect.loaded_dbapi.Error
        try:
            connection = engine.raw_connection()
        except dbapi_error as orig:
            error = DBAPIError.instance(None, None, orig, dbapi_error, dialect=dialect)
            if isinstance(error, OperationalError):
                raise self.connection_error(error) from None
            raise error from orig
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(sql, params)
                return cursor.fetchall()
            finally:
                cursor.close()
        except dbapi_error as orig:
            invalidated = dialect.is_disconnect(orig, connection.dbapi_connection, None)
            if invalidated:
                # as SQLAlchemy's own execution does: every connection the pool made before this
                # one is recycled at its next checkout (a restarted server dropped them all)
                engine.pool._invalidate(connection, orig)
            raise DBAPIError.instance(
                sql, params, orig, dbapi_error, connection_invalidated=invalidated, dialect=dialect
            ) from orig
        finally:
            connection.close()

    def _connect(self, engine: Engine, options: dict) -> Connection:
        try:
            connection = engine.connect()
        except OperationalError as error:
            raise self.connection_error(error) from None
        return connection.execution_options(**options)

    def _ensure_schema(self) -> None:
        """Create the schema in a new database; warn about one that needs migrating.

        An older database still opens, so that `dagster instance migrate` can load the instance
        and upgrade it."""
        revision, tables = self.read(
            lambda c: (revision := current_revision(c), revision is not None or has_tables(c))
        )
        head = head_revision()
        if not tables:
            migrate(self.engine)
        elif revision != head:
            logger.warning(
                "The database %s has schema revision %s and this version of dagster uses %s: "
                "run `dagster instance migrate` to upgrade it.",
                self.location,
                revision or "(none)",
                head,
            )


_fork_safe: weakref.WeakSet[Engine] = weakref.WeakSet()


def _dispose_in_forked_children(engine: Engine) -> None:
    """A forked child must not reuse the parent's pooled connections (their sockets are shared):
    have it drop them, once per engine however many storages share it."""
    if engine not in _fork_safe:
        _fork_safe.add(engine)
        engine_ref = weakref.ref(engine)
        os.register_at_fork(after_in_child=lambda: _dispose_in_child(engine_ref))


def _dispose_in_child(engine_ref: weakref.ref[Engine]) -> None:
    engine = engine_ref()
    if engine is not None:
        engine.dispose(close=False)
