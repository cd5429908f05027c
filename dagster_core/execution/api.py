"""The Python API for running pipelines: execute, iterate, re-execute, and run one solid."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster_core.config import ConfigError, DagsterInvalidConfigError
from dagster_core.definitions.dependency import DependencyDefinition, SolidInvocation
from dagster_core.definitions.executor import ExecutorDefinition
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.preset import PresetDefinition
from dagster_core.definitions.resource import ResourceDefinition
from dagster_core.definitions.solid import SolidDefinition, lambda_solid
from dagster_core.errors import (
    DagsterExecutionStepExecutionError,
    DagsterExecutionStepNotFoundError,
    DagsterInvariantViolationError,
    DagsterRunNotFoundError,
    DagsterStepOutputNotFoundError,
)
from dagster_core.events import STEP_END_EVENTS, DagsterEvent, DagsterEventType
from dagster_core.execution.context import RunContext
from dagster_core.execution.plan import ExecutionPlan, StepOutputHandle, build_execution_plan
from dagster_core.execution.results import PipelineExecutionResult, SolidExecutionResult
from dagster_core.execution.run_config import EnvironmentConfig, resolve_environment
from dagster_core.execution.run_loop import run_loop
from dagster_core.execution.run_options import RunConfig, merge_run_config
from dagster_core.execution.step_session import StepSession
from dagster_core.executors import default_executors
from dagster_core.instance import DagsterInstance
from dagster_core.redact import holds_redactions
from dagster_core.storage import IntermediateStore, PipelineRun, PipelineRunStatus
from dagster_core.storage.system_storage import InitSystemStorageContext

PARENT_RUN_TAG = "dagster/parent_run_id"
RESUME_RETRY_TAG = "dagster/is_resume_retry"  # "true" on a re-execution from failure


@dataclass(frozen=True)
class _PreparedRun:
    """A validated pipeline, config and plan, and the intermediate store the run will use
    (making it checks the storage, a bucket say): everything checked before a run is recorded."""

    pipeline: PipelineDefinition
    mode: ModeDefinition
    environment: EnvironmentConfig
    executor_def: ExecutorDefinition
    plan: ExecutionPlan
    environment_dict: Mapping[str, Any]
    solid_subset: tuple[str, ...] | None
    intermediates: IntermediateStore


def _check_pipeline(pipeline: PipelineDefinition) -> None:
    if not isinstance(pipeline, PipelineDefinition):
        raise DagsterInvariantViolationError(
            f"Expected a PipelineDefinition (made with @pipeline), got {pipeline!r}"
        )


def _with_preset(
    pipeline: PipelineDefinition,
    preset: str | None,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    solid_subset: Sequence[str] | None,
) -> tuple[Mapping[str, Any] | None, str | None, Sequence[str] | None]:
    """The run config, mode and solid subset of the run: the preset's, when one is named."""
    if preset is None:
        return environment_dict, mode, solid_subset
    preset_def = pipeline.get_preset(preset)
    if environment_dict is not None or mode not in (None, preset_def.mode):
        raise DagsterInvariantViolationError(
            f"Preset '{preset}' sets the run config and mode ('{preset_def.mode}'): pass either "
            "a preset or environment_dict/mode, not both"
        )
    return (
        preset_def.environment_dict,
        preset_def.mode,
        solid_subset or preset_def.solid_subset,
    )


def executor_defs_for(mode_def: ModeDefinition) -> tuple[ExecutorDefinition, ...]:
    """The executors run config may choose in this mode: the mode's own, or by default the
    framework's `default_executors`."""
    return tuple(mode_def.executor_defs or default_executors)


def _prepare(
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    preset: str | None,
    solid_subset: Sequence[str] | None,
    instance: DagsterInstance,
    step_keys_to_execute: Sequence[str] | None = None,
) -> _PreparedRun:
    _check_pipeline(pipeline)
    environment_dict, mode, solid_subset = _with_preset(
        pipeline, preset, environment_dict, mode, solid_subset
    )
    environment_dict = dict(environment_dict or {})
    runnable = pipeline.build_sub_pipeline(solid_subset)
    mode_def = runnable.get_mode(mode)
    executor_defs = executor_defs_for(mode_def)
    environment = resolve_environment(runnable, mode_def, executor_defs, environment_dict, instance)
    executor_def = next(d for d in executor_defs if d.name == environment.executor_name)
    plan = build_execution_plan(runnable, environment, step_keys_to_execute)
    storage_def = next(
        d for d in mode_def.system_storage_defs if d.name == environment.storage_name
    )
    intermediates = storage_def.creation_fn(
        InitSystemStorageContext(environment.storage_config, instance)
    )
    return _PreparedRun(
        runnable,
        mode_def,
        environment,
        executor_def,
        plan,
        environment_dict,
        runnable.solid_subset,
        intermediates,
    )


@dataclass(frozen=True)
class _StartedRun:
    """A recorded run and its events, which run it as they are iterated."""

    prepared: _PreparedRun
    ctx: RunContext
    events: Iterator[DagsterEvent]
    instance: DagsterInstance


def _record(
    prepared: _PreparedRun,
    instance: DagsterInstance,
    tags: Mapping[str, str] | None,
    parent_run_id: str | None = None,
    run_id: str | None = None,
) -> PipelineRun:
    """Record the prepared run (NOT_STARTED), its tags over the pipeline's."""
    return instance.create_run(
        pipeline_name=prepared.pipeline.name,
        environment_dict=prepared.environment_dict,
        mode=prepared.mode.name,
        tags=_check_tags({**prepared.pipeline.tags, **(tags or {})}),
        solid_subset=prepared.solid_subset,
        step_keys_to_execute=prepared.plan.step_keys_to_execute,
        parent_run_id=parent_run_id,
        run_id=run_id,
    )


def _start(prepared: _PreparedRun, instance: DagsterInstance, run: PipelineRun) -> _StartedRun:
    """The recorded `run`, driven by this process as its events are iterated."""
    executor = prepared.executor_def.executor_creation_fn(prepared.environment.executor_config)
    # an ephemeral instance moves its runs to files other processes reach here
    instance_ref = None if executor.runs_in_driver else instance.get_ref()
    ctx = RunContext(
        prepared.pipeline,
        prepared.plan,
        run,
        prepared.environment,
        prepared.intermediates,
        instance.compute_log_manager,
    )
    return _StartedRun(prepared, ctx, run_loop(ctx, executor, instance, instance_ref), instance)


def _check_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    tags = dict(tags or {})
    bad = [k for k, v in tags.items() if not isinstance(k, str) or not isinstance(v, str)]
    if bad:
        raise DagsterInvariantViolationError(
            "Run tags must map strings to strings; bad tag(s): "
            + ", ".join(f"{k!r}: {tags[k]!r}" for k in bad)
        )
    return tags


def _run_to_end(events: Iterator[DagsterEvent], raise_on_error: bool) -> list[DagsterEvent]:
    """The run's events. The run loop records an error that ends the run (a resource that
    cannot be built, say) as PIPELINE_FAILURE before raising it; with `raise_on_error=False`
    the result says so instead."""
    collected = []
    try:
        for event in events:
            collected.append(event)
    except Exception:
        if raise_on_error:
            raise
    return collected


def _finish(started: _StartedRun, raise_on_error: bool) -> PipelineExecutionResult:
    ctx = started.ctx
    result = PipelineExecutionResult(
        ctx.pipeline,
        ctx.run_id,
        _run_to_end(started.events, raise_on_error),
        ctx.intermediates,
        started.prepared.environment_dict,
        started.instance,
    )
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
            raise _step_error(failure)
    return result


def _step_error(failure: DagsterEvent) -> BaseException:
    """What `raise_on_error` raises for a failed step: its own exception where this process ran
    the step (the seed's behaviour), else DagsterExecutionStepExecutionError with its text."""
    error = failure.error
    if error is not None and error.raised is not None:
        return error.raised
    details = f"\n\n{error.to_string()}" if error is not None else ""
    return DagsterExecutionStepExecutionError(
        f"Error in step {failure.step_key} of run {failure.run_id}: {failure.message}{details}",
        step_key=failure.step_key or "",
        error_info=error,
    )


@dataclass(frozen=True)
class _RunRequest:
    """A validated run, not recorded yet, and what to record it with."""

    prepared: _PreparedRun
    tags: Mapping[str, str] | None
    parent_run_id: str | None = None
    run_id: str | None = None

    def record(self, instance: DagsterInstance) -> PipelineRun:
        return _record(self.prepared, instance, self.tags, self.parent_run_id, self.run_id)


def _request(
    caller: str,
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    preset: str | None,
    tags: Mapping[str, str] | None,
    instance: DagsterInstance,
    solid_subset: Sequence[str] | None,
    run_config: RunConfig | None,
    from_failure: bool = False,
) -> _RunRequest:
    """Validate a run as execute_pipeline and execute_pipeline_iterator start it: a new run, or a
    re-execution of `run_config.previous_run_id`."""
    _check_pipeline(pipeline)
    options = merge_run_config(caller, run_config, mode, tags)
    if options.previous_run_id is None:
        prepared = _prepare(
            pipeline,
            environment_dict,
            options.mode,
            preset,
            solid_subset,
            instance,
            options.step_keys_to_execute,
        )
        return _RunRequest(prepared, options.tags, run_id=options.run_id)
    if solid_subset is not None:
        raise DagsterInvariantViolationError(
            f"{caller} got solid_subset and run_config.previous_run_id: a re-execution runs "
            f"the solid subset of run {options.previous_run_id}"
        )
    environment_dict, mode, _ = _with_preset(pipeline, preset, environment_dict, options.mode, None)
    return _reexecution_request(
        pipeline,
        options.previous_run_id,
        options.step_keys_to_execute,
        environment_dict,
        mode,
        options.tags,
        instance,
        run_id=options.run_id,
        from_failure=from_failure,
    )


def _launch(
    caller: str,
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    preset: str | None,
    tags: Mapping[str, str] | None,
    instance: DagsterInstance,
    solid_subset: Sequence[str] | None,
    run_config: RunConfig | None,
) -> _StartedRun:
    """Validate, record and start a run in this process."""
    request = _request(
        caller, pipeline, environment_dict, mode, preset, tags, instance, solid_subset, run_config
    )
    return _start(request.prepared, instance, request.record(instance))


def create_run_for_pipeline(
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    preset: str | None = None,
    tags: Mapping[str, str] | None = None,
    *,
    instance: DagsterInstance,
    solid_subset: Sequence[str] | None = None,
    run_config: RunConfig | None = None,
    from_failure: bool = False,
) -> PipelineRun:
    """Validate a run (every config error at once, as execute_pipeline does) and record it without
    starting it (status NOT_STARTED), for another process to start with `execute_run_iterator`:
    how a run launcher starts runs. `run_config` may set the run id, tags, steps and a run to
    re-execute; `from_failure=True` with `run_config.previous_run_id` re-executes the steps that
    did not succeed there (the seed's retry), instead of `run_config.step_keys_to_execute`."""
    return _request(
        "create_run_for_pipeline",
        pipeline,
        environment_dict,
        mode,
        preset,
        tags,
        instance,
        solid_subset,
        run_config,
        from_failure,
    ).record(instance)


def execute_run_iterator(
    pipeline: PipelineDefinition,
    pipeline_run: PipelineRun,
    instance: DagsterInstance,
    environment_dict: Mapping[str, Any] | None = None,
) -> Iterator[DagsterEvent]:
    """Start a recorded run that has not started (see `create_run_for_pipeline`) in this process,
    yielding its events as they happen. This process is recorded as the run's, so the instance
    marks the run FAILURE if it dies. `environment_dict` defaults to the run's (stored without
    credentials: pass it again when it had some)."""
    run = _recorded_run(instance, pipeline_run.run_id, pipeline)
    if run.status is not PipelineRunStatus.NOT_STARTED:
        raise DagsterInvariantViolationError(
            f"Run {run.run_id} has started already (status {run.status.value}); only a run that "
            "create_run_for_pipeline recorded and nothing started can be started"
        )
    instance.claim_run(run.run_id)
    prepared = _prepare_recorded(run, pipeline, environment_dict, None, instance)
    return _start(prepared, instance, run).events


def execute_pipeline(
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    preset: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
    solid_subset: Sequence[str] | None = None,
    run_config: RunConfig | None = None,
) -> PipelineExecutionResult:
    """Run a pipeline to the end. With `raise_on_error` (the default), a failed step raises its
    own exception when it ran in this process (in_process), else
    DagsterExecutionStepExecutionError; either way the run is recorded as FAILURE first.
    `run_config` (a RunConfig) may set the run id, mode, tags, steps and a run to re-execute."""
    started = _launch(
        "execute_pipeline",
        pipeline,
        environment_dict,
        mode,
        preset,
        tags,
        instance or DagsterInstance.ephemeral(),
        solid_subset,
        run_config,
    )
    return _finish(started, raise_on_error)


def execute_pipeline_iterator(
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    preset: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    solid_subset: Sequence[str] | None = None,
    run_config: RunConfig | None = None,
) -> Iterator[DagsterEvent]:
    """Run a pipeline, yielding its events as they happen. Closing the iterator early marks the
    run CANCELED. Config errors are raised before the first event."""
    return _launch(
        "execute_pipeline_iterator",
        pipeline,
        environment_dict,
        mode,
        preset,
        tags,
        instance or DagsterInstance.ephemeral(),
        solid_subset,
        run_config,
    ).events


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
    intermediates = prepared.intermediates
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


def _steps_to_retry(
    plan: ExecutionPlan, parent: PipelineRun, instance: DagsterInstance
) -> list[str]:
    """What a re-execution from failure runs, upstream first: each step `parent` ran that did
    not end there or failed (not a step skipped only for a missing optional output), and every
    step downstream of those."""
    ends = {
        event.step_key: event.event_type
        for event in instance.all_logs(parent.run_id)
        if event.step_key is not None and event.event_type in STEP_END_EVENTS
    }
    ran = set(parent.step_keys_to_execute or plan.step_keys_to_execute)
    retry: dict[str, None] = {}  # ordered, upstream first
    for step in plan.steps:
        end = ends.get(step.key)
        if step.key in ran and (
            end in (None, DagsterEventType.STEP_FAILURE) or not step.upstream_keys.isdisjoint(retry)
        ):
            retry[step.key] = None
    if not retry:
        raise DagsterInvariantViolationError(
            f"Run {parent.run_id} has no step to re-execute from failure: every step it ran "
            "succeeded or was skipped for an output its upstream step did not yield"
        )
    return list(retry)


def _reexecution_request(
    pipeline: PipelineDefinition,
    parent_run_id: str,
    step_keys_to_execute: Sequence[str] | None,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    tags: Mapping[str, str] | None,
    instance: DagsterInstance,
    run_id: str | None = None,
    from_failure: bool = False,
) -> _RunRequest:
    parent = _recorded_run(instance, parent_run_id, pipeline)
    if from_failure and step_keys_to_execute is not None:
        raise DagsterInvariantViolationError(
            "Pass either step_keys_to_execute or from_failure=True to re-execute run "
            f"{parent_run_id}, not both: from_failure chooses the steps itself"
        )
    prepared = _prepare_like(
        parent, pipeline, environment_dict, mode, instance, step_keys_to_execute
    )
    run_tags = {**parent.tags, **(tags or {}), PARENT_RUN_TAG: parent_run_id}
    if from_failure:
        keys = _steps_to_retry(prepared.plan, parent, instance)
        plan = build_execution_plan(prepared.pipeline, prepared.environment, keys)
        prepared = dataclasses.replace(prepared, plan=plan)
        run_tags[RESUME_RETRY_TAG] = "true"
    prepared = _with_parent_outputs(prepared, instance, parent)
    return _RunRequest(prepared, run_tags, parent_run_id, run_id)


def _start_reexecution(
    pipeline: PipelineDefinition,
    parent_run_id: str,
    step_keys_to_execute: Sequence[str] | None,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    tags: Mapping[str, str] | None,
    instance: DagsterInstance,
    from_failure: bool = False,
) -> _StartedRun:
    request = _reexecution_request(
        pipeline,
        parent_run_id,
        step_keys_to_execute,
        environment_dict,
        mode,
        tags,
        instance,
        from_failure=from_failure,
    )
    return _start(request.prepared, instance, request.record(instance))


def _prepare_recorded(
    run: PipelineRun,
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None,
    mode: str | None,
    instance: DagsterInstance,
) -> _PreparedRun:
    """The recorded `run` prepared again in this process, its steps reading what they do not
    compute from its parent run."""
    prepared = _prepare_like(
        run, pipeline, environment_dict, mode, instance, run.step_keys_to_execute
    )
    if run.parent_run_id is None:
        return prepared
    parent = _recorded_run(instance, run.parent_run_id, pipeline)
    return _with_parent_outputs(prepared, instance, parent)


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
    prepared = _prepare_recorded(run, pipeline, environment_dict, mode, instance)
    planned = prepared.plan.step_keys_to_execute
    keys = planned if step_keys is None else [k for k in planned if k in set(step_keys)]
    unknown = sorted(set(step_keys or ()) - set(planned))
    if unknown:
        raise DagsterExecutionStepNotFoundError(
            f"Run {run_id} has no step(s) {', '.join(unknown)} to execute; its steps: "
            + ", ".join(planned),
            unknown,
        )
    ctx = RunContext(
        prepared.pipeline,
        prepared.plan,
        run,
        prepared.environment,
        prepared.intermediates,
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
    from_failure: bool = False,
) -> PipelineExecutionResult:
    """Run some steps again, reading the outputs of the others from the parent run's storage.

    Run config, mode and solid subset default to the parent run's. `from_failure=True` runs
    the steps that did not succeed in the parent and those downstream of them (the seed's
    retry of a run), instead of `step_keys_to_execute`.
    """
    started = _start_reexecution(
        pipeline,
        parent_run_id,
        step_keys_to_execute,
        environment_dict,
        mode,
        tags,
        instance or DagsterInstance.get(),
        from_failure=from_failure,
    )
    return _finish(started, raise_on_error)


def reexecute_pipeline_iterator(
    pipeline: PipelineDefinition,
    parent_run_id: str,
    step_keys_to_execute: Sequence[str] | None = None,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    from_failure: bool = False,
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
        from_failure=from_failure,
    ).events


def execute_solid(
    solid_def: SolidDefinition,
    environment_dict: Mapping[str, Any] | None = None,
    input_values: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    mode_def: ModeDefinition | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
    run_config: RunConfig | None = None,
) -> SolidExecutionResult:
    """Run one solid in a pipeline of its own, its inputs given as Python values (for unit tests).

    `resources` maps keys to values or ResourceDefinitions; `environment_dict` is the usual run
    config (e.g. `{"solids": {"scale": {"config": {...}}}}`).
    """
    if mode_def is None:
        mode_def = ModeDefinition(
            resource_defs={
                key: r
                if isinstance(r, ResourceDefinition)
                else ResourceDefinition.hardcoded_resource(r)
                for key, r in (resources or {}).items()
            }
        )
    pipeline = _with_input_values(
        f"ephemeral_{solid_def.name}_solid_pipeline",
        {solid_def.name: solid_def},
        {},
        {solid_def.name: input_values or {}},
        [mode_def],
    )
    result = execute_pipeline(
        pipeline,
        environment_dict=environment_dict,
        tags=tags,
        instance=instance,
        raise_on_error=raise_on_error,
        run_config=run_config,
    )
    return result.result_for_solid(solid_def.name)


def execute_solids_within_pipeline(
    pipeline: PipelineDefinition,
    solid_names: Collection[str],
    inputs: Mapping[str, Mapping[str, Any]] | None = None,
    environment_dict: Mapping[str, Any] | None = None,
    run_config: RunConfig | None = None,
    mode: str | None = None,
    preset: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
) -> dict[str, SolidExecutionResult]:
    """Run some solids of a pipeline on their own (for tests), their results by solid name.
    `inputs` gives input values as Python objects (`{solid: {input: value}}`); other inputs
    whose upstream solid is left out come from `environment_dict`, as in a solid subset."""
    _check_pipeline(pipeline)
    names = list(solid_names)
    outside = sorted(set(inputs or {}) - set(names))
    if outside:
        raise DagsterInvariantViolationError(
            f"Input values were given for solid(s) {', '.join(outside)}, which are not among the "
            f"solids to execute ({', '.join(names)})"
        )
    stubbed = _with_input_values(
        pipeline.name,
        pipeline.solids,
        pipeline.dependencies,
        inputs or {},
        pipeline.mode_defs,
        pipeline.preset_defs,
        pipeline.description,
    )
    stubs = [name for name in stubbed.solid_order if name not in pipeline.solids]
    result = execute_pipeline(
        stubbed.subset([*names, *stubs]),
        environment_dict=environment_dict,
        mode=mode,
        preset=preset,
        tags=tags,
        instance=instance,
        raise_on_error=raise_on_error,
        run_config=run_config,
    )
    return {name: result.result_for_solid(name) for name in names}


def execute_solid_within_pipeline(
    pipeline: PipelineDefinition,
    solid_name: str,
    inputs: Mapping[str, Any] | None = None,
    environment_dict: Mapping[str, Any] | None = None,
    run_config: RunConfig | None = None,
    mode: str | None = None,
    preset: str | None = None,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
) -> SolidExecutionResult:
    """Run one solid of a pipeline on its own (for tests), `inputs` given as Python values."""
    return execute_solids_within_pipeline(
        pipeline,
        [solid_name],
        {solid_name: inputs} if inputs else None,
        environment_dict=environment_dict,
        run_config=run_config,
        mode=mode,
        preset=preset,
        tags=tags,
        instance=instance,
        raise_on_error=raise_on_error,
    )[solid_name]


def execute_pipeline_with_mode(
    pipeline: PipelineDefinition,
    mode: str,
    environment_dict: Mapping[str, Any] | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    run_config: RunConfig | None = None,
) -> PipelineExecutionResult:
    """`execute_pipeline` in mode `mode` (the seed's spelling)."""
    return execute_pipeline(
        pipeline,
        environment_dict,
        mode=mode,
        tags=tags,
        instance=instance,
        raise_on_error=raise_on_error,
        run_config=run_config,
    )


def execute_pipeline_with_preset(
    pipeline: PipelineDefinition,
    preset_name: str,
    run_config: RunConfig | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
) -> PipelineExecutionResult:
    """`execute_pipeline` with the run config, mode and solid subset of preset `preset_name`
    (the seed's spelling)."""
    return execute_pipeline(
        pipeline,
        preset=preset_name,
        tags=tags,
        instance=instance,
        raise_on_error=raise_on_error,
        run_config=run_config,
    )


def _with_input_values(
    name: str,
    solids: Mapping[str, SolidDefinition],
    dependencies: Mapping[SolidInvocation, Mapping[str, Any]],
    input_values: Mapping[str, Mapping[str, Any]],
    mode_defs: Sequence[ModeDefinition],
    preset_defs: Sequence[PresetDefinition] = (),
    description: str | None = None,
) -> PipelineDefinition:
    """Pipeline `name` of `solids` (by name) wired by `dependencies`, in which each input of
    `input_values` (`{solid: {input: value}}`) is fed by a solid returning that value instead:
    how tests hand Python values to solids."""
    wiring = {(i.alias or i.name): (i, dict(inputs)) for i, inputs in dependencies.items()}
    stubs = []
    for solid_name, values in input_values.items():
        solid_def = solids.get(solid_name)
        if solid_def is None:
            raise DagsterInvariantViolationError(
                f"Input values were given for solid '{solid_name}', which pipeline '{name}' does "
                f"not have (solids: {', '.join(solids)})"
            )
        unknown = [n for n in values if n not in solid_def.input_dict]
        if unknown:
            raise DagsterInvariantViolationError(
                f"Solid '{solid_name}' has no input(s) {', '.join(unknown)} "
                f"(inputs: {', '.join(solid_def.input_dict) or 'none'})"
            )
        _, inputs = wiring.setdefault(solid_name, (SolidInvocation(solid_def.name, solid_name), {}))
        for input_name, value in values.items():
            stub = _value_solid(f"_input_{solid_name}_{input_name}", value)
            stubs.append(stub)
            inputs[input_name] = DependencyDefinition(stub.name)
    return PipelineDefinition(
        [*{id(d): d for d in solids.values()}.values(), *stubs],
        name=name,
        dependencies=dict(wiring.values()),
        mode_defs=mode_defs,
        preset_defs=preset_defs,
        description=description,
    )


def _value_solid(name: str, value: Any) -> SolidDefinition:
    @lambda_solid(name=name)
    def _value() -> Any:
        return value

    return _value
