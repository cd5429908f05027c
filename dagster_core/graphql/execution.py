"""The mutations, with the seed's names and result types: start, launch and re-execute runs,
run steps of a run in the server (`executePlan`), terminate and delete runs, start and stop
schedules. Each validates through the execution layer (every config error at once, and no run
recorded when there is one), answers with data, and runs what takes long off the event loop,
so the server keeps serving while runs go on in child processes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import strawberry

from dagster_core.config import DagsterInvalidConfigError
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.errors import (
    DagsterExecutionStepNotFoundError,
    DagsterInvariantViolationError,
)
from dagster_core.events import DagsterEventType
from dagster_core.execution import (
    RunConfig,
    create_run_for_pipeline,
    execute_plan,
)
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.errors import (
    InvalidStepError,
    ModeNotFoundError,
    PipelineConfigValidationInvalid,
    PipelineNotFoundError,
    PipelineRunNotFoundError,
    PythonError,
    RunConflict,
    config_validation_invalid,
    python_error,
)
from dagster_core.graphql.events import PipelineRunEvent, graphql_events
from dagster_core.graphql.instance import (
    RunningSchedule,
    ScheduleNotFoundError,
    SchedulerNotDefinedError,
)
from dagster_core.graphql.pipelines import Pipeline, pipeline_type
from dagster_core.graphql.runs import ExecutionTag, PipelineRun
from dagster_core.graphql.selection import (
    EnvironmentConfigData,
    ExecutionSelector,
    environment_dict_of,
    find_pipeline,
)
from dagster_core.launcher import ChildProcessRunLauncher, RunLauncher, fail_unstarted_run
from dagster_core.scheduler import DagsterSchedulerError
from dagster_core.scheduler.reconcile import start_schedule, stop_schedule
from dagster_core.storage import ACTIVE_STATUSES
from dagster_core.storage import PipelineRun as RunRecord
from dagster_core.storage.schedules import DagsterScheduleNotFoundError

T = TypeVar("T")


@strawberry.input
class ExecutionMetadata:
    """The run's id (a new one unless given) and its tags."""

    run_id: str | None = None
    tags: list[ExecutionTag] | None = None


@strawberry.input
class ExecutionParams:
    """What to run: a pipeline (or some of its solids), its run config (or a preset), the mode,
    the run's id and tags, the steps, and `retryRunId`, a run to re-execute: its `stepKeys`, or
    without them the steps that did not succeed there."""

    selector: ExecutionSelector
    environment_config_data: EnvironmentConfigData | None = None
    mode: str | None = None
    execution_metadata: ExecutionMetadata | None = None
    step_keys: list[str] | None = None
    preset: str | None = None
    retry_run_id: str | None = None


@strawberry.type
class PresetNotFoundError:
    preset: str
    message: str


@strawberry.type
class StartPipelineExecutionSuccess:
    run: PipelineRun


@strawberry.type
class LaunchPipelineExecutionSuccess:
    run: PipelineRun


@strawberry.type
class ExecutePlanSuccess:
    pipeline: Pipeline
    has_failures: bool
    step_events: list[PipelineRunEvent]  # type: ignore[valid-type]


@strawberry.type
class TerminatePipelineExecutionSuccess:
    run: PipelineRun


@strawberry.type
class TerminatePipelineExecutionFailure:
    run: PipelineRun
    message: str


@strawberry.type
class CancelPipelineExecutionSuccess:
    run: PipelineRun


@strawberry.type
class CancelPipelineExecutionFailure:
    run: PipelineRun
    message: str


@strawberry.type
class DeletePipelineRunSuccess:
    run_id: str


@strawberry.type(description="A run that cannot be deleted now (it is running).")
class DeletePipelineRunFailure:
    run: PipelineRun
    message: str


_ExecutionErrors = (
    InvalidStepError
    | PipelineConfigValidationInvalid
    | PipelineNotFoundError
    | ModeNotFoundError
    | PresetNotFoundError
    | PipelineRunNotFoundError
    | RunConflict
    | PythonError
)
StartPipelineExecutionResult = Annotated[
    StartPipelineExecutionSuccess | _ExecutionErrors,
    strawberry.union("StartPipelineExecutionResult"),
]
LaunchPipelineExecutionResult = Annotated[
    LaunchPipelineExecutionSuccess | _ExecutionErrors,
    strawberry.union("LaunchPipelineExecutionResult"),
]
ExecutePlanResult = Annotated[
    ExecutePlanSuccess | _ExecutionErrors, strawberry.union("ExecutePlanResult")
]
TerminatePipelineExecutionResult = Annotated[
    TerminatePipelineExecutionSuccess
    | TerminatePipelineExecutionFailure
    | PipelineRunNotFoundError
    | PythonError,
    strawberry.union("TerminatePipelineExecutionResult"),
]
CancelPipelineExecutionResult = Annotated[
    CancelPipelineExecutionSuccess
    | CancelPipelineExecutionFailure
    | PipelineRunNotFoundError
    | PythonError,
    strawberry.union("CancelPipelineExecutionResult"),
]
DeletePipelineRunResult = Annotated[
    DeletePipelineRunSuccess | DeletePipelineRunFailure | PipelineRunNotFoundError | PythonError,
    strawberry.union("DeletePipelineRunResult"),
]
ScheduleMutationResult = Annotated[
    RunningSchedule | ScheduleNotFoundError | SchedulerNotDefinedError | PythonError,
    strawberry.union("ScheduleMutationResult"),
]


class _Answer(Exception):  # not an error: carries a resolver's answer out
    """Raised with an error type that is the mutation's answer."""

    def __init__(self, answer: object):
        super().__init__(answer)
        self.answer = answer


@dataclass(frozen=True)
class _Request:
    """ExecutionParams checked against the workspace: the whole pipeline (the subset is part of
    the run), the run config given (None: the preset's, or the parent run's) and the one the
    run is prepared with."""

    pipeline: PipelineDefinition
    environment_dict: dict[str, Any] | None
    run_environment_dict: dict[str, Any] | None
    mode: str | None
    preset: str | None
    solid_subset: list[str] | None
    tags: dict[str, str]
    run_id: str | None
    step_keys: list[str] | None
    retry_run_id: str | None


def _request(context: GraphQLContext, params: ExecutionParams) -> _Request:
    """The request `params` make, or _Answer with the error type that says what is wrong."""
    found = find_pipeline(context, params.selector)
    if not isinstance(found, PipelineDefinition):
        raise _Answer(found)
    pipeline = context.workspace.repository.get_pipeline(params.selector.name)
    environment_dict = environment_dict_of(params.environment_config_data)
    run_environment_dict = environment_dict
    if params.preset is not None:
        preset = next((p for p in pipeline.preset_defs if p.name == params.preset), None)
        if preset is None:
            raise _Answer(
                PresetNotFoundError(
                    preset=params.preset,
                    message=f"Pipeline '{pipeline.name}' has no preset '{params.preset}' "
                    f"(presets: {', '.join(p.name for p in pipeline.preset_defs) or 'none'})",
                )
            )
        run_environment_dict = preset.environment_dict
    elif params.mode is not None and params.mode not in {m.name for m in pipeline.mode_defs}:
        raise _Answer(
            ModeNotFoundError(
                mode=params.mode,
                message=f"Pipeline '{pipeline.name}' has no mode '{params.mode}' "
                f"(modes: {', '.join(m.name for m in pipeline.mode_defs)})",
            )
        )
    metadata = params.execution_metadata or ExecutionMetadata()
    tags = {tag.key: tag.value for tag in metadata.tags or ()}
    handle = context.workspace.handle
    return _Request(
        pipeline,
        None if environment_dict is None else dict(environment_dict),
        None if run_environment_dict is None else dict(run_environment_dict),
        params.mode,
        params.preset,
        params.selector.solid_subset,
        {**tags, **(handle.tags() if handle is not None else {})},
        metadata.run_id,
        params.step_keys,
        params.retry_run_id,
    )


def _answering(pipeline_name: str, work: Callable[[], T]) -> T | object:
    """`work()`, or the error type for what the layers below raised."""
    try:
        return work()
    except _Answer as answer:
        return answer.answer
    except DagsterInvalidConfigError as exc:
        return config_validation_invalid(pipeline_name, exc.errors)
    except DagsterExecutionStepNotFoundError as exc:
        return InvalidStepError(invalid_step_key=exc.step_keys[0], message=str(exc))
    except Exception as exc:
        return python_error(exc)


def _check_run_id(context: GraphQLContext, run_id: str | None) -> None:
    if run_id is not None and context.instance.get_run_by_id(run_id) is not None:
        raise _Answer(RunConflict(message=f"Run id {run_id} is taken: a run with it exists"))


def _create_run(context: GraphQLContext, request: _Request) -> RunRecord:
    """Validate and record the run the request asks for (not started)."""
    _check_run_id(context, request.run_id)
    if (
        request.retry_run_id is not None
        and context.instance.get_run_by_id(request.retry_run_id) is None
    ):
        raise _Answer(
            PipelineRunNotFoundError(
                run_id=request.retry_run_id,
                message=f"No run {request.retry_run_id} to re-execute in the instance",
            )
        )
    return create_run_for_pipeline(
        request.pipeline,
        request.environment_dict,
        mode=request.mode,
        preset=request.preset,
        tags=request.tags,
        instance=context.instance,
        solid_subset=request.solid_subset,
        run_config=RunConfig(
            run_id=request.run_id,
            step_keys_to_execute=None if request.step_keys is None else tuple(request.step_keys),
            previous_run_id=request.retry_run_id,
        ),
        from_failure=request.retry_run_id is not None and request.step_keys is None,
    )


def _launch(context: GraphQLContext, params: ExecutionParams, launcher: RunLauncher) -> RunRecord:
    """Record the run and hand it to `launcher`; a run the launcher failed to start is marked
    FAILURE saying why."""
    request = _request(context, params)
    run = _create_run(context, request)
    try:
        launcher.launch_run(context.instance, run, request.pipeline, request.run_environment_dict)
    except Exception as exc:
        fail_unstarted_run(context.instance, run.run_id, f"the run launcher failed: {exc}")
        raise
    return context.instance.get_run_by_id(run.run_id) or run


def _execute_plan(context: GraphQLContext, params: ExecutionParams) -> ExecutePlanSuccess:
    """Run the requested steps of the run here, recording the run first if it is new (with
    every step, so that other calls may run the others)."""
    request = _request(context, params)
    run = None if request.run_id is None else context.instance.get_run_by_id(request.run_id)
    created = run is None
    if run is None:
        run = create_run_for_pipeline(
            request.pipeline,
            request.environment_dict,
            mode=request.mode,
            preset=request.preset,
            tags=request.tags,
            instance=context.instance,
            solid_subset=request.solid_subset,
            run_config=RunConfig(run_id=request.run_id),
        )
    elif run.pipeline_name != request.pipeline.name:
        raise DagsterInvariantViolationError(
            f"Run {run.run_id} is a run of pipeline '{run.pipeline_name}', "
            f"not '{request.pipeline.name}'"
        )
    try:
        events = execute_plan(
            request.pipeline,
            request.run_environment_dict,
            run_id=run.run_id,
            step_keys=request.step_keys,
            instance=context.instance,
            mode=request.mode,
        )
    except DagsterExecutionStepNotFoundError:
        if created:  # nothing ran: the request named steps the pipeline does not have
            context.instance.delete_run(run.run_id)
        raise
    step_events = [e for e in events if e.step_key is not None]
    return ExecutePlanSuccess(
        pipeline=pipeline_type(request.pipeline),
        has_failures=any(e.event_type is DagsterEventType.STEP_FAILURE for e in step_events),
        step_events=graphql_events(step_events),
    )


def _run_or_error(context: GraphQLContext, run_id: str) -> RunRecord:
    run = context.instance.get_run_by_id(run_id)
    if run is None:
        raise _Answer(
            PipelineRunNotFoundError(
                run_id=run_id,
                message=f"No run {run_id} in the instance at {context.instance.source}",
            )
        )
    return run


def _terminate(context: GraphQLContext, run_id: str, success: type, failure: type) -> object:
    """Ask the run to stop (its driver cancels its steps and marks it CANCELED): `success` with
    the run, or `failure` saying why it could not be asked (the seed had two mutations, each
    with its own result types)."""
    run = _run_or_error(context, run_id)
    if context.instance.terminate_run(run_id):
        return success(run=PipelineRun(record=context.instance.get_run_by_id(run_id) or run))
    return failure(
        run=PipelineRun(record=run),
        message=f"Run {run_id} is not running (status {run.status.value}): nothing to terminate",
    )


def _delete(context: GraphQLContext, run_id: str) -> object:
    run = _run_or_error(context, run_id)
    if run.status in ACTIVE_STATUSES:
        return DeletePipelineRunFailure(
            run=PipelineRun(record=run),
            message=f"Run {run_id} is running (status {run.status.value}): terminate it, "
            "or wait for it to end, before deleting it",
        )
    context.instance.delete_run(run_id)
    return DeletePipelineRunSuccess(run_id=run_id)


def _schedule(context: GraphQLContext, name: str, change: Callable[..., Any]) -> object:
    try:
        return RunningSchedule(schedule=change(context.instance, name), context=context)
    except DagsterScheduleNotFoundError as exc:
        return ScheduleNotFoundError(schedule_name=name, message=str(exc))
    except DagsterSchedulerError as exc:
        return SchedulerNotDefinedError(message=str(exc))


async def _off_loop(work: Callable[[], T]) -> T:
    """Run blocking work (the database, child processes, steps) in a worker thread."""
    return await asyncio.to_thread(work)


@strawberry.type
class ExecutionMutations:
    @strawberry.mutation(
        description="Start a run in a child process of this server and return it at once."
    )
    async def start_pipeline_execution(
        self, info: strawberry.Info, execution_params: ExecutionParams
    ) -> StartPipelineExecutionResult:
        context: GraphQLContext = info.context
        return await _off_loop(
            lambda: _answering(
                execution_params.selector.name,
                lambda: StartPipelineExecutionSuccess(
                    run=PipelineRun(
                        record=_launch(context, execution_params, ChildProcessRunLauncher())
                    )
                ),
            )
        )

    @strawberry.mutation(description="Start a run through the instance's run launcher.")
    async def launch_pipeline_execution(
        self, info: strawberry.Info, execution_params: ExecutionParams
    ) -> LaunchPipelineExecutionResult:
        context: GraphQLContext = info.context
        return await _off_loop(
            lambda: _answering(
                execution_params.selector.name,
                lambda: LaunchPipelineExecutionSuccess(
                    run=PipelineRun(
                        record=_launch(context, execution_params, context.instance.run_launcher)
                    )
                ),
            )
        )

    @strawberry.mutation(
        description="Run steps (`stepKeys`, else all) of run `executionMetadata.runId` in this "
        "server, recording the run first if it is new; answers when they have ended."
    )
    async def execute_plan(
        self, info: strawberry.Info, execution_params: ExecutionParams
    ) -> ExecutePlanResult:
        context: GraphQLContext = info.context
        return await _off_loop(
            lambda: _answering(
                execution_params.selector.name, lambda: _execute_plan(context, execution_params)
            )
        )

    @strawberry.mutation(description="Ask a running run to stop; it ends CANCELED.")
    async def terminate_pipeline_execution(
        self, info: strawberry.Info, run_id: str
    ) -> TerminatePipelineExecutionResult:
        return await _off_loop(
            lambda: _answering(
                "",
                lambda: _terminate(
                    info.context,
                    run_id,
                    TerminatePipelineExecutionSuccess,
                    TerminatePipelineExecutionFailure,
                ),
            )
        )

    @strawberry.mutation(description="The seed's name for terminatePipelineExecution.")
    async def cancel_pipeline_execution(
        self, info: strawberry.Info, run_id: str
    ) -> CancelPipelineExecutionResult:
        return await _off_loop(
            lambda: _answering(
                "",
                lambda: _terminate(
                    info.context,
                    run_id,
                    CancelPipelineExecutionSuccess,
                    CancelPipelineExecutionFailure,
                ),
            )
        )

    @strawberry.mutation(description="Delete a run that is not running, with its events.")
    async def delete_pipeline_run(
        self, info: strawberry.Info, run_id: str
    ) -> DeletePipelineRunResult:
        return await _off_loop(lambda: _answering("", lambda: _delete(info.context, run_id)))

    @strawberry.mutation(description="Start a stopped schedule, as `dagster schedule start`.")
    async def start_schedule(
        self, info: strawberry.Info, schedule_name: str
    ) -> ScheduleMutationResult:
        return await _off_loop(
            lambda: _answering("", lambda: _schedule(info.context, schedule_name, start_schedule))
        )

    @strawberry.mutation(description="Stop a schedule, as `dagster schedule stop`.")
    async def stop_running_schedule(
        self, info: strawberry.Info, schedule_name: str
    ) -> ScheduleMutationResult:
        return await _off_loop(
            lambda: _answering("", lambda: _schedule(info.context, schedule_name, stop_schedule))
        )
