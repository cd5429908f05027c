"""The ComputeLogManager interface: where each step's stdout and stderr go."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from dagster_core.config.configurable import ConfigurableClass


@dataclass(frozen=True)
class ComputeLogs:
    stdout: str
    stderr: str


class ComputeLogManager(ABC, ConfigurableClass):
    """Captures a step's output while it runs and reads it back later."""

    @abstractmethod
    @contextmanager
    def capture(self, run_id: str, step_key: str) -> Iterator[None]: ...

    @abstractmethod
    def read_logs(self, run_id: str, step_key: str) -> ComputeLogs: ...

    def close_run(self, run_id: str) -> None:
        """Let go of what capturing keeps open from one step of the run to the next (its files);
        a process that ran steps of the run calls it when it is done with the run."""
        return None


class NoOpComputeLogManager(ComputeLogManager):
    """Leaves stdout and stderr alone: the ephemeral instance's choice, for interactive use."""

    @contextmanager
    def capture(self, run_id: str, step_key: str) -> Iterator[None]:
        yield

    def read_logs(self, run_id: str, step_key: str) -> ComputeLogs:
        return ComputeLogs("", "")
