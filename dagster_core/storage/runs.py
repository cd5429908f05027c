"""Run records and the RunStorage interface, with the in-memory implementation."""

from __future__ import annotations

import threading
import time
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from dagster_core.serdes import whitelist_for_serdes
from dagster_core.storage.base import Storage


@whitelist_for_serdes
class PipelineRunStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    STARTED = "STARTED"
    CANCELING = "CANCELING"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELED = "CANCELED"


ACTIVE_STATUSES = frozenset({PipelineRunStatus.STARTED, PipelineRunStatus.CANCELING})
FINISHED_STATUSES = frozenset(
    {PipelineRunStatus.SUCCESS, PipelineRunStatus.FAILURE, PipelineRunStatus.CANCELED}
)


@whitelist_for_serdes
@dataclass(frozen=True)
class PipelineRun:
    """One run of a pipeline: what was asked for, and where it stands."""

    run_id: str
    pipeline_name: str
    environment_dict: Mapping[str, Any] = field(default_factory=dict)
    mode: str = "default"
    tags: Mapping[str, str] = field(default_factory=dict)
    status: PipelineRunStatus = PipelineRunStatus.NOT_STARTED
    solid_subset: tuple[str, ...] | None = None
    step_keys_to_execute: tuple[str, ...] | None = None
    parent_run_id: str | None = None
    status_message: str | None = None
    hostname: str | None = None
    pid: int | None = None
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    def with_status(self, status: PipelineRunStatus, message: str | None = None) -> PipelineRun:
        return replace(self, status=status, status_message=message, updated_at=time.time())


@dataclass(frozen=True)
class RunsFilter:
    """Which runs to list; every field that is set must match."""

    pipeline_name: str | None = None
    status: PipelineRunStatus | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def matches(self, run: PipelineRun) -> bool:
        return (
            (self.pipeline_name is None or run.pipeline_name == self.pipeline_name)
            and (self.status is None or run.status == self.status)
            and all(run.tags.get(k) == v for k, v in self.tags.items())
        )


class RunStorage(Storage):
    """Where run records live. Every backend passes the same shared test suite."""

    @abstractmethod
    def add_run(self, run: PipelineRun) -> PipelineRun: ...

    @abstractmethod
    def update_run_status(
        self, run_id: str, status: PipelineRunStatus, message: str | None = None
    ) -> None: ...

    @abstractmethod
    def update_run_process(self, run_id: str, hostname: str, pid: int | None) -> None:
        """Record the process that drives the run: a run recorded by one process (a server
        launching it) and started by another names the second, so that its death is noticed.
        `pid` None: no process drives it for now."""

    @abstractmethod
    def get_run_by_id(self, run_id: str) -> PipelineRun | None: ...

    @abstractmethod
    def get_runs(
        self, filters: RunsFilter | None = None, cursor: str | None = None, limit: int | None = None
    ) -> list[PipelineRun]:
        """Newest first; `cursor` is the run id after which to continue."""

    @abstractmethod
    def get_run_tags(self) -> dict[str, list[str]]:
        """Every tag key of every run, with the values it takes, both sorted."""

    @abstractmethod
    def delete_run(self, run_id: str) -> None: ...

    @abstractmethod
    def wipe(self) -> None: ...


class InMemoryRunStorage(RunStorage):
    """Runs kept in this process only: the ephemeral instance's run storage."""

    def __init__(self) -> None:
        self._runs: dict[str, PipelineRun] = {}
        self._lock = threading.Lock()

    def add_run(self, run: PipelineRun) -> PipelineRun:
        with self._lock:
            if run.run_id in self._runs:
                raise ValueError(f"A run with id {run.run_id} already exists")
            self._runs[run.run_id] = run
        return run

    def update_run_status(
        self, run_id: str, status: PipelineRunStatus, message: str | None = None
    ) -> None:
        with self._lock:
            self._runs[run_id] = self._runs[run_id].with_status(status, message)

    def update_run_process(self, run_id: str, hostname: str, pid: int | None) -> None:
        with self._lock:
            self._runs[run_id] = replace(self._runs[run_id], hostname=hostname, pid=pid)

    def get_run_by_id(self, run_id: str) -> PipelineRun | None:
        return self._runs.get(run_id)

    def get_runs(
        self, filters: RunsFilter | None = None, cursor: str | None = None, limit: int | None = None
    ) -> list[PipelineRun]:
        runs = list(reversed(self._runs.values()))
        if cursor is not None:
            ids = [r.run_id for r in runs]
            runs = runs[ids.index(cursor) + 1 :] if cursor in ids else []
        if filters is not None:
            runs = [r for r in runs if filters.matches(r)]
        return runs if limit is None else runs[:limit]

    def get_run_tags(self) -> dict[str, list[str]]:
        values: dict[str, set[str]] = {}
        for run in list(self._runs.values()):
            for key, value in run.tags.items():
                values.setdefault(key, set()).add(value)
        return {key: sorted(values[key]) for key in sorted(values)}

    def delete_run(self, run_id: str) -> None:
        with self._lock:
            self._runs.pop(run_id, None)

    def wipe(self) -> None:
        with self._lock:
            self._runs.clear()
