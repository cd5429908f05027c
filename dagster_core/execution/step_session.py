"""Running steps of an existing run in this process: what every process that runs steps shares.

A session opens a run once per process: the run's resources are built once, and its events are
stored in the instance's event log by this process, in batches, so a step's events are kept even
if the driver dies. Before a step runs, the session looks at the run's log for it, unless its
caller knows that no process ran it in this run before: a step that already succeeded in this
run is not run again (Dask recomputing a result lost with a worker, a retried Airflow task) and
returns its recorded result; an attempt lost with its process is followed by the next attempt
number. A session whose run was canceled under it records what its running steps still do, but
not as step ends, so nothing counts as succeeded after the cancel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass

import cloudpickle

from dagster_core.events import (
    STEP_END_EVENTS,
    STEP_START_EVENTS,
    DagsterEvent,
    DagsterEventType,
    ErrorInfo,
)
from dagster_core.execution.context import RunContext
from dagster_core.execution.recorder import EventRecorder
from dagster_core.execution.resources import build_resources
from dagster_core.execution.step_runner import StepResult, run_step
from dagster_core.instance import DagsterInstance, InstanceRef
from dagster_core.user_code import pickle_with_user_code


def recorded_end(events: list[DagsterEvent]) -> DagsterEvent | None:
    """The last end event (success, failure, skip) among a step's events, or None."""
    return next((e for e in reversed(events) if e.event_type in STEP_END_EVENTS), None)


def last_attempt(events: list[DagsterEvent]) -> int:
    """The highest attempt number among a step's STEP_START and STEP_RESTARTED events; 0 if it
    never started."""
    return max((e.attempt for e in events if e.event_type in STEP_START_EVENTS), default=0)


class StepSession:
    """A run opened in this process to run its steps; `close` tears its resources down.

    `recorder` is the caller's when it also records the run's other events in this process (the
    driver running steps in process); else the session makes its own.
    `batch_step_ends`: see EventRecorder. `dispose_instance` closes the instance's connections
    with the session."""

    def __init__(
        self,
        ctx: RunContext,
        instance: DagsterInstance,
        recorder: EventRecorder | None = None,
        batch_step_ends: bool = False,
        dispose_instance: bool = False,
    ):
        self.ctx = ctx
        self.instance = instance
        self.canceled = False
        self._stack = ExitStack()
        if dispose_instance:
            self._stack.callback(instance.dispose)
        self._stack.callback(ctx.compute_log_manager.close_run, ctx.run_id)
        if recorder is None:
            recorder = EventRecorder(instance.store_events, batch_step_ends=batch_step_ends)
            self._stack.callback(recorder.close)
        self._recorder = recorder
        try:
            self._resources = self._stack.enter_context(build_resources(ctx, self._teardown_failed))
        except BaseException:
            self._stack.close()
            raise

    def events(
        self,
        step_key: str,
        upstream: Mapping[str, StepResult] | None = None,
        check_prior: bool = True,
    ) -> Iterator[DagsterEvent]:
        """Run one step, yielding its events as they are recorded; returns its StepResult.

        `upstream` holds the results of the step's upstream steps when the caller knows them;
        None reads them from the run's log. `check_prior=False` skips the look at the log when
        the caller knows that no process ran the step in this run before."""
        step = self.ctx.plan.get_step(step_key)
        attempt = 1
        if check_prior:
            prior = self.instance.event_storage.get_logs_for_step(self.ctx.run_id, step_key)
            end = recorded_end(prior)
            if end is not None and end.event_type is DagsterEventType.STEP_SUCCESS:
                return StepResult.from_end_event(end)
            attempt += last_attempt(prior)
        if upstream is None:
            upstream = self._recorded_upstream(step.upstream_keys)
        result = None
        record = self._recorder.record
        for event in run_step(
            self.ctx, self._resources, step, upstream, first_attempt=attempt, on_log=record
        ):
            if event.event_type in STEP_END_EVENTS:
                result = StepResult.from_end_event(event)
                if self.canceled:
                    event = self._after_cancel(event)
            if event.event_type is not DagsterEventType.LOG_MESSAGE:  # recorded when logged
                record(event)
            yield event
        assert result is not None
        return result

    def run(
        self,
        step_key: str,
        upstream: Mapping[str, StepResult] | None = None,
        check_prior: bool = True,
    ) -> StepResult:
        """Run one step for its result alone (its events go to the log); see `events`."""
        events = self.events(step_key, upstream, check_prior)
        while True:
            try:
                next(events)
            except StopIteration as stop:
                return stop.value

    def _recorded_upstream(self, keys: frozenset[str]) -> dict[str, StepResult]:
        results = {}
        for key in keys:
            end = recorded_end(self.instance.event_storage.get_logs_for_step(self.ctx.run_id, key))
            if end is not None:
                results[key] = StepResult.from_end_event(end)
        return results

    def _after_cancel(self, end: DagsterEvent) -> DagsterEvent:
        """What a step that ended after its run was canceled leaves in the log instead of its end:
        what happened, as an engine event, so the step still counts as canceled."""
        what = end.event_type.value.removeprefix("STEP_").lower()
        return DagsterEvent(
            DagsterEventType.ENGINE_EVENT,
            end.run_id,
            end.pipeline_name,
            message=f"Step {end.step_key} ended ({what}) after the run was canceled; "
            "it counts as canceled",
            step_key=end.step_key,
            solid_name=end.solid_name,
            attempt=end.attempt,
            level=logging.WARNING,
            data={"ended_as": end.event_type.value},
        )

    def _teardown_failed(self, key: str, exc: Exception) -> None:
        """A resource's teardown raised: say so in the run's log (and so to its loggers); how
        the run ended stands."""
        event = DagsterEvent(
            DagsterEventType.ENGINE_EVENT,
            self.ctx.run_id,
            self.ctx.pipeline.name,
            message=f"Teardown of resource '{key}' failed: {type(exc).__name__}: {exc}",
            level=logging.ERROR,
            data={"resource": key, "error": ErrorInfo.from_exception(exc)},
        )
        self._recorder.record(event)

    def flush(self) -> None:
        self._recorder.flush()

    def close(self) -> None:
        """Tear down the run's resources and store what is pending."""
        self._stack.close()


@dataclass(frozen=True)
class RunPayload:
    """What another process needs to run steps of a run, sent once per process: the run's
    validated RunContext (cloudpickled, the user's code by value: see dagster_core.user_code)
    and its instance's ref."""

    run_id: str
    context: bytes
    instance_ref: InstanceRef

    @classmethod
    def of(cls, ctx: RunContext, instance_ref: InstanceRef) -> RunPayload:
        return cls(ctx.run_id, pickle_with_user_code(ctx), instance_ref)

    def open(self, batch_step_ends: bool = False) -> StepSession:
        """A session on this process's own connection to the instance, closed with it.
        `batch_step_ends`: see StepSession."""
        instance = DagsterInstance.from_ref(self.instance_ref)
        try:
            ctx = cloudpickle.loads(self.context)
        except BaseException:
            instance.dispose()
            raise
        return StepSession(
            ctx,
            instance,
            batch_step_ends=batch_step_ends,
            dispose_instance=True,
        )
