"""Schedule records and the ScheduleStorage interface, with the in-memory implementation.

The instance keeps here what `dagster schedule up` decided, so that `schedule list`, `start` and
`stop` work in any later process without loading the code again.
"""

from __future__ import annotations

import threading
import time
from abc import abstractmethod
from dataclasses import dataclass, field, replace
from enum import StrEnum

from dagster_core.errors import DagsterError
from dagster_core.storage.base import Storage


class DagsterScheduleAlreadyExistsError(DagsterError, ValueError):
    """A schedule was added under a name that schedule storage already holds."""


class DagsterScheduleNotFoundError(DagsterError, KeyError):
    """A schedule name that schedule storage does not hold."""

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0])


class ScheduleStatus(StrEnum):
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


@dataclass(frozen=True)
class Schedule:
    """A schedule as the instance knows it: where its definition comes from, and its state."""

    name: str
    pipeline_name: str
    cron_schedule: str
    status: ScheduleStatus
    fingerprint: str  # of the definition, to tell when the code changed it
    python_file: str | None = None  # absolute path of the file defining it, or
    module_name: str | None = None  # the module defining it
    fn_name: str | None = None  # the function (or object) in it giving the repository, if any
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    @property
    def origin(self) -> tuple[str | None, str | None, str | None]:
        """Where its definition is loaded from: (python_file, module_name, fn_name)."""
        return (self.python_file, self.module_name, self.fn_name)

    def with_status(self, status: ScheduleStatus) -> Schedule:
        return replace(self, status=status, updated_at=time.time())


class ScheduleStorage(Storage):
    """Where schedule records live. Every backend passes the same shared test suite."""

    @abstractmethod
    def all_schedules(self) -> list[Schedule]:
        """Every schedule, sorted by name."""

    @abstractmethod
    def get_schedule(self, name: str) -> Schedule | None: ...

    @abstractmethod
    def add_schedule(self, schedule: Schedule) -> Schedule:
        """Store a new schedule; DagsterScheduleAlreadyExistsError if the name is taken."""

    @abstractmethod
    def update_schedule(self, schedule: Schedule) -> Schedule:
        """Replace the schedule of that name; DagsterScheduleNotFoundError if there is none."""

    @abstractmethod
    def delete_schedule(self, name: str) -> None:
        """Forget the schedule; nothing happens if there is none."""

    @abstractmethod
    def wipe(self) -> None: ...


class InMemoryScheduleStorage(ScheduleStorage):
    """Schedules kept in this process only: the ephemeral instance's schedule storage."""

    def __init__(self) -> None:
        self._schedules: dict[str, Schedule] = {}
        self._lock = threading.Lock()

    def all_schedules(self) -> list[Schedule]:
        return sorted(self._schedules.values(), key=lambda s: s.name)

    def get_schedule(self, name: str) -> Schedule | None:
        return self._schedules.get(name)

    def add_schedule(self, schedule: Schedule) -> Schedule:
        with self._lock:
            if schedule.name in self._schedules:
                raise DagsterScheduleAlreadyExistsError(
                    f"A schedule named '{schedule.name}' already exists"
                )
            self._schedules[schedule.name] = schedule
        return schedule

    def update_schedule(self, schedule: Schedule) -> Schedule:
        with self._lock:
            if schedule.name not in self._schedules:
                raise DagsterScheduleNotFoundError(f"No schedule named '{schedule.name}'")
            self._schedules[schedule.name] = schedule
        return schedule

    def delete_schedule(self, name: str) -> None:
        with self._lock:
            self._schedules.pop(name, None)

    def wipe(self) -> None:
        with self._lock:
            self._schedules.clear()
