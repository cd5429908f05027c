"""SqlEventLogStorage: events in the event_logs table, shared by SQLite and Postgres.

Watching runs one background thread per storage object. The backend says when to look
(`_wait_for_changes`: SQLite polls, Postgres waits for notifications); this class fetches each
watcher's new events and calls its callback in stored order.
"""

from __future__ import annotations

import logging
import threading
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select

from dagster_core.events import DagsterEvent
from dagster_core.serdes import deserialize_value, serialize_value
from dagster_core.storage.event_log import EventCallback, EventLogStorage
from storage_backends.sql import SqlDatabase, driver_sql
from storage_backends.sql.schema import event_logs
from storage_backends.sql.storage import SqlStorage

logger = logging.getLogger(__name__)


# The two statements every step runs (on every worker), as driver SQL: building and compiling
# SQLAlchemy statements costs several times what SQLite takes to run them (the read goes through
# SqlDatabase.fetch). A batch of events is one INSERT of many rows (psycopg2's executemany would
# send a statement, a round trip, per row).
_INSERT = "INSERT INTO event_logs (run_id, step_key, event_type, timestamp, body) VALUES "
_ROW = "(?, ?, ?, ?, ?)"
_ROWS_PER_INSERT = 200
_STEP_LOGS = "SELECT body FROM event_logs WHERE run_id = ? AND step_key = ? ORDER BY id"


@dataclass(eq=False)
class _Watcher:
    """One callback on one run, and how far it has been fed."""

    run_id: str
    callback: EventCallback
    cursor: int
    last_id: int | None = None
    active: bool = True


class SqlEventLogStorage(SqlStorage, EventLogStorage):
    """Each event is a row whose body is the serialized DagsterEvent, in autoincrement id order."""

    def __init__(self, database: SqlDatabase):
        super().__init__(database)
        self._watch_lock = threading.Lock()
        self._watchers: dict[str, list[_Watcher]] = {}
        self._pending: set[str] = set()  # runs with a new watcher whose backlog is due
        self._watch_thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def store_events(self, events: Sequence[DagsterEvent]) -> None:
        if not events:
            return
        rows = [
            (
                event.run_id,
                event.step_key,
                event.event_type.value,
                event.timestamp,
                serialize_value(event),
            )
            for event in events
        ]
        run_ids = sorted({event.run_id for event in events})

        def insert(connection: Connection) -> None:
            self._before_insert(connection, run_ids)
            for start in range(0, len(rows), _ROWS_PER_INSERT):
                chunk = rows[start : start + _ROWS_PER_INSERT]
                sql = driver_sql(connection.dialect, _INSERT + ", ".join([_ROW] * len(chunk)))
                connection.exec_driver_sql(sql, tuple(v for row in chunk for v in row))

        self._db.write(insert)

    def _before_insert(self, connection: Connection, run_ids: list[str]) -> None:
        """Backend hook, in the storing transaction before its rows are inserted."""

    def get_logs_for_run(
        self, run_id: str, cursor: int = -1, limit: int | None = None
    ) -> list[DagsterEvent]:
        query = (
            select(event_logs.c.body)
            .where(event_logs.c.run_id == run_id)
            .order_by(event_logs.c.id)
            .offset(cursor + 1)
            .limit(None if limit is None else max(limit, 0))
        )
        bodies = self._db.read(lambda connection: connection.execute(query).scalars().all())
        return [deserialize_value(body) for body in bodies]

    def count_events(self, run_id: str) -> int:
        query = select(func.count()).select_from(event_logs).where(event_logs.c.run_id == run_id)
        return self._db.read(lambda connection: connection.execute(query).scalar_one())

    def get_logs_for_runs(self, run_ids: Sequence[str]) -> dict[str, list[DagsterEvent]]:
        query = (
            select(event_logs.c.run_id, event_logs.c.body)
            .where(event_logs.c.run_id.in_(list(run_ids)))
            .order_by(event_logs.c.id)
        )
        rows = self._db.read(lambda connection: connection.execute(query).all())
        logs: dict[str, list[DagsterEvent]] = {run_id: [] for run_id in run_ids}
        for run_id, body in rows:
            logs[run_id].append(deserialize_value(body))
        return logs

    def get_logs_for_step(self, run_id: str, step_key: str) -> list[DagsterEvent]:
        rows = self._db.fetch(_STEP_LOGS, (run_id, step_key))
        return [deserialize_value(body) for (body,) in rows]

    def delete_events(self, run_id: str) -> None:
        query = delete(event_logs).where(event_logs.c.run_id == run_id)
        self._db.write(lambda connection: connection.execute(query))

    def wipe(self) -> None:
        self._db.write(lambda connection: connection.execute(delete(event_logs)))

    def watch(self, run_id: str, cursor: int, callback: EventCallback) -> None:
        with self._watch_lock:
            self._watchers.setdefault(run_id, []).append(_Watcher(run_id, callback, cursor))
            self._pending.add(run_id)
            if self._watch_thread is None or not self._watch_thread.is_alive():
                self._stopping.clear()
                self._watch_thread = threading.Thread(
                    target=self._watch_loop, name=f"watch {self!r}", daemon=True
                )
                self._watch_thread.start()

    def end_watch(self, run_id: str, callback: EventCallback) -> None:
        with self._watch_lock:
            watchers = self._watchers.get(run_id, [])
            for watcher in watchers:
                if watcher.callback == callback:
                    watcher.active = False
            remaining = [watcher for watcher in watchers if watcher.active]
            if remaining:
                self._watchers[run_id] = remaining
            else:
                self._watchers.pop(run_id, None)

    def dispose(self) -> None:
        self._stopping.set()
        thread = self._watch_thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        super().dispose()

    @abstractmethod
    def _wait_for_changes(self) -> set[str]:
        """Block briefly (about 0.1 s at most); return the ids of runs that may have new events."""

    def _close_watch(self) -> None:
        """Release what `_wait_for_changes` holds; called by the watch thread as it ends."""

    def _watched_runs(self) -> set[str]:
        with self._watch_lock:
            return set(self._watchers)

    def _watch_loop(self) -> None:
        """Feed watchers until disposed, or until the last watcher has ended (a later `watch`
        starts a new thread)."""
        try:
            while not self._stopping.is_set():
                changed = self._wait_for_changes()
                with self._watch_lock:
                    if not self._watchers and not self._pending:
                        # closed under the lock, before a new thread may open its own
                        self._close_watch()
                        self._watch_thread = None
                        return
                    changed |= self._pending
                    self._pending.clear()
                    due = [w for run_id in changed for w in self._watchers.get(run_id, ())]
                for watcher in due:
                    self._feed(watcher)
            self._close_watch()
        except BaseException:
            self._close_watch()
            raise

    def _feed(self, watcher: _Watcher) -> None:
        """Call the watcher's callback with each event stored after its cursor."""
        run_id = watcher.run_id
        query = select(event_logs.c.id, event_logs.c.body).where(event_logs.c.run_id == run_id)
        if watcher.last_id is None:
            query = query.order_by(event_logs.c.id).offset(watcher.cursor + 1)
        else:
            query = query.where(event_logs.c.id > watcher.last_id).order_by(event_logs.c.id)
        try:
            rows = self._db.read(lambda connection: connection.execute(query).all())
        except Exception:
            logger.warning(
                "Could not read new events of run %s; will try again", run_id, exc_info=True
            )
            with self._watch_lock:
                self._pending.add(run_id)
            return
        for row_id, body in rows:
            if not watcher.active:
                return
            try:
                watcher.callback(deserialize_value(body))
            except Exception:
                logger.exception("A watcher of run %s raised; it keeps receiving events", run_id)
            watcher.cursor += 1
            watcher.last_id = row_id
