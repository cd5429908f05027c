"""Run launchers: how the API (and the UI) start a run in the background.

The caller validates and records the run first (`create_run_for_pipeline`: config errors are
reported there, and no run is recorded); the instance's launcher (`run_launcher` in
dagster.yaml, module/class/config like every part; `ChildProcessRunLauncher` by default) then
starts it somewhere and returns at once. The process that starts the run records itself as the
run's (`execute_run_iterator`), so the instance marks the run FAILURE, with the reason, if that
process dies before the run ends: no launched run stays STARTED forever.
"""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dagster_core.config.configurable import ConfigurableClass
from dagster_core.events import DagsterEvent, DagsterEventType, ErrorInfo
from dagster_core.storage.runs import PipelineRun, PipelineRunStatus
from dagster_core.user_code import pickle_with_user_code

if TYPE_CHECKING:
    from dagster_core.definitions.pipeline import PipelineDefinition
    from dagster_core.instance import DagsterInstance, InstanceRef

CHILD_MODULE = "dagster_core.launcher"  # `python -m` runs its __main__: the launched child


class RunLauncher(ABC, ConfigurableClass):
    """Starts recorded runs (status NOT_STARTED) elsewhere, returning at once."""

    @abstractmethod
    def launch_run(
        self,
        instance: DagsterInstance,
        run: PipelineRun,
        pipeline: PipelineDefinition,
        environment_dict: Mapping[str, Any] | None = None,
    ) -> PipelineRun:
        """Start `run` of `pipeline`, with its run config (which the run's record holds without
        credentials), and return the run without waiting for it."""


@dataclass(frozen=True)
class LaunchPayload:
    """What a launched child reads from its stdin: the run, its pipeline and run config
    (cloudpickled, the user's code by value) and the instance to open."""

    run_id: str
    definitions: bytes
    instance_ref: InstanceRef


def fail_unstarted_run(
    instance: DagsterInstance, run_id: str, reason: str, error: ErrorInfo | None = None
) -> None:
    """Mark a launched run FAILURE with `reason` if it never started; a run that started is
    watched by the instance's dead-process check instead."""
    run = instance.get_run_by_id(run_id)
    if run is None or run.status is not PipelineRunStatus.NOT_STARTED:
        return
    instance.store_events(
        [
            DagsterEvent(
                DagsterEventType.PIPELINE_FAILURE,
                run_id,
                run.pipeline_name,
                message=f"Run failed to start: {reason}",
                level=logging.ERROR,
                data={"error": error} if error is not None else {},
            )
        ]
    )


class ChildProcessRunLauncher(RunLauncher):
    """Each run in a new child process of this one (`python -m dagster_core.launcher`), which
    drives the run to its end whatever this process does meanwhile. A thread waits for the
    child, so it never lingers as a zombie, and marks the run FAILURE when the child exits
    without having started it."""

    def launch_run(
        self,
        instance: DagsterInstance,
        run: PipelineRun,
        pipeline: PipelineDefinition,
        environment_dict: Mapping[str, Any] | None = None,
    ) -> PipelineRun:
        payload = LaunchPayload(
            run.run_id,
            pickle_with_user_code((pipeline, environment_dict)),
            instance.get_ref(),
        )
        child = subprocess.Popen([sys.executable, "-m", CHILD_MODULE], stdin=subprocess.PIPE)
        assert child.stdin is not None
        with child.stdin:
            child.stdin.write(pickle.dumps(payload))
        threading.Thread(
            target=self._wait,
            args=(instance, run.run_id, child),
            name=f"launched-run-{run.run_id}",
            daemon=True,
        ).start()
        return run

    @staticmethod
    def _wait(instance: DagsterInstance, run_id: str, child: subprocess.Popen) -> None:
        code = child.wait()
        fail_unstarted_run(instance, run_id, f"its process (pid {child.pid}) exited with {code}")
        instance.get_run_by_id(run_id)  # a run whose process died running it is marked FAILURE
