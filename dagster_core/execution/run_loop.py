"""The run loop: one driver for every run, whatever executor runs its steps.

Policy
------
The loop records PIPELINE_START, hands steps to the executor, and records the run's final status
as soon as the last step has completed; closing the executor (its child processes, its Dask
cluster) comes after and never changes that status. Executors only launch steps (in this
process, in child processes, as Dask futures) and report each step's completion back as a small
StepResult. Every process stores the events it makes in the instance's event log itself. The
loop yields the events made in this process as they are made; when steps run elsewhere it yields
the run's events as the event log shows them, in stored order, so the caller sees every event
once whichever process wrote it.

A step is handed over once every upstream step in the run has completed; an executor that takes
the whole plan (dask) gets every step at the start and lets its scheduler order them. Input
loading, skipping after a failed upstream step and RetryRequested retries happen in the step
function, wherever it runs. A step whose process or task failed outside the step function (a
killed child, a lost Dask task) is failed here with the reason; a step reported failed while
one of its upstream steps had not succeeded never ran, and is skipped here.

At most every 0.5 s the loop looks for a termination request (`dagster run terminate`). Then, or
on SIGINT / SIGTERM, it cancels the executor's steps, marks each step that started and did not
end as canceled, and records PIPELINE_CANCELED.

State
-----
    results    step key -> StepResult of each completed step (from its end event, or as its
               executor reported it)
    waiting    step key -> number of its upstream steps in the run not completed yet
    ready      steps to hand over next
    finished   steps whose executor said they ended, their end events not seen yet
    started    step key -> STEP_START (or STEP_RESTARTED) of each step running, for cancellation
    seen       position in the run's log of the last event yielded, when watching the log

Example
-------
>>> result = execute_pipeline(hello_pipeline)             # doctest: +SKIP
>>> [e.event_type.value for e in result.event_list if e.step_key is None]
['PIPELINE_START', 'PIPELINE_SUCCESS']
"""

from __future__ import annotations

import itertools
import logging
import queue
import signal
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dagster_core.errors import DagsterExecutionInterrupted, DagsterRunTerminated
from dagster_core.events import (
    STEP_END_EVENTS,
    STEP_START_EVENTS,
    DagsterEvent,
    DagsterEventType,
    ErrorInfo,
)
from dagster_core.execution.context import RunContext
from dagster_core.execution.loggers import RunLoggers
from dagster_core.execution.plan import ExecutionStep
from dagster_core.execution.recorder import EventRecorder
from dagster_core.execution.step_runner import StepResult, StepStatus
from dagster_core.execution.step_session import last_attempt, recorded_end
from dagster_core.execution.termination import TerminationCheck
from dagster_core.executors.base import Executor, LaunchContext, StepCompletion
from dagster_core.instance import DagsterInstance, InstanceRef

_POLL_SECONDS = 0.5
_RUN_EVENT_LEVELS = {
    DagsterEventType.PIPELINE_FAILURE: logging.ERROR,
    DagsterEventType.PIPELINE_CANCELED: logging.ERROR,
}
_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Stored:
    """An event of the run as the watcher read it from the log, with its position there."""

    position: int
    event: DagsterEvent


@contextmanager
def _interrupts_cancel() -> Iterator[None]:
    """While the run loop runs in the main thread, SIGINT and SIGTERM raise
    DagsterExecutionInterrupted there, so the run is canceled rather than killed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, _frame: object) -> None:
        raise DagsterExecutionInterrupted(f"received {signal.Signals(signum).name}")

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        if threading.current_thread() is threading.main_thread():
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class _RunLoop:
    def __init__(
        self,
        ctx: RunContext,
        executor: Executor,
        instance: DagsterInstance,
        instance_ref: InstanceRef | None,
    ):
        self.ctx = ctx
        self.executor = executor
        self.instance = instance
        self.recorder = EventRecorder(
            instance.store_events, batch_step_ends=executor.runs_in_driver
        )
        self.inbox: queue.Queue[_Stored | StepCompletion] = queue.Queue()
        self.watching = not executor.runs_in_driver
        self.loggers = RunLoggers()  # the run's own, built when it starts
        self.launch = LaunchContext(ctx, instance, instance_ref, self.recorder, self.inbox.put)
        self.steps = {s.key: s for s in ctx.plan.steps_to_execute}
        self.results: dict[str, StepResult] = {}
        self.started: dict[str, DagsterEvent] = {}
        self.ready: list[ExecutionStep] = []
        self.finished: dict[str, StepCompletion] = {}
        self.downstream: dict[str, list[str]] = defaultdict(list)
        self.waiting: dict[str, int] = {}
        self.seen = -1
        self._positions = itertools.count()

    # -- events ---------------------------------------------------------------------------------

    def _event(self, event_type: DagsterEventType, message: str, **data: Any) -> DagsterEvent:
        level = _RUN_EVENT_LEVELS.get(event_type, logging.INFO)
        return DagsterEvent(
            event_type, self.ctx.run_id, self.ctx.pipeline.name, message, level=level, data=data
        )

    def _record(self, event: DagsterEvent) -> Iterator[DagsterEvent]:
        """Store an event made here; yield it now unless it comes back through the log."""
        self.recorder.record(event)
        if not self.watching:
            yield self._shown(event)

    def _shown(self, event: DagsterEvent) -> DagsterEvent:
        """Track and print an event on its way to the caller; a step's end completes it."""
        if event.step_key is not None:
            if event.event_type in STEP_START_EVENTS:
                self.started[event.step_key] = event
            elif event.event_type in STEP_END_EVENTS:
                self.started.pop(event.step_key, None)
                self._finish(event.step_key, StepResult.from_end_event(event))
        self.loggers.log_event(event)
        return event

    def _on_stored(self, event: DagsterEvent) -> None:
        """The watcher's callback: events in stored order, from a background thread."""
        self.inbox.put(_Stored(next(self._positions), event))

    def _catch_up(self) -> Iterator[DagsterEvent]:
        """Yield the run's events stored since the last one yielded, read now rather than
        waiting for the watcher (which may still deliver them; they are then passed over)."""
        if not self.watching:
            return
        for event in self.instance.event_storage.get_logs_for_run(self.ctx.run_id, self.seen):
            self.seen += 1
            yield self._shown(event)

    # -- steps ----------------------------------------------------------------------------------

    def _step_end(
        self,
        event_type: DagsterEventType,
        key: str,
        solid_name: str | None,
        message: str,
        attempt: int = 1,
        **data: Any,
    ) -> DagsterEvent:
        """A STEP_FAILURE or STEP_SKIPPED the loop records for a step whose own runner could
        not (its process died, its task failed in Dask, the run was canceled under it)."""
        return DagsterEvent(
            event_type,
            self.ctx.run_id,
            self.ctx.pipeline.name,
            message=message,
            step_key=key,
            solid_name=solid_name,
            attempt=attempt,
            level=logging.ERROR if event_type is DagsterEventType.STEP_FAILURE else logging.INFO,
            data={"outputs": (), **data},
        )

    def _engine_end(
        self, step: ExecutionStep, completion: StepCompletion
    ) -> tuple[DagsterEvent, bool]:
        """The end of a step reported failed outside its step function, and whether it is
        recorded already: the step ended before its process or task failed (a task that runs a
        chain of steps), or the loop records why it did not run or failed."""
        blocked = sorted(
            k
            for k in step.upstream_keys & self.steps.keys()
            if k not in self.results or self.results[k].status is not StepStatus.SUCCESS
        )
        if blocked:
            reason = f"upstream step {blocked[0]} did not succeed"
            skipped = self._step_end(
                DagsterEventType.STEP_SKIPPED,
                step.key,
                step.solid_name,
                f"Skipped {step.key}: {reason}",
                reason=reason,
            )
            return skipped, False
        prior = self.instance.event_storage.get_logs_for_step(self.ctx.run_id, step.key)
        recorded = recorded_end(prior)
        if recorded is not None:
            return recorded, True
        failed = self._step_end(
            DagsterEventType.STEP_FAILURE,
            step.key,
            step.solid_name,
            f"Step {step.key} failed: {completion.failure}",
            attempt=max(last_attempt(prior), 1),
            error=completion.error,
        )
        return failed, False

    def _finish(self, key: str, result: StepResult) -> None:
        """Note a step's result (once) and queue the steps it made ready."""
        if key in self.results or key not in self.steps:
            return
        self.results[key] = result
        self.finished.pop(key, None)
        for downstream in self.downstream[key]:
            self.waiting[downstream] -= 1
            if self.waiting[downstream] == 0:
                self.ready.append(self.steps[downstream])

    def _complete(self, completion: StepCompletion) -> Iterator[DagsterEvent]:
        """Take a step's completion as its executor reports it."""
        key = completion.step_key
        if key in self.results or key not in self.steps:
            return
        if completion.result is not None:
            self._finish(key, completion.result)
        elif completion.failure is not None:
            end, recorded = self._engine_end(self.steps[key], completion)
            self._finish(key, StepResult.from_end_event(end))
            if not recorded:
                yield from self._record(end)
        else:  # its end is in the log; the watcher brings it, or a read now once all are in
            self.finished[key] = completion
            if len(self.results) + len(self.finished) == len(self.steps):
                self.executor.flush()
                yield from self._catch_up()
                fetched = False
                for other, done in list(self.finished.items()):
                    if other not in self.results and done.fetch_result is not None:
                        self._finish(other, done.fetch_result())
                        fetched = True
                if fetched:  # rerun where their first process died: their events come now
                    self.executor.flush()
                    yield from self._catch_up()

    def _drive(self) -> Iterator[DagsterEvent]:
        steps = list(self.steps.values())
        for step in steps:
            upstream = step.upstream_keys & self.steps.keys()
            self.waiting[step.key] = len(upstream)
            for key in upstream:
                self.downstream[key].append(step.key)
        for event in self.executor.start(self.launch):
            yield from self._record(event)
        if self.executor.takes_whole_plan:
            self.ready = steps
            self.waiting = {key: -1 for key in self.waiting}  # handed over: never ready again
        else:
            self.ready = [s for s in steps if not self.waiting[s.key]]
        check_termination = TerminationCheck(self.instance, self.ctx.run_id)
        while len(self.results) < len(steps):
            if self.ready:
                batch, self.ready = self.ready, []
                for event in self.executor.launch(batch, self.results):
                    yield self._shown(event)
                continue
            check_termination()
            try:
                item = self.inbox.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if isinstance(item, _Stored):
                if item.position == self.seen + 1:
                    self.seen += 1
                    yield self._shown(item.event)
            else:
                yield from self._complete(item)

    # -- the run --------------------------------------------------------------------------------

    def _stop(self, reason: str, end: DagsterEvent) -> Iterator[DagsterEvent]:
        """Cancel the executor's steps, mark the running ones canceled, record `end`."""
        try:
            self.executor.cancel()
        except Exception:
            _logger.exception("The executor failed to cancel the steps of run %s", self.ctx.run_id)
        yield from self._catch_up()
        for key, start in list(self.started.items()):
            yield from self._record(
                self._step_end(
                    DagsterEventType.STEP_FAILURE,
                    key,
                    start.solid_name,
                    f"Step {key} canceled: {reason}",
                    attempt=start.attempt,
                    canceled=True,
                )
            )
        yield from self._record(end)
        yield from self._catch_up()

    def run(self) -> Iterator[DagsterEvent]:
        keys = list(self.steps)
        try:
            with _interrupts_cancel():
                self.loggers = RunLoggers.build(self.ctx)
                yield from self._record(
                    self._event(
                        DagsterEventType.PIPELINE_START,
                        f"Started run {self.ctx.run_id} of {len(keys)} steps with the "
                        f"{self.ctx.environment.executor_name} executor",
                        step_keys=keys,
                    )
                )
                if self.watching:
                    self.instance.watch_event_logs(self.ctx.run_id, -1, self._on_stored)
                yield from self._drive()
                failed = [k for k in keys if self.results[k].status is StepStatus.FAILURE]
                if failed:
                    end = self._event(
                        DagsterEventType.PIPELINE_FAILURE,
                        f"Run failed: step(s) {', '.join(failed)} failed",
                        failed_steps=tuple(failed),
                    )
                else:
                    end = self._event(DagsterEventType.PIPELINE_SUCCESS, "Run succeeded")
                yield from self._record(end)
                yield from self._catch_up()
        except DagsterRunTerminated:
            yield from self._stop(
                "the run was terminated",
                self._event(DagsterEventType.PIPELINE_CANCELED, "Run was terminated"),
            )
        except (KeyboardInterrupt, GeneratorExit):
            # a closed generator may not yield: record only
            for _ in self._stop(
                "the run was interrupted",
                self._event(DagsterEventType.PIPELINE_CANCELED, "Run was interrupted"),
            ):
                pass
            raise
        except Exception as exc:
            error = ErrorInfo.from_exception(exc)
            yield from self._stop(
                f"the run failed: {error.message}",
                self._event(
                    DagsterEventType.PIPELINE_FAILURE, f"Run failed: {error.message}", error=error
                ),
            )
            raise
        finally:
            if self.watching:
                self.instance.end_watch_event_logs(self.ctx.run_id, self._on_stored)
            try:
                self.executor.close()
            finally:
                self.recorder.close()


def run_loop(
    ctx: RunContext,
    executor: Executor,
    instance: DagsterInstance,
    instance_ref: InstanceRef | None,
) -> Iterator[DagsterEvent]:
    """Drive one recorded run to its end with `executor`, yielding its events as they happen.
    `instance_ref` opens `instance` in the other processes of an executor that runs steps
    outside this one."""
    return _RunLoop(ctx, executor, instance, instance_ref).run()
