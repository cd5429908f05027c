"""Storing the events one process makes, in batches: one write per step for a fast step.

Every process that makes events (the driver, a child process, a Dask worker, an Airflow task)
stores them itself through one of these, so they are kept even if the driver dies. A failed
write is retried a few times with the reason logged; the batch stays pending meanwhile. When it
still cannot be stored, the next `record`, `flush` or `close` raises DagsterEventStorageError
saying why, so the step or run fails instead of losing events.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from dagster_core.errors import DagsterEventStorageError
from dagster_core.events import STEP_END_EVENTS, STEP_START_EVENTS, DagsterEvent, DagsterEventType

_logger = logging.getLogger(__name__)

# Stored at once: the ends of steps and runs, and what must be seen before anything else happens.
_FLUSH_NOW = frozenset(
    {
        DagsterEventType.STEP_UP_FOR_RETRY,
        DagsterEventType.ENGINE_EVENT,
        DagsterEventType.PIPELINE_START,
        DagsterEventType.PIPELINE_SUCCESS,
        DagsterEventType.PIPELINE_FAILURE,
        DagsterEventType.PIPELINE_CANCELED,
        *STEP_END_EVENTS,
    }
)
# Stored within FLUSH_DELAY seconds: a step's start and its log lines, so a watcher sees a long
# step running (and a lost attempt leaves its start) while a fast step costs one write.
_FLUSH_SOON = STEP_START_EVENTS | {DagsterEventType.LOG_MESSAGE}
FLUSH_DELAY = 0.05
STORE_ATTEMPTS = 5  # tries of one batch before the recorder gives up, backing off from 0.1 s
_BACKLOG = 10  # full batches pending, while one is written, before `record` waits for storage


class EventRecorder:
    """Writes events to storage in batches (per step, or sooner for a slow step). Safe to use
    from several threads while its timer flushes from another. One batch is written at a time,
    in the order the events were recorded, and without holding the lock: a step goes on while
    its earlier events are written, unless one of them must be stored before it does.

    `batch_step_ends`: store the ends of steps within FLUSH_DELAY rather than at once, so that
    fast steps cost a write per FLUSH_DELAY, not one each. For a process whose steps' ends
    reach the run loop some other way than through the log (the driver running steps in
    process; a Dask worker, whose driver asks for a `flush` once every step has completed).
    Elsewhere a step's end is stored before its completion is reported."""

    def __init__(
        self,
        store_events: Callable[[Sequence[DagsterEvent]], None],
        max_batch: int = 100,
        batch_step_ends: bool = False,
    ):
        self._store_events = store_events
        self._max_batch = max_batch
        self._flush_now = _FLUSH_NOW - STEP_END_EVENTS if batch_step_ends else _FLUSH_NOW
        self._flush_soon_types = _FLUSH_SOON | STEP_END_EVENTS if batch_step_ends else _FLUSH_SOON
        self._pending: list[DagsterEvent] = []
        self._lock = threading.Condition(threading.Lock())
        self._writing = False  # a batch is being written, with the lock released
        self._due: float | None = None
        self._failures = 0
        self._error: DagsterEventStorageError | None = None
        self._flusher: threading.Thread | None = None
        self._closed = False

    def record(self, event: DagsterEvent) -> DagsterEvent:
        with self._lock:
            self._raise_if_failed()
            self._pending.append(event)
            if event.event_type in self._flush_now:
                self._store_until_done()
            elif len(self._pending) >= _BACKLOG * self._max_batch:
                self._store_until_done()  # storage is falling behind: wait for it
            elif len(self._pending) >= self._max_batch:
                self._flush_soon(0.0)
            elif event.event_type in self._flush_soon_types:
                self._flush_soon(FLUSH_DELAY)
        return event

    def flush(self) -> None:
        """Store what is pending, in one batch, retrying a failed write."""
        with self._lock:
            self._raise_if_failed()
            self._store_until_done()

    def close(self) -> None:
        """Store what is pending and stop the flusher thread."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        if self._flusher is not None:
            self._flusher.join()
        self.flush()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _try_store(self) -> bool:
        """One attempt at storing what is pending, once a write under way has ended. The lock is
        released while writing; on failure the batch goes back in front of what is pending."""
        while self._writing:
            self._lock.wait()
        self._due = None
        batch, self._pending = self._pending, []
        if not batch:
            return True
        self._writing = True
        self._lock.release()
        stored = False
        try:
            self._store_events(batch)
            stored = True
        except Exception as exc:
            error: Exception | None = exc
        else:
            error = None
        finally:
            self._lock.acquire()
            self._writing = False
            self._lock.notify_all()
            if not stored:
                self._pending = batch + self._pending
        if error is not None:
            self._failures += 1
            _logger.warning(
                "Could not store %d event(s) of run %s (attempt %d of %d): %s: %s",
                len(batch),
                batch[0].run_id,
                self._failures,
                STORE_ATTEMPTS,
                type(error).__name__,
                error,
            )
            if self._failures >= STORE_ATTEMPTS:
                self._error = DagsterEventStorageError(
                    f"Could not store {len(self._pending)} event(s) of run {batch[0].run_id} "
                    f"after {STORE_ATTEMPTS} attempts: {type(error).__name__}: {error}"
                )
            return False
        self._failures = 0
        return True

    def _backoff(self) -> float:
        return min(0.1 * 2 ** (self._failures - 1), 2.0)

    def _store_until_done(self) -> None:
        while not self._try_store():
            self._raise_if_failed()
            self._lock.wait(self._backoff())

    def _flush_soon(self, delay: float) -> None:
        due = time.monotonic() + delay
        if self._due is None or due < self._due:
            self._due = due
            self._lock.notify_all()
        if self._flusher is None and not self._closed:
            self._flusher = threading.Thread(
                target=self._flush_when_due, daemon=True, name="dagster-event-flusher"
            )
            self._flusher.start()

    def _flush_when_due(self) -> None:
        """One thread per recorder: flushes FLUSH_DELAY after a start or log line, or at once
        when a batch is full, if nothing else flushed first, and again after a backoff when that
        write failed; ends with `close` or when the events cannot be stored (the next record
        raises)."""
        with self._lock:
            while not self._closed and self._error is None:
                if self._due is None:
                    self._lock.wait()
                elif (delay := self._due - time.monotonic()) > 0:
                    self._lock.wait(delay)
                elif not self._try_store() and self._error is None:
                    self._due = time.monotonic() + self._backoff()
