"""Storing and printing a run's events in the driver, batched per step phase."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dagster_core.events import STEP_END_EVENTS, DagsterEvent, DagsterEventType
from dagster_core.execution.console import log_event

_FLUSH_AFTER = frozenset(
    {
        DagsterEventType.STEP_START,
        DagsterEventType.STEP_RETRY,
        DagsterEventType.LOG_MESSAGE,
        DagsterEventType.ENGINE_EVENT,
        DagsterEventType.PIPELINE_START,
        DagsterEventType.PIPELINE_SUCCESS,
        DagsterEventType.PIPELINE_FAILURE,
        DagsterEventType.PIPELINE_CANCELED,
        *STEP_END_EVENTS,
    }
)


@dataclass(frozen=True)
class StoredEvent:
    """An event that a worker already wrote to the instance: the driver passes it on unstored."""

    event: DagsterEvent


class EventRecorder:
    """Writes events to storage one batch per step phase (start, end, log line) instead of
    one transaction per event, prints them at the console level, and knows which steps are
    running."""

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
        self.running: dict[str, DagsterEvent] = {}
        self.failed: list[str] = []

    def record(self, item: DagsterEvent | StoredEvent) -> DagsterEvent:
        if isinstance(item, StoredEvent):
            event = item.event
        else:
            event = item
            self._pending.append(event)
        log_event(event, self._log_level)
        if event.step_key is not None:
            if event.event_type is DagsterEventType.STEP_START:
                self.running[event.step_key] = event
            elif event.event_type in STEP_END_EVENTS:
                self.running.pop(event.step_key, None)
                if event.event_type is DagsterEventType.STEP_FAILURE:
                    self.failed.append(event.step_key)
        if event.event_type in _FLUSH_AFTER or len(self._pending) >= self._max_batch:
            self.flush()
        return event

    def flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self._store_events(batch)

    def cancel_running(self, reason: str) -> None:
        """Mark every step that started and did not end as failed because the run stopped."""
        for key, start in list(self.running.items()):
            self.record(
                DagsterEvent(
                    DagsterEventType.STEP_FAILURE,
                    start.run_id,
                    start.pipeline_name,
                    message=f"Step {key} canceled: {reason}",
                    step_key=key,
                    solid_name=start.solid_name,
                    attempt=start.attempt,
                    level=logging.ERROR,
                    data={"canceled": True, "outputs": ()},
                )
            )
