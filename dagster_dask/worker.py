"""What runs on Dask workers: the shared step runner, with the run's definitions, resources and
event log opened once per worker process and run."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import cloudpickle

from dagster_core.events import STEP_END_EVENTS, DagsterEventType
from dagster_core.execution.context import RunContext
from dagster_core.execution.recorder import EventRecorder
from dagster_core.execution.resources import build_resources
from dagster_core.execution.step_runner import StepResult, StepStatus, run_step
from dagster_core.instance.config import ClassSpec, build_part
from dagster_core.storage import EventLogStorage

_SILENT = 100  # workers store events; the driver prints them


@dataclass(frozen=True)
class RunPayload:
    """Sent once per run to every worker: the pickled RunContext and where events go."""

    run_id: str
    context: bytes
    event_log: ClassSpec


@dataclass
class _WorkerRun:
    ctx: RunContext
    resources: Mapping[str, Any]
    event_log: EventLogStorage
    recorder: EventRecorder
    stack: ExitStack


_runs: dict[str, _WorkerRun] = {}
_lock = threading.Lock()


def _open_run(payload: RunPayload) -> _WorkerRun:
    with _lock:
        run = _runs.get(payload.run_id)
        if run is None:
            ctx: RunContext = cloudpickle.loads(payload.context)
            stack = ExitStack()
            resources = stack.enter_context(build_resources(ctx))
            event_log = build_part(
                "<run payload>", "event_log_storage", payload.event_log, EventLogStorage
            )
            stack.callback(event_log.dispose)
            recorder = EventRecorder(event_log.store_events, _SILENT)
            stack.callback(recorder.close)
            run = _runs[payload.run_id] = _WorkerRun(ctx, resources, event_log, recorder, stack)
        return run


def pass_payload(payload: RunPayload) -> RunPayload:
    """The run payload as a Dask task, so a lost copy is recomputed rather than lost."""
    return payload


def run_step_task(payload: RunPayload, step_key: str, *upstream: StepResult) -> StepResult:
    """Run one step (a Dask task); events go to the run's event log, a small StepResult back.

    A step that already succeeded in this run (Dask recomputing a lost result) is not run again;
    a step whose earlier attempt died with its worker runs as the next attempt."""
    run = _open_run(payload)
    prior = run.event_log.get_logs_for_step(payload.run_id, step_key)
    for event in reversed(prior):
        if event.event_type is DagsterEventType.STEP_SUCCESS:
            return StepResult.from_end_event(event)
    attempt = 1 + max(
        (e.attempt for e in prior if e.event_type is DagsterEventType.STEP_START), default=0
    )
    result = None
    upstream_results = {r.step_key: r for r in upstream}
    step = run.ctx.plan.get_step(step_key)
    for event in run_step(run.ctx, run.resources, step, upstream_results, first_attempt=attempt):
        run.recorder.record(event)
        if event.event_type in STEP_END_EVENTS:
            result = StepResult.from_end_event(event)
    assert result is not None
    return result


def forget_run(run_id: str) -> None:
    """Tear down a finished run's resources and connections on this worker."""
    with _lock:
        run = _runs.pop(run_id, None)
    if run is not None:
        run.stack.close()


def unavailable_step(step_key: str) -> StepResult:
    """Stands in for a step no worker can run, so its downstream steps see it failed."""
    return StepResult(step_key, StepStatus.FAILURE)
