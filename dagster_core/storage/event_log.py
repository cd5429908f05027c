"""The EventLogStorage interface, with the in-memory implementation."""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dagster_core.events import STEP_START_EVENTS, DagsterEvent, DagsterEventType
from dagster_core.serdes import whitelist_for_serdes
from dagster_core.storage.base import Storage

EventCallback = Callable[[DagsterEvent], None]


@whitelist_for_serdes
@dataclass(frozen=True)
class StepStats:
    """One step of a run: how it ended (or None while running), when, and after how many tries."""

    step_key: str
    status: str | None
    start_time: float | None
    end_time: float | None
    attempts: int

    @property
    def duration(self) -> float | None:
        if self.start_time is None or self.end_time is None:
            return None
        return self.end_time - self.start_time


_STEP_END_STATUS = {
    DagsterEventType.STEP_SUCCESS: "SUCCESS",
    DagsterEventType.STEP_FAILURE: "FAILURE",
    DagsterEventType.STEP_SKIPPED: "SKIPPED",
}


class EventLogStorage(Storage):
    """Where every event of every run is kept, in the order it was stored."""

    @abstractmethod
    def store_events(self, events: Sequence[DagsterEvent]) -> None:
        """Store a batch of events (one transaction where the backend has them)."""

    @abstractmethod
    def get_logs_for_run(
        self, run_id: str, cursor: int = -1, limit: int | None = None
    ) -> list[DagsterEvent]:
        """The run's events after position `cursor` (0-based; -1: from the first), at most
        `limit` of them (a page, for tools that show a run's log piece by piece)."""

    @abstractmethod
    def count_events(self, run_id: str) -> int:
        """How many events the run has (without reading them)."""

    @abstractmethod
    def delete_events(self, run_id: str) -> None: ...

    @abstractmethod
    def wipe(self) -> None: ...

    @abstractmethod
    def watch(self, run_id: str, cursor: int, callback: EventCallback) -> None:
        """Call `callback` with each event of the run stored after position `cursor`, by any
        process, from a background thread, until `end_watch`."""

    @abstractmethod
    def end_watch(self, run_id: str, callback: EventCallback) -> None: ...

    def get_logs_for_step(self, run_id: str, step_key: str) -> list[DagsterEvent]:
        """The events of one step of a run, in stored order (indexed in SQL backends)."""
        return [e for e in self.get_logs_for_run(run_id) if e.step_key == step_key]

    def get_logs_for_runs(self, run_ids: Sequence[str]) -> dict[str, list[DagsterEvent]]:
        """The events of each of several runs, in stored order: one query in SQL backends, for
        tools that show many runs at once."""
        return {run_id: self.get_logs_for_run(run_id) for run_id in run_ids}

    def get_step_stats(self, run_id: str) -> list[StepStats]:
        """Each step of the run in the order it started, from its events."""
        return step_stats_from_events(self.get_logs_for_run(run_id))


def step_stats_from_events(events: Sequence[DagsterEvent]) -> list[StepStats]:
    """Each step of a run in the order it started, from the run's events in stored order."""
    stats: dict[str, dict] = {}
    for event in events:
        if event.step_key is None:
            continue
        s = stats.setdefault(
            event.step_key, {"status": None, "start": None, "end": None, "attempts": 0}
        )
        if event.event_type in STEP_START_EVENTS:
            s["attempts"] = max(s["attempts"], event.attempt)
            s["start"] = s["start"] or event.timestamp
            s["status"] = None
        elif event.event_type in _STEP_END_STATUS:
            s["status"] = _STEP_END_STATUS[event.event_type]
            s["end"] = event.timestamp
    return [
        StepStats(key, s["status"], s["start"], s["end"], s["attempts"]) for key, s in stats.items()
    ]


class InMemoryEventLogStorage(EventLogStorage):
    """Events kept in this process only: the ephemeral instance's event log."""

    def __init__(self) -> None:
        self._events: dict[str, list[DagsterEvent]] = defaultdict(list)
        self._watchers: dict[str, list[EventCallback]] = defaultdict(list)
        self._lock = threading.Lock()

    def store_events(self, events: Sequence[DagsterEvent]) -> None:
        with self._lock:
            for event in events:
                self._events[event.run_id].append(event)
            watchers = {run_id: list(cbs) for run_id, cbs in self._watchers.items()}
        for event in events:
            for callback in watchers.get(event.run_id, ()):
                callback(event)

    def delete_events(self, run_id: str) -> None:
        with self._lock:
            self._events.pop(run_id, None)

    def watch(self, run_id: str, cursor: int, callback: EventCallback) -> None:
        with self._lock:
            backlog = list(self._events.get(run_id, ())[cursor + 1 :])
            self._watchers[run_id].append(callback)
        for event in backlog:
            callback(event)

    def end_watch(self, run_id: str, callback: EventCallback) -> None:
        with self._lock:
            if callback in self._watchers.get(run_id, ()):
                self._watchers[run_id].remove(callback)

    def get_logs_for_run(
        self, run_id: str, cursor: int = -1, limit: int | None = None
    ) -> list[DagsterEvent]:
        end = None if limit is None else cursor + 1 + max(limit, 0)
        with self._lock:
            return list(self._events.get(run_id, ())[cursor + 1 : end])

    def count_events(self, run_id: str) -> int:
        with self._lock:
            return len(self._events.get(run_id, ()))

    def wipe(self) -> None:
        with self._lock:
            self._events.clear()
