"""Storing and printing a run's events, batched: one write per step for a fast step."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dagster_core.events import (
    STEP_END_EVENTS,
    DagsterEvent,
    DagsterEventType,
    engine_step_failure,
)
from dagster_core.execution.console import log_event

# Stored at once: the ends of steps and runs, and what must be seen before anything else happens.
_FLUSH_NOW = frozenset(
    {
        DagsterEventType.STEP_RETRY,
        DagsterEventType.ENGINE_EVENT,
        DagsterEventType.PIPELINE_START,
        DagsterEventType.PIPELINE_SUCCESS,
        DagsterEventType.PIPELINE_FAILURE,
        DagsterEventType.PIPELINE_CANCELED,
        *STEP_END_EVENTS,
    }
)
# Stored within FLUSH_DELAY seconds: a step's start and its log lines, so a watcher sees a long
# step running (and a lost attempt leaves its STEP_START) while a fast step costs one write.
_FLUSH_SOON = frozenset({DagsterEventType.STEP_START, DagsterEventType.LOG_MESSAGE})
FLUSH_DELAY = 0.05


@dataclass(frozen=True)
class StoredEvent:
    """An event that a worker already wrote to the instance: the driver passes it on unstored."""

    event: DagsterEvent


class EventRecorder:
    """Writes events to storage in batches (per step, or sooner for a slow step), prints them at
    the console level, and knows which steps are running. Safe to use from one thread while its
    timer flushes from another."""

    def __init__(
        self,
        store_events: Callable[[Sequence[DagsterEvent]], None],
        log_level: int,
        max_batch: int = 100,
    ):
        self._store_events = store_events
        self._log_level = log_level
        self._max_batch = max_batch
        self._pending: list[DagsterEvent] = []
        self._lock = threading.Condition()
        self._due: float | None = None
        self._flusher: threading.Thread | None = None
        self._closed = False
        self.running: dict[str, DagsterEvent] = {}
        self.failed: list[str] = []

    def record(self, item: DagsterEvent | StoredEvent) -> DagsterEvent:
        if isinstance(item, StoredEvent):
            event = item.event
        else:
            event = item
            with self._lock:
                self._pending.append(event)
        log_event(event, self._log_level)
        if event.step_key is not None:
            if event.event_type is DagsterEventType.STEP_START:
                self.running[event.step_key] = event
            elif event.event_type in STEP_END_EVENTS:
                self.running.pop(event.step_key, None)
                if event.event_type is DagsterEventType.STEP_FAILURE:
                    self.failed.append(event.step_key)
        if event.event_type in _FLUSH_NOW or len(self._pending) >= self._max_batch:
            self.flush()
        elif event.event_type in _FLUSH_SOON:
            self._flush_soon()
        return event

    def flush(self) -> None:
        """Store what is pending, in one batch."""
        with self._lock:
            self._store_pending()

    def close(self) -> None:
        """Store what is pending and stop the flusher thread."""
        with self._lock:
            self._store_pending()
            self._closed = True
            self._lock.notify()
        if self._flusher is not None:
            self._flusher.join()

    def _store_pending(self) -> None:
        self._due = None
        batch, self._pending = self._pending, []
        if batch:
            self._store_events(batch)

    def _flush_soon(self) -> None:
        with self._lock:
            if self._due is None:
                self._due = time.monotonic() + FLUSH_DELAY
                self._lock.notify()
            if self._flusher is None and not self._closed:
                self._flusher = threading.Thread(
                    target=self._flush_when_due, daemon=True, name="dagster-event-flusher"
                )
                self._flusher.start()

    def _flush_when_due(self) -> None:
        """One thread per recorder: flushes FLUSH_DELAY after a start or log line, if nothing
        else flushed first; ends with `close`."""
        with self._lock:
            while not self._closed:
                if self._due is None:
                    self._lock.wait()
                elif (delay := self._due - time.monotonic()) > 0:
                    self._lock.wait(delay)
                else:
                    self._store_pending()

    def cancel_running(self, reason: str) -> None:
        """Mark every step that started and did not end as failed because the run stopped."""
        for key, start in list(self.running.items()):
            self.record(
                engine_step_failure(
                    start.run_id,
                    start.pipeline_name,
                    key,
                    start.solid_name,
                    f"Step {key} canceled: {reason}",
                    attempt=start.attempt,
                    canceled=True,
                )
            )
