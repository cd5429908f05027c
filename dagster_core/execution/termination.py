"""Noticing, from inside a running executor, that `instance.terminate_run` was called."""

from __future__ import annotations

import time

from dagster_core.errors import DagsterRunTerminated
from dagster_core.instance import DagsterInstance
from dagster_core.storage import PipelineRunStatus


class TerminationCheck:
    """Raises DagsterRunTerminated once the run is marked CANCELING; looks at the run storage
    at most every `interval` seconds, so executors may call it in their busiest loops."""

    def __init__(self, instance: DagsterInstance, run_id: str, interval: float = 0.5):
        self._instance = instance
        self._run_id = run_id
        self._interval = interval
        self._next = time.monotonic() + interval

    def __call__(self) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self._interval
        run = self._instance.run_storage.get_run_by_id(self._run_id)
        if run is not None and run.status is PipelineRunStatus.CANCELING:
            raise DagsterRunTerminated(f"Run {self._run_id} was terminated")
