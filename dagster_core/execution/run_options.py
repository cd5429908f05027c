"""RunConfig: the seed's bundle of options for one run (its id, mode, tags, steps and parent run),
given as `run_config=` to execute_pipeline and friends and seen by solids as
`context.run_config`. Not the run config dict (`environment_dict`) that configures solids."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.storage import PipelineRun


def _new_run_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class RunConfig:
    """How to run a pipeline: `run_id` (a new one unless given), `mode`, `tags`,
    `step_keys_to_execute` (every step when None) and `previous_run_id` (a run whose stored
    outputs feed the steps not executed: a re-execution)."""

    run_id: str = field(default_factory=_new_run_id)
    tags: Mapping[str, str] = field(default_factory=dict)
    step_keys_to_execute: tuple[str, ...] | None = None
    mode: str | None = None
    previous_run_id: str | None = None

    def __post_init__(self) -> None:
        if not self.run_id:  # the seed's RunConfig(run_id=None) asks for a new id too
            object.__setattr__(self, "run_id", _new_run_id())
        for name in ("run_id", "mode", "previous_run_id"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise DagsterInvariantViolationError(
                    f"RunConfig {name} must be a string, got {value!r}"
                )
        tags = {} if self.tags is None else self.tags
        if not isinstance(tags, Mapping) or not all(isinstance(k, str) for k in tags):
            raise DagsterInvariantViolationError(
                f"RunConfig tags must be a dict with string keys, got {self.tags!r}"
            )
        object.__setattr__(self, "tags", dict(tags))
        keys = self.step_keys_to_execute
        if keys is not None:
            if isinstance(keys, str) or not isinstance(keys, Sequence):
                raise DagsterInvariantViolationError(
                    f"RunConfig step_keys_to_execute must be a list of step keys, got {keys!r}"
                )
            object.__setattr__(self, "step_keys_to_execute", tuple(keys))

    @classmethod
    def of_run(cls, run: PipelineRun) -> RunConfig:
        """The options a recorded run was started with."""
        return cls(
            run_id=run.run_id,
            tags=run.tags,
            step_keys_to_execute=run.step_keys_to_execute,
            mode=run.mode,
            previous_run_id=run.parent_run_id,
        )

    def with_tags(self, **tags: str) -> RunConfig:
        """This RunConfig with `tags` added to its tags."""
        return dataclasses.replace(self, tags={**self.tags, **tags})

    def with_mode(self, mode: str) -> RunConfig:
        return dataclasses.replace(self, mode=mode)

    def with_step_keys_to_execute(self, step_keys_to_execute: Sequence[str]) -> RunConfig:
        return dataclasses.replace(self, step_keys_to_execute=step_keys_to_execute)


def merge_run_config(
    caller: str, run_config: RunConfig | None, mode: str | None, tags: Mapping[str, Any] | None
) -> RunConfig:
    """`run_config` with the caller's `mode=` and `tags=` arguments in it. An option given both
    ways with different values is an error that names both."""
    if mode is not None and not isinstance(mode, str):
        hint = ": pass a RunConfig as run_config=" if isinstance(mode, RunConfig) else ""
        raise DagsterInvariantViolationError(
            f"{caller}: mode must be the name of a mode, got {mode!r}{hint}"
        )
    if run_config is None:
        return RunConfig(mode=mode, tags=dict(tags or {}))
    if not isinstance(run_config, RunConfig):
        raise DagsterInvariantViolationError(
            f"{caller}: run_config must be a RunConfig, got {run_config!r} (the run config dict "
            "of solids, resources and storage is environment_dict)"
        )
    if mode is not None and run_config.mode is not None and mode != run_config.mode:
        raise DagsterInvariantViolationError(
            f"{caller} got mode={mode!r} and run_config.mode={run_config.mode!r}: give the mode once"
        )
    if tags and run_config.tags and dict(tags) != dict(run_config.tags):
        raise DagsterInvariantViolationError(
            f"{caller} got tags={dict(tags)!r} and run_config.tags={dict(run_config.tags)!r}: "
            "give the tags once"
        )
    return dataclasses.replace(
        run_config, mode=run_config.mode or mode, tags=run_config.tags or dict(tags or {})
    )
