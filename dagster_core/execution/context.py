"""What steps run with: the run's context for an executor, and the context a solid sees."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from dagster_core.definitions.solid import Solid
from dagster_core.execution.run_options import RunConfig

if TYPE_CHECKING:
    from dagster_core.definitions.mode import ModeDefinition
    from dagster_core.definitions.pipeline import PipelineDefinition
    from dagster_core.definitions.solid import SolidDefinition
    from dagster_core.execution.plan import ExecutionPlan
    from dagster_core.execution.run_config import EnvironmentConfig
    from dagster_core.storage import ComputeLogManager, IntermediateStore, PipelineRun


@dataclass(frozen=True)
class RunContext:
    """Everything a process needs to run steps of a plan: definitions, validated config, the run
    record, the run's intermediate store and compute log manager. It pickles (with cloudpickle),
    so executors ship it to other processes once per run."""

    pipeline: PipelineDefinition
    plan: ExecutionPlan
    run: PipelineRun
    environment: EnvironmentConfig
    intermediates: IntermediateStore
    compute_log_manager: ComputeLogManager

    @property
    def run_id(self) -> str:
        return self.run.run_id


class DagsterLogManager:
    """`context.log`: each message becomes a LOG_MESSAGE event of the step."""

    def __init__(self, emit: Callable[[int, str], None]):
        self._emit = emit

    def log(self, level: int, msg: str) -> None:
        self._emit(level, str(msg))

    def debug(self, msg: str) -> None:
        self._emit(logging.DEBUG, str(msg))

    def info(self, msg: str) -> None:
        self._emit(logging.INFO, str(msg))

    def warning(self, msg: str) -> None:
        self._emit(logging.WARNING, str(msg))

    def error(self, msg: str) -> None:
        self._emit(logging.ERROR, str(msg))

    def critical(self, msg: str) -> None:
        self._emit(logging.CRITICAL, str(msg))


@dataclass(frozen=True)
class SolidExecutionContext:
    """The `context` argument of a solid's compute function."""

    solid_config: Any
    resources: SimpleNamespace
    log: DagsterLogManager
    run_id: str
    step_key: str
    solid_name: str
    solid_def: SolidDefinition
    pipeline_def: PipelineDefinition
    mode: str
    attempt: int
    tags: Mapping[str, str]
    pipeline_run: PipelineRun

    @property
    def pipeline_name(self) -> str:
        return self.pipeline_def.name

    @property
    def solid(self) -> Solid:
        """This solid as the pipeline uses it: `.name` (its alias, if any), `.definition` and
        `.tags` (the definition's, under those of this use)."""
        return Solid(
            self.solid_name, self.solid_def, self.pipeline_def.tags_by_handle[self.solid_name]
        )

    @property
    def mode_def(self) -> ModeDefinition:
        return self.pipeline_def.get_mode(self.mode)

    @property
    def run_config(self) -> RunConfig:
        """The run's options: run_id, mode, tags, step_keys_to_execute, previous_run_id."""
        return RunConfig.of_run(self.pipeline_run)

    def has_tag(self, key: str) -> bool:
        return key in self.tags

    def get_tag(self, key: str) -> str | None:
        """The run's tag `key`, or None when the run has no such tag."""
        return self.tags.get(key)
