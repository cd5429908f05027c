"""What runs on Dask workers: the shared step session, opened once per worker process and run.

A worker stores its steps' events in batches, step ends included (a step's completion reaches
the driver through Dask), and stores what is pending when the driver asks (`flush_run`, once
every step of the run has completed) or releases the run.

A worker keeps each run's session (definitions, resources, the instance's connections) from the
run's first step on it until the run is released: by its driver when the run ends or is
canceled, or, when the driver went away without saying so (killed), as soon as the scheduler has
forgotten the run's payload task. A released session closes only once the steps of its run that
are running on this worker have ended, so no step runs with its resources torn down.

Before a step runs, it looks in the run's log for an earlier attempt (a success is not run
again; a lost attempt is followed by the next number) only when its task may have run before:
on the scheduler, MarkRecomputes marks a step task that leaves a worker other than by
finishing there (its worker was lost, its result with it, Dask retries it), and the mark reaches
the worker that runs the task again with the task's annotations. Dask computes an unmarked task
for the first time, so nothing of it can be in the log. (The scheduler can load the plugin: it
must import dagster anyway, to read the run's task graph.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from distributed import SchedulerPlugin, WorkerPlugin, get_worker
from distributed.worker_state_machine import TaskState as WorkerTaskState

from dagster_core.execution.step_runner import StepResult
from dagster_core.execution.step_session import RunPayload, StepSession
from dagster_dask.clusters import DagsterDaskError

PAYLOAD_PREFIX = "dagster-payload-"
# Annotations: on every task that runs steps; added by MarkRecomputes to one that may have run.
STEP_TASK = "dagster/steps"
RECOMPUTE = "dagster/recompute"


@dataclass
class _WorkerRun:
    session: StepSession
    running: int = 0
    released: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


_runs: dict[str, _WorkerRun] = {}
_runs_lock = threading.Lock()


def _acquire(payload: RunPayload) -> _WorkerRun:
    with _runs_lock:
        run = _runs.get(payload.run_id)
        if run is None:
            run = _runs[payload.run_id] = _WorkerRun(payload.open(batch_step_ends=True))
        run.running += 1
        return run


def _release_step(run_id: str, run: _WorkerRun) -> None:
    with _runs_lock:
        run.running -= 1
        close = run.released and run.running == 0 and _runs.get(run_id) is run
        if close:
            del _runs[run_id]
    if close:
        run.session.close()


def pass_payload(payload: RunPayload) -> RunPayload:
    """The run payload as a Dask task, so a lost copy is recomputed rather than lost."""
    return payload


def run_steps_task(
    payload: RunPayload, step_keys: tuple[str, ...], *upstream: tuple[StepResult, ...]
) -> tuple[StepResult, ...]:
    """Run steps one after another (a Dask task: one step, or a chain of steps each the only
    downstream of the one before) in the run's session on this worker; their events go to the
    instance's event log, their small StepResults back. A chain stops before its next step once
    Dask no longer wants the task (the run was canceled, or its driver went away), as that
    step's own task would not have started. Its steps look for earlier attempts in the run's
    log only when the scheduler marked the task as one that may have run before."""
    run = _acquire(payload)
    try:
        check_prior = _marked_recompute()
        known = {r.step_key: r for results in upstream for r in results}
        for index, key in enumerate(step_keys):
            if index and (run.released or _abandoned()):
                raise DagsterDaskError(
                    f"run {payload.run_id} was canceled or its driver went away before step {key}"
                )
            known[key] = run.session.run(key, known, check_prior)
        return tuple(known[key] for key in step_keys)
    finally:
        _release_step(payload.run_id, run)


def flush_run(run_id: str) -> None:
    """Store the events of a run's steps that ended on this worker and are still batched."""
    with _runs_lock:
        run = _runs.get(run_id)
    if run is not None:
        run.session.flush()


def _current_task() -> WorkerTaskState | None:
    """The worker's state of the task running in this thread; None once it forgot the task."""
    worker = get_worker()
    return worker.state.tasks.get(worker.get_current_task())


def _marked_recompute() -> bool:
    """Whether the scheduler marked the task running in this thread as one that may have run
    before (MarkRecomputes); a task this worker no longer knows counts as marked."""
    task = _current_task()
    return task is None or bool((task.annotations or {}).get(RECOMPUTE))


def _abandoned() -> bool:
    """Whether the scheduler has let go of the task running in this thread (its client
    released it): the worker then only waits for it to end, to drop its result."""
    task = _current_task()
    return task is None or task.state != "executing"


def release_run(run_id: str, canceled: bool = False) -> None:
    """Release a run's state on this worker, once its running steps end; the events of the
    steps that ended are stored now. `canceled`: steps of it that end from now on are not
    recorded as step ends (the run was canceled under them)."""
    with _runs_lock:
        run = _runs.get(run_id)
        if run is None:
            return
        run.session.canceled = run.session.canceled or canceled
        run.released = True
        close = run.running == 0
        if close:
            del _runs[run_id]
    if close:
        run.session.close()
    else:
        run.session.flush()


def unavailable_step(reason: str, *_upstream: tuple[StepResult, ...]) -> tuple[StepResult, ...]:
    """Stands in for a step that no worker can run: fails with the reason once its upstream
    steps have succeeded (if one did not, the step is skipped)."""
    raise DagsterDaskError(reason)


class ReleaseForgottenRuns(WorkerPlugin):
    """Releases a run's state on this worker when the scheduler no longer has its payload task,
    which happens when the run's driver released it or its client went away."""

    idempotent = True
    name = "dagster-release-forgotten-runs"

    def setup(self, worker) -> None:  # type: ignore[no-untyped-def]
        self._worker = worker

    def transition(self, key, start, finish, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if finish == "forgotten" and isinstance(key, str) and key.startswith(PAYLOAD_PREFIX):
            self._worker.loop.add_callback(self._release_if_gone, key)

    async def _release_if_gone(self, key: str) -> None:
        """Release the run unless the scheduler has its payload task again (a new client of the
        run asked for it); a scheduler that cannot be asked (it is closing) has no run either."""
        try:
            status = await self._worker.scheduler.get_task_status(keys=[key])
        except OSError:  # distributed's CommClosedError among them
            status = {}
        if status.get(key) is None:
            await self._worker.loop.run_in_executor(
                None, release_run, key.removeprefix(PAYLOAD_PREFIX)
            )


_SENT = frozenset({"processing", "memory"})  # the task was with a worker, running or finished
_DONE = frozenset({"memory", "forgotten"})  # finished there, or forgotten with its run


class MarkRecomputes(SchedulerPlugin):
    """On the scheduler: marks a task that runs steps (annotated STEP_TASK) with RECOMPUTE when it
    leaves the worker it was sent to other than by finishing there, before Dask sends it to a
    worker again. Runs inside the scheduler's transitions, so the mark is in the annotations of
    the task's next compute message."""

    idempotent = True
    name = "dagster-mark-recomputes"

    async def start(self, scheduler) -> None:  # type: ignore[no-untyped-def]
        self._scheduler = scheduler

    def transition(self, key, start, finish, *args: Any, **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
        if start in _SENT and finish not in _DONE:
            task = self._scheduler.tasks.get(key)
            if task is not None and task.annotations.get(STEP_TASK):
                task.annotations = {**task.annotations, RECOMPUTE: True}
