"""The one function that runs a step, called by every executor wherever the step runs."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from dagster_core.definitions.events import (
    EventMetadataEntry,
    ExpectationResult,
    Failure,
    Materialization,
    Output,
    RetryRequested,
)
from dagster_core.definitions.retries import RetryMode
from dagster_core.errors import (
    DagsterError,
    DagsterExecutionInterrupted,
    DagsterInvariantViolationError,
    DagsterStepOutputNotFoundError,
    DagsterTypeCheckDidNotPass,
)
from dagster_core.events import DagsterEvent, DagsterEventType, ErrorInfo
from dagster_core.execution.context import DagsterLogManager, RunContext, SolidExecutionContext
from dagster_core.execution.plan import ExecutionStep, StepInput, StepOutputHandle
from dagster_core.execution.resources import ScopedResources
from dagster_core.types import DagsterType, TypeCheckContext


class StepStatus(StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    SKIPPED = "SKIPPED"


_STATUS_OF_END_EVENT = {
    DagsterEventType.STEP_SUCCESS: StepStatus.SUCCESS,
    DagsterEventType.STEP_FAILURE: StepStatus.FAILURE,
    DagsterEventType.STEP_SKIPPED: StepStatus.SKIPPED,
}


@dataclass(frozen=True, slots=True)
class StepResult:
    """How a step ended and which outputs it stored: all a downstream step needs to know."""

    step_key: str
    status: StepStatus
    outputs: frozenset[str] = frozenset()

    @classmethod
    def from_end_event(cls, event: DagsterEvent) -> StepResult:
        return cls(
            event.step_key or "",
            _STATUS_OF_END_EVENT[event.event_type],
            _output_set(tuple(event.data.get("outputs", ()))),
        )


@lru_cache(maxsize=1024)
def _output_set(outputs: tuple[str, ...]) -> frozenset[str]:
    """One frozenset for the steps that stored the same outputs: a wide run holds a result per
    step, and most steps store just `result`."""
    return frozenset(outputs)


class _StepFailed(Exception):
    """Raised inside the runner, from the exception that caused it, to end the attempt with a
    STEP_FAILURE whose message is given. The runner's own checks raise the seed's exception
    classes instead (DagsterInvariantViolationError, DagsterTypeCheckDidNotPass, ...)."""

    def __init__(self, message: str, metadata: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.metadata = dict(metadata or {})


class _Events:
    """Makes the events of one attempt of one step. A `context.log` message is handed to
    `on_log` as it is logged (so it is stored while a long step runs) and kept to be yielded in
    order with the step's other events."""

    def __init__(
        self,
        ctx: RunContext,
        step: ExecutionStep,
        attempt: int,
        on_log: Callable[[DagsterEvent], object] | None,
    ):
        self.attempt = attempt
        self._on_log = on_log
        self._base = {
            "run_id": ctx.run_id,
            "pipeline_name": ctx.pipeline.name,
            "step_key": step.key,
            "solid_name": step.solid_name,
            "attempt": attempt,
        }
        self.pending_logs: list[DagsterEvent] = []

    def make(
        self, event_type: DagsterEventType, message: str, level: int = logging.DEBUG, **data: Any
    ) -> DagsterEvent:
        return DagsterEvent(event_type, message=message, level=level, data=data, **self._base)

    def log(self, level: int, message: str) -> None:
        event = self.make(DagsterEventType.LOG_MESSAGE, message, level)
        if self._on_log is not None:
            self._on_log(event)
        self.pending_logs.append(event)

    def drain_logs(self) -> Iterator[DagsterEvent]:
        logs, self.pending_logs = self.pending_logs, []
        yield from logs


def run_step(
    ctx: RunContext,
    resources: Mapping[str, Any],
    step: ExecutionStep,
    upstream: Mapping[str, StepResult],
    first_attempt: int = 1,
    on_log: Callable[[DagsterEvent], object] | None = None,
) -> Iterator[DagsterEvent]:
    """Run one step: skip it if an input is unavailable, else load inputs, compute, type-check,
    store outputs; retry on RetryRequested unless the run's retries are disabled. An attempt
    begins with STEP_START (the first) or STEP_RESTARTED (a later one) and a retried one ends
    with STEP_UP_FOR_RETRY. The last event is STEP_SUCCESS, STEP_FAILURE or STEP_SKIPPED, whose
    `outputs` data says which outputs were stored. `first_attempt` > 1 when an earlier attempt
    was lost with its process. `on_log` receives each LOG_MESSAGE as it is logged, before it is
    yielded."""
    reason = _why_skip(ctx, step, upstream)
    if reason is not None:
        events = _Events(ctx, step, first_attempt, on_log)
        yield events.make(
            DagsterEventType.STEP_SKIPPED, reason, logging.INFO, reason=reason, outputs=()
        )
        return
    attempt = first_attempt
    while True:
        events = _Events(ctx, step, attempt, on_log)
        retry = yield from _run_attempt(ctx, resources, step, events)
        if retry is None:
            return
        attempt += 1
        time.sleep(retry.seconds_to_wait)


def _why_skip(
    ctx: RunContext, step: ExecutionStep, upstream: Mapping[str, StepResult]
) -> str | None:
    for step_input in step.inputs:
        for handle in step_input.sources:
            result = upstream.get(handle.step_key)
            if result is None:
                if handle in ctx.plan.external_outputs:
                    continue
                return f"upstream step {handle.step_key} did not run"
            if result.status is StepStatus.FAILURE:
                return f"upstream step {handle.step_key} failed"
            if handle.output_name not in result.outputs:
                return (
                    f"upstream step {handle.step_key} did not yield output "
                    f"'{handle.output_name}' needed by input '{step_input.name}'"
                )
    return None


def _run_attempt(
    ctx: RunContext, resources: Mapping[str, Any], step: ExecutionStep, events: _Events
) -> Iterator[DagsterEvent]:
    """One attempt; returns the RetryRequested when the step should run again, else None."""
    solid_def = ctx.pipeline.solids_by_handle[step.solid_name]
    started = time.perf_counter()
    if events.attempt == 1:
        yield events.make(DagsterEventType.STEP_START, f"Started step {step.key}", logging.INFO)
    else:
        yield events.make(
            DagsterEventType.STEP_RESTARTED,
            f"Started step {step.key} again (attempt {events.attempt})",
            logging.INFO,
        )
    stored: list[str] = []
    context = SolidExecutionContext(
        solid_config=ctx.environment.solids.get(step.solid_name, {}).get("config"),
        resources=ScopedResources(**{k: resources[k] for k in solid_def.required_resource_keys}),
        log=DagsterLogManager(events.log),
        run_id=ctx.run_id,
        step_key=step.key,
        solid_name=step.solid_name,
        solid_def=solid_def,
        pipeline_def=ctx.pipeline,
        mode=ctx.run.mode,
        attempt=events.attempt,
        tags=ctx.run.tags,
        pipeline_run=ctx.run,
    )
    try:
        with ctx.compute_log_manager.capture(ctx.run_id, step.key):
            kwargs: dict[str, Any] = {}
            for step_input in step.inputs:
                input_def = solid_def.input_dict[step_input.name]
                value = yield from _load_input(ctx, step, step_input, context, events)
                if input_def.dagster_type.is_nothing:
                    continue
                _type_check(context, input_def.dagster_type, value, f"input '{step_input.name}'")
                yield events.make(
                    DagsterEventType.STEP_INPUT,
                    f'Got input "{step_input.name}" of type "{input_def.dagster_type.name}"',
                    input_name=step_input.name,
                    type_name=input_def.dagster_type.name,
                )
                kwargs[step_input.name] = value

            for item in _compute(solid_def, context, kwargs):
                yield from events.drain_logs()
                yield from _handle_yielded(ctx, step, solid_def, item, stored, context, events)
            yield from events.drain_logs()
            missing = [
                d.name for d in solid_def.output_defs if not d.is_optional and d.name not in stored
            ]
            if missing:
                raise DagsterStepOutputNotFoundError(
                    f"Solid '{step.solid_name}' did not yield required output(s) "
                    f"{', '.join(repr(m) for m in missing)}"
                )
    except RetryRequested as retry:
        yield from events.drain_logs()
        refusal = _why_no_retry(ctx, step, retry, events.attempt)
        if refusal is None:
            yield events.make(
                DagsterEventType.STEP_UP_FOR_RETRY,
                f"Step {step.key} asked to retry (attempt {events.attempt} of "
                f"{retry.max_retries + 1}); waiting {retry.seconds_to_wait}s",
                logging.WARNING,
                seconds_to_wait=retry.seconds_to_wait,
                error=ErrorInfo.from_exception(retry),
            )
            return retry
        refused = _StepFailed(refusal)
        refused.__cause__ = retry
        yield _failure(events, step, refused)
        return None
    except DagsterExecutionInterrupted:
        raise  # a signal to the process: the run is being canceled, not this step failing
    except (Exception, SystemExit, KeyboardInterrupt) as exc:
        yield from events.drain_logs()
        yield _failure(events, step, exc)
        return None
    duration_ms = (time.perf_counter() - started) * 1000
    yield events.make(
        DagsterEventType.STEP_SUCCESS,
        f"Finished step {step.key} in {duration_ms:.1f}ms",
        logging.INFO,
        outputs=tuple(stored),
        duration_ms=duration_ms,
    )
    return None


def _why_no_retry(
    ctx: RunContext, step: ExecutionStep, retry: RetryRequested, attempt: int
) -> str | None:
    """Why a RetryRequested fails the step rather than running it again; None to retry."""
    if ctx.environment.retries is RetryMode.DISABLED:
        return (
            f"Step {step.key} asked to retry (RetryRequested), but retries are disabled for this "
            f"run (execution.{ctx.environment.executor_name}.retries: disabled)"
        )
    if attempt > retry.max_retries:
        return f"Step {step.key} exceeded its {retry.max_retries} retries"
    return None


def _failure(events: _Events, step: ExecutionStep, exc: BaseException) -> DagsterEvent:
    """STEP_FAILURE for what ended the attempt: a Failure's own description and metadata, the
    runner's message for its checks, else the exception's type and message. Its error holds the
    exception that `raise_on_error` raises, as the seed did: the user's own (from the solid, a
    type check, a storage), or the framework's for a mistake it found; none for a retry limit or
    an exit, which the caller gets as DagsterExecutionStepExecutionError."""
    metadata: Mapping[str, Any] = {}
    metadata_entries: tuple[EventMetadataEntry, ...] = ()
    if isinstance(exc, _StepFailed):
        message, metadata = str(exc), exc.metadata
    elif isinstance(exc, DagsterTypeCheckDidNotPass):
        message, metadata_entries = str(exc), exc.metadata_entries
    elif isinstance(exc, Failure):
        message = exc.description or f"Solid '{step.solid_name}' raised Failure"
        metadata, metadata_entries = exc.metadata, exc.metadata_entries
    elif isinstance(exc, DagsterError):
        message = str(exc)
    elif isinstance(exc, SystemExit):
        message = (
            f"Solid '{step.solid_name}' called sys.exit({exc.code!r}): a solid must return, "
            "yield outputs or raise, not exit its process"
        )
    elif isinstance(exc, KeyboardInterrupt):
        message = f"Solid '{step.solid_name}' raised KeyboardInterrupt: {exc}"
    else:
        message = f"Error in solid '{step.solid_name}': {type(exc).__name__}: {exc}"
    raised = exc.__cause__ if isinstance(exc, _StepFailed) else exc
    if isinstance(raised, RetryRequested | SystemExit | KeyboardInterrupt):
        raised = None
    return events.make(
        DagsterEventType.STEP_FAILURE,
        message,
        logging.ERROR,
        error=ErrorInfo.from_exception(exc, raised),
        metadata=dict(metadata),
        metadata_entries=metadata_entries,
        outputs=(),
    )


def _load_input(
    ctx: RunContext,
    step: ExecutionStep,
    step_input: StepInput,
    context: SolidExecutionContext,
    events: _Events,
) -> Iterator[DagsterEvent]:
    """The input's value (a list for fan-in), read from the intermediate store, or loaded from
    run config by its type's input hydration config."""
    if step_input.from_config:
        dagster_type = context.solid_def.input_dict[step_input.name].dagster_type
        try:
            return dagster_type.input_hydration_config.construct_from_config_value(
                context, step_input.config_value
            )
        except Exception as exc:
            raise _StepFailed(
                f"Could not load input '{step_input.name}' of solid '{step.solid_name}' from "
                f"run config ({dagster_type.name}): {type(exc).__name__}: {exc}"
            ) from exc
    if not step_input.sources:
        return None
    values, runs = [], []
    for handle in step_input.sources:
        run_id = ctx.plan.external_outputs.get(handle, ctx.run_id)
        values.append(_read_output(ctx, run_id, handle))
        runs.append(run_id)
    outside = sorted(set(runs) - {ctx.run_id})
    yield events.make(
        DagsterEventType.OBJECT_STORE_OPERATION,
        f"Read {len(values)} value(s) for input '{step_input.name}'"
        + (f" from run(s) {', '.join(outside)}" if outside else ""),
        op="get",
        step_outputs=step_input.sources,
        source_run_ids=tuple(runs),
    )
    return values if step_input.fan_in else values[0]


def _read_output(ctx: RunContext, run_id: str, handle: StepOutputHandle) -> Any:
    upstream = ctx.pipeline.solids_by_handle[ctx.plan.get_step(handle.step_key).solid_name]
    strategy = upstream.output_dict[handle.output_name].dagster_type.serialization_strategy
    try:
        return ctx.intermediates.get_output(run_id, handle.step_key, handle.output_name, strategy)
    except Exception as exc:
        raise _StepFailed(
            f"Could not read output '{handle.output_name}' of step {handle.step_key} "
            f"(run {run_id}): {type(exc).__name__}: {exc}"
        ) from exc


def _type_check(
    context: SolidExecutionContext, dagster_type: DagsterType, value: Any, what: str
) -> None:
    """Raise DagsterTypeCheckDidNotPass, with the check's description and metadata entries,
    unless `value` passes the type's check."""
    try:
        check = dagster_type.type_check(
            TypeCheckContext(context.run_id, context.resources, context.log), value
        )
    except Exception as exc:
        raise _StepFailed(
            f"Type check of {what} of solid '{context.solid_name}' ({dagster_type.name}) raised "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not check.success:
        raise DagsterTypeCheckDidNotPass(
            f"Type check failed for {what} of solid '{context.solid_name}': expected "
            f"{dagster_type.name}, got a value of type {type(value).__name__}"
            + (f": {check.description}" if check.description else ""),
            check.metadata_entries,
            dagster_type,
        )


def _compute(solid_def: Any, context: SolidExecutionContext, inputs: dict[str, Any]) -> Iterator:
    """The solid's yields; a returned value becomes the Output of its single output."""
    result = solid_def.compute_fn(context, inputs)
    if inspect.isgenerator(result):
        yield from result
    elif isinstance(result, Output):
        yield result
    elif isinstance(result, Materialization | ExpectationResult):
        raise DagsterInvariantViolationError(
            f"Solid '{solid_def.name}' returned an event ({type(result).__name__}): yield it instead (a "
            "returned value is the solid's output, so a returned event would be taken for one)"
        )
    elif result is not None or len(solid_def.output_defs) == 1:
        if len(solid_def.output_defs) != 1:
            raise DagsterInvariantViolationError(
                f"Solid '{solid_def.name}' returned a value but has "
                f"{len(solid_def.output_defs)} outputs: yield Output(value, name) for each"
            )
        yield Output(result, solid_def.output_defs[0].name)


def _handle_yielded(
    ctx: RunContext,
    step: ExecutionStep,
    solid_def: Any,
    item: Any,
    stored: list[str],
    context: SolidExecutionContext,
    events: _Events,
) -> Iterator[DagsterEvent]:
    if isinstance(item, Output):
        output_def = solid_def.output_dict.get(item.output_name)
        if output_def is None:
            raise DagsterInvariantViolationError(
                f"Solid '{step.solid_name}' yielded output '{item.output_name}', which it does "
                f"not declare (outputs: {', '.join(solid_def.output_dict) or 'none'})"
            )
        if item.output_name in stored:
            raise DagsterInvariantViolationError(
                f"Solid '{step.solid_name}' yielded output '{item.output_name}' twice"
            )
        _type_check(context, output_def.dagster_type, item.value, f"output '{item.output_name}'")
        try:
            location = ctx.intermediates.set_output(
                ctx.run_id,
                step.key,
                item.output_name,
                item.value,
                output_def.dagster_type.serialization_strategy,
            )
        except Exception as exc:
            raise _StepFailed(
                f"Could not store output '{item.output_name}' of solid '{step.solid_name}' "
                f"(a {type(item.value).__name__}): {type(exc).__name__}: {exc}"
            ) from exc
        stored.append(item.output_name)
        yield events.make(
            DagsterEventType.STEP_OUTPUT,
            f'Yielded output "{item.output_name}" of type "{output_def.dagster_type.name}"',
            output_name=item.output_name,
            type_name=output_def.dagster_type.name,
        )
        yield events.make(
            DagsterEventType.OBJECT_STORE_OPERATION,
            f"Stored output '{item.output_name}' at {location}",
            op="set",
            step_output=StepOutputHandle(step.key, item.output_name),
            location=location,
        )
        for materialization in _materializations(ctx, output_def, item.value, context):
            yield _materialization_event(events, materialization)
    elif isinstance(item, Materialization):
        yield _materialization_event(events, item)
    elif isinstance(item, ExpectationResult):
        yield events.make(
            DagsterEventType.STEP_EXPECTATION_RESULT,
            f"Expectation {item.label or ''} {'passed' if item.success else 'failed'}".strip(),
            logging.INFO if item.success else logging.WARNING,
            expectation_result=item,
        )
    else:
        raise DagsterInvariantViolationError(
            f"Solid '{step.solid_name}' yielded {item!r} (a {type(item).__name__}): expected "
            "Output, Materialization or ExpectationResult"
        )


def _materialization_event(events: _Events, materialization: Materialization) -> DagsterEvent:
    description = materialization.description
    return events.make(
        DagsterEventType.STEP_MATERIALIZATION,
        f"Materialized {materialization.label}" + (f": {description}" if description else ""),
        logging.INFO,
        materialization=materialization,
    )


def _materializations(
    ctx: RunContext, output_def: Any, value: Any, context: SolidExecutionContext
) -> list[Materialization]:
    """Write the output where the solid's `outputs:` run config asks, with its type's output
    materialization config; the Materializations that made."""
    made: list[Materialization] = []
    for choice in ctx.environment.solids.get(context.solid_name, {}).get("outputs", ()):
        ((output_name, config_value),) = choice.items()
        if output_name != output_def.name:
            continue
        materializer = output_def.dagster_type.output_materialization_config
        try:
            made.extend(materializer.materialize_runtime_value(context, config_value, value))
        except Exception as exc:
            raise _StepFailed(
                f"Could not materialize output '{output_name}' of solid '{context.solid_name}' "
                f"as {config_value!r}: {type(exc).__name__}: {exc}"
            ) from exc
    return made
