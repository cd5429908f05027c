"""The Python API for running pipelines: execute, iterate, re-execute, and run one solid."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster_core.config import ConfigError, DagsterInvalidConfigError
from dagster_core.definitions.dependency import DependencyDefinition
from dagster_core.definitions.executor import ExecutorDefinition
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.resource import ResourceDefinition
from dagster_core.definitions.solid import SolidDefinition, lambda_solid
from dagster_core.errors import (
    DagsterExecutionStepExecutionError,
    DagsterInvariantViolationError,
    DagsterRunNotFoundError,
    DagsterStepOutputNotFoundError,
)
from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.execution.context import RunContext
from dagster_core.execution.plan import ExecutionPlan, StepOutputHandle, build_execution_plan
from dagster_core.execution.results import PipelineExecutionResult, SolidExecutionResult
from dagster_core.execution.run_config import EnvironmentConfig, resolve_environment
from dagster_core.execution.run_loop import run_loop
from dagster_core.execution.step_session import StepSession
from dagster_core.executors import default_executors
from dagster_core.instance import DagsterInstance
from dagster_core.redact import holds_redactions
from dagster_core.storage import IntermediateStore, PipelineRun
from dagster_core.storage.system_storage import InitSystemStorageContext

PARENT_RUN_TAG = "dagster/parent_run_id"


@dataclass(frozen=True)
class _PreparedRun:
    """A validated pipeline, config and plan: everything checked before a run is recorded."""

    pipeline: PipelineDefinition
    mode: ModeDefinition
    environment: EnvironmentConfig
    executor_def: ExecutorDefinition
    plan: ExecutionPlan
    environment_dict: Mapping[str, Any]
    solid_subset: tuple[str, ...] | None


def _prepare(
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    preset: str | None,
    solid_subset: Sequence[str] | None,
    instance: DagsterInstance,
    step_keys_to_execute: Sequence[str] | None = None,
) -> _PreparedRun:
    if not isinstance(pipeline, PipelineDefinition):
        raise DagsterInvariantViolationError(
            f"Expected a PipelineDefinition (made with @pipeline), got {pipeline!r}"
        )
    if preset is not None:
        if environment_dict is not None or mode is not None:
            raise DagsterInvariantViolationError(
                f"Preset '{preset}' sets the run config and mode: pass either a preset or "
                "environment_dict/mode, not both"
            )
        preset_def = pipeline.get_preset(preset)
        environment_dict = preset_def.environment_dict
        mode = preset_def.mode
        solid_subset = solid_subset or preset_def.solid_subset
    environment_dict = dict(environment_dict or {})
    subset = None if solid_subset is None else tuple(solid_subset)
    runnable = pipeline.subset(subset) if subset is not None else pipeline
    mode_def = runnable.get_mode(mode)
    executor_defs = tuple(mode_def.executor_defs or default_executors)
    environment = resolve_environment(runnable, mode_def, executor_defs, environment_dict, instance)
    executor_def = next(d for d in executor_defs if d.name == environment.executor_name)
    plan = build_execution_plan(runnable, environment, step_keys_to_execute)
    return _PreparedRun(
        runnable, mode_def, environment, executor_def, plan, environment_dict, subset
    )


def _intermediates_for(prepared: _PreparedRun, instance: DagsterInstance) -> IntermediateStore:
    storage_def = next(
        d for d in prepared.mode.system_storage_defs if d.name == prepared.environment.storage_name
    )
    return storage_def.creation_fn(
        InitSystemStorageContext(prepared.environment.storage_config, instance)
    )


def _start(
    prepared: _PreparedRun,
    instance: DagsterInstance,
    tags: Mapping[str, str] | None,
    parent_run_id: str | None = None,
) -> tuple[RunContext, Iterator[DagsterEvent]]:
    intermediates = _intermediates_for(prepared, instance)
    executor = prepared.executor_def.executor_creation_fn(prepared.environment.executor_config)
    # before the run is recorded: an ephemeral instance moves to files other processes reach
    instance_ref = None if executor.runs_in_driver else instance.get_ref()
    run = instance.create_run(
        pipeline_name=prepared.pipeline.name,
        environment_dict=prepared.environment_dict,
        mode=prepared.mode.name,
        tags=_check_tags({**prepared.pipeline.tags, **(tags or {})}),
        solid_subset=prepared.solid_subset,
        step_keys_to_execute=prepared.plan.step_keys_to_execute,
        parent_run_id=parent_run_id,
    )
    ctx = RunContext(
        prepared.pipeline,
        prepared.plan,
        run,
        prepared.environment,
        intermediates,
        instance.compute_log_manager,
    )
    return ctx, run_loop(ctx, executor, instance, instance_ref)


def _check_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    tags = dict(tags or {})
    bad = [k for k, v in tags.items() if not isinstance(k, str) or not isinstance(v, str)]
    if bad:
        raise DagsterInvariantViolationError(
            "Run tags must map strings to strings; bad tag(s): "
            + ", ".join(f"{k!r}: {tags[k]!r}" for k in bad)
        )
    return tags


def _finish(
    ctx: RunContext, events: Iterator[DagsterEvent], raise_on_error: bool
) -> PipelineExecutionResult:
    result = PipelineExecutionResult(ctx.pipeline.name, ctx.run_id, list(events), ctx.intermediates)
    if raise_on_error and not result.success:
        failure = next(
            (
                e
                for e in result.event_list
                if e.event_type is DagsterEventType.STEP_FAILURE and not e.data.get("canceled")
            ),
            None,
        )
        if failure is not None:
            error = failure.error
            details = f"\n\n{error.to_string()}" if error is not None else ""
            raise DagsterExecutionStepExecutionError(
                f"Error in step {failure.step_key} of run {ctx.run_id}: {failure.message}{details}",
                step_key=failure.step_key or "",
                error_info=error,
            )
    return result


def execute_pipeline(
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    preset: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
    solid_subset: Sequence[str] | None = None,
) -> PipelineExecutionResult:
    """Run a pipeline to the end. A failed step raises DagsterExecutionStepExecutionError unless
    `raise_on_error=False`; either way the run is recorded as FAILURE first."""
    instance = instance or DagsterInstance.ephemeral()
    prepared = _prepare(pipeline, environment_dict, mode, preset, solid_subset, instance)
    ctx, events = _start(prepared, instance, tags)
    return _finish(ctx, events, raise_on_error)


def execute_pipeline_iterator(
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    preset: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    solid_subset: Sequence[str] | None = None,
) -> Iterator[DagsterEvent]:
    """Run a pipeline, yielding its events as they happen. Closing the iterator early marks the
    run CANCELED. Config errors are raised before the first event."""
    instance = instance or DagsterInstance.ephemeral()
    prepared = _prepare(pipeline, environment_dict, mode, preset, solid_subset, instance)
    _, events = _start(prepared, instance, tags)
    return events


def _locate_parent_outputs(
    plan: ExecutionPlan,
    intermediates: IntermediateStore,
    instance: DagsterInstance,
    parent: PipelineRun,
) -> dict[StepOutputHandle, str]:
    """For each output this re-execution reads but does not compute, the nearest ancestor run
    that stored it."""
    located, missing = {}, []
    for handle in plan.handles_needed_from_outside():
        run: PipelineRun | None = parent
        while run is not None and not intermediates.has_output(
            run.run_id, handle.step_key, handle.output_name
        ):
            run = instance.get_run_by_id(run.parent_run_id) if run.parent_run_id else None
        if run is None:
            missing.append(handle)
        else:
            located[handle] = run.run_id
    if missing:
        raise DagsterStepOutputNotFoundError(
            f"Cannot re-execute from run {parent.run_id}: it stored no value for "
            + ", ".join(f"output '{h.output_name}' of {h.step_key}" for h in missing)
            + ". Add those steps to step_keys_to_execute."
        )
    return located


def _recorded_run(
    instance: DagsterInstance, run_id: str, pipeline: PipelineDefinition
) -> PipelineRun:
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise DagsterRunNotFoundError(
            f"Run {run_id} is not in this instance; list runs with `dagster run list`"
        )
    if run.pipeline_name != pipeline.name:
        raise DagsterInvariantViolationError(
            f"Run {run_id} is a run of pipeline '{run.pipeline_name}', not '{pipeline.name}'"
        )
    return run


def _config_of(run: PipelineRun, environment_dict: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """`environment_dict`, else the run's stored config, which has no credentials in it."""
    if environment_dict is not None:
        return environment_dict
    if holds_redactions(run.environment_dict):
        message = f"run {run.run_id} had credentials in its config, which are not stored"
        raise DagsterInvalidConfigError((ConfigError((), f"{message}: pass its config again"),))
    return run.environment_dict


def _prepare_like(
    run: PipelineRun,
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    instance: DagsterInstance,
    step_keys: Sequence[str] | None,
) -> _PreparedRun:
    """A run of `pipeline` prepared as the recorded `run` was (its config, mode and subset),
    unless told otherwise."""
    return _prepare(
        pipeline,
        _config_of(run, environment_dict),
        run.mode if mode is None else mode,
        None,
        run.solid_subset,
        instance,
        step_keys,
    )


def _with_parent_outputs(
    prepared: _PreparedRun, instance: DagsterInstance, parent: PipelineRun
) -> _PreparedRun:
    """The prepared run, reading what its plan does not compute from `parent`'s storage."""
    if set(prepared.plan.step_keys_to_execute) == {s.key for s in prepared.plan.steps}:
        return prepared
    storage_name = prepared.environment.storage_name
    intermediates = _intermediates_for(prepared, instance)
    if not intermediates.is_persistent:
        raise DagsterInvalidConfigError(
            (
                ConfigError(
                    ("storage",),
                    f"re-execution reads the parent run's stored outputs, so it needs "
                    f'persistent storage such as "filesystem", not "{storage_name}"',
                ),
            )
        )
    located = _locate_parent_outputs(prepared.plan, intermediates, instance, parent)
    return dataclasses.replace(
        prepared, plan=dataclasses.replace(prepared.plan, external_outputs=located)
    )


def _start_reexecution(
    pipeline: PipelineDefinition,
    parent_run_id: str,
    step_keys_to_execute: Sequence[str] | None,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    tags: Mapping[str, str] | None,
    instance: DagsterInstance,
) -> tuple[RunContext, Iterator[DagsterEvent]]:
    parent = _recorded_run(instance, parent_run_id, pipeline)
    prepared = _prepare_like(
        parent, pipeline, environment_dict, mode, instance, step_keys_to_execute
    )
    prepared = _with_parent_outputs(prepared, instance, parent)
    run_tags = {**parent.tags, **(tags or {}), PARENT_RUN_TAG: parent_run_id}
    return _start(prepared, instance, run_tags, parent_run_id=parent_run_id)


def execute_plan(
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None = None,
    *,
    run_id: str,
    step_keys: Sequence[str] | None = None,
    instance: DagsterInstance,
    mode: str | None = None,
) -> list[DagsterEvent]:
    """Run steps of the recorded run `run_id` in this process, in plan order, storing their events
    in `instance`: how a process other than the run's driver runs steps (an Airflow task, the
    GraphQL `executePlan` mutation). A step that already succeeded in the run is not run again;
    one whose earlier attempt was lost runs as the next attempt. `environment_dict`, `mode` and
    the steps default to the run's. Returns the events stored."""
    run = _recorded_run(instance, run_id, pipeline)
    prepared = _prepare_like(
        run, pipeline, environment_dict, mode, instance, run.step_keys_to_execute
    )
    if run.parent_run_id is not None:
        parent = _recorded_run(instance, run.parent_run_id, pipeline)
        prepared = _with_parent_outputs(prepared, instance, parent)
    planned = prepared.plan.step_keys_to_execute
    keys = planned if step_keys is None else [k for k in planned if k in set(step_keys)]
    unknown = sorted(set(step_keys or ()) - set(planned))
    if unknown:
        raise DagsterInvariantViolationError(
            f"Run {run_id} has no step(s) {', '.join(unknown)} to execute; its steps: "
            + ", ".join(planned)
        )
    ctx = RunContext(
        prepared.pipeline,
        prepared.plan,
        run,
        prepared.environment,
        _intermediates_for(prepared, instance),
        instance.compute_log_manager,
    )
    session = StepSession(ctx, instance)
    try:
        return [event for key in keys for event in session.events(key)]
    finally:
        session.close()


def reexecute_pipeline(
    pipeline: PipelineDefinition,
    parent_run_id: str,
    step_keys_to_execute: Sequence[str] | None = None,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
) -> PipelineExecutionResult:
    """Run some steps again, reading the outputs of the others from the parent run's storage.

    Run config, mode and solid subset default to the parent run's.
    """
    ctx, events = _start_reexecution(
        pipeline,
        parent_run_id,
        step_keys_to_execute,
        environment_dict,
        mode,
        tags,
        instance or DagsterInstance.get(),
    )
    return _finish(ctx, events, raise_on_error)


def reexecute_pipeline_iterator(
    pipeline: PipelineDefinition,
    parent_run_id: str,
    step_keys_to_execute: Sequence[str] | None = None,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
) -> Iterator[DagsterEvent]:
    """`reexecute_pipeline`, yielding the new run's events as they happen."""
    return _start_reexecution(
        pipeline,
        parent_run_id,
        step_keys_to_execute,
        environment_dict,
        mode,
        tags,
        instance or DagsterInstance.get(),
    )[1]


def execute_solid(
    solid_def: SolidDefinition,
    environment_dict: Mapping[str, Any] | None = None,
    input_values: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    mode_def: ModeDefinition | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
) -> SolidExecutionResult:
    """Run one solid in a pipeline of its own, its inputs given as Python values (for unit tests).

    `resources` maps keys to values or ResourceDefinitions; `environment_dict` is the usual run
    config (e.g. `{"solids": {"scale": {"config": {...}}}}`).
    """
    input_values = dict(input_values or {})
    unknown = [name for name in input_values if name not in solid_def.input_dict]
    if unknown:
        raise DagsterInvariantViolationError(
            f"Solid '{solid_def.name}' has no input(s) {', '.join(unknown)} "
            f"(inputs: {', '.join(solid_def.input_dict) or 'none'})"
        )
    stubs = [_value_solid(f"_input_{solid_def.name}_{name}", v) for name, v in input_values.items()]
    if mode_def is None:
        mode_def = ModeDefinition(
            resource_defs={
                key: r
                if isinstance(r, ResourceDefinition)
                else ResourceDefinition.hardcoded_resource(r)
                for key, r in (resources or {}).items()
            }
        )
    pipeline = PipelineDefinition(
        [solid_def, *stubs],
        name=f"ephemeral_{solid_def.name}_solid_pipeline",
        dependencies={
            solid_def.name: {
                name: DependencyDefinition(stub.name)
                for name, stub in zip(input_values, stubs, strict=True)
            }
        },
        mode_defs=[mode_def],
    )
    result = execute_pipeline(
        pipeline,
        environment_dict=environment_dict,
        tags=tags,
        instance=instance,
        raise_on_error=raise_on_error,
    )
    return result.result_for_solid(solid_def.name)


def _value_solid(name: str, value: Any) -> SolidDefinition:
    @lambda_solid(name=name)
    def _value() -> Any:
        return value

    return _value
