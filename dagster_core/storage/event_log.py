"""The EventLogStorage interface, with the in-memory implementation."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence

from dagster_core.events import DagsterEvent


class EventLogStorage(ABC):
    """Where every event of every run is kept, in the order it was stored."""

    @abstractmethod
    def store_events(self, events: Sequence[DagsterEvent]) -> None:
        """Store a batch of events (one transaction where the backend has them)."""

    @abstractmethod
    def get_logs_for_run(self, run_id: str, cursor: int = -1) -> list[DagsterEvent]:
        """The run's events after position `cursor` (-1: from the first)."""

    @abstractmethod
    def wipe(self) -> None: ...


class InMemoryEventLogStorage(EventLogStorage):
    """Events kept in this process only: the ephemeral instance's event log."""

    def __init__(self) -> None:
        self._events: dict[str, list[DagsterEvent]] = defaultdict(list)
        self._lock = threading.Lock()

    def store_events(self, events: Sequence[DagsterEvent]) -> None:
        with self._lock:
            for event in events:
                self._events[event.run_id].append(event)

    def get_logs_for_run(self, run_id: str, cursor: int = -1) -> list[DagsterEvent]:
        with self._lock:
            return list(self._events.get(run_id, ())[cursor + 1 :])

    def wipe(self) -> None:
        with self._lock:
            self._events.clear()
