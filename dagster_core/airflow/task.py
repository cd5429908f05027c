"""What one Airflow task does: run one step of a run, and end the run when it is the last.

Policy
------
Every task of one Airflow DAG run works on one of our runs, whose id is derived from the DAG id
and `dag_run.run_id` (`dagster_run_id`), so a retried or cleared task lands in the same run. The
first task to find no such run records it (with every step of the plan) and its PIPELINE_START;
tasks racing to do so are told apart by the run storage, which refuses a second run of the id.
Each task then runs its step through `execute_plan`, the one step entry point: a step that
already succeeded is not run again, and a step tried before runs as the next attempt, so
Airflow's retries show up as our attempts.

No process drives the run from start to end, so each task ends it when it is the last one:
after its step, a task reads the run's log, and when every step has ended or can no longer run
(downstream of a failed or skipped step: Airflow does not run those tasks) it records
PIPELINE_SUCCESS, or PIPELINE_FAILURE naming the failed steps. A task whose step failed with
Airflow retries left does not end the run (the retry will run the step again); a task that runs
a step of a run already ended (a retry, a cleared task) records PIPELINE_START again, and the run
ends again after it. While its step runs, the task is recorded as the run's process (a killed
task marks the run FAILURE); between tasks the run has none, and is marked FAILURE only after
the instance's `dead_after_seconds` without an event.

An error raised around the step (a resource that cannot be built, unreachable storage) fails
the task and, once Airflow has no retry left, the run, with that error.

A STEP_FAILURE raises DagsterExecutionStepExecutionError with the step's error (the Airflow task
fails with it); a STEP_SKIPPED raises StepSkipped, which the DAG's operator turns into Airflow's
skip.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.errors import DagsterExecutionStepExecutionError
from dagster_core.events import STEP_END_EVENTS, DagsterEvent, DagsterEventType, ErrorInfo
from dagster_core.execution.api import create_run_for_pipeline, execute_plan
from dagster_core.execution.plan import ExecutionPlan
from dagster_core.execution.run_options import RunConfig
from dagster_core.instance import DagsterInstance, InstanceRef
from dagster_core.storage import PipelineRun, PipelineRunStatus
from dagster_core.storage.runs import FINISHED_STATUSES

DAG_ID_TAG = "airflow/dag_id"
DAG_RUN_ID_TAG = "airflow/run_id"
_RUN_ID_NAMESPACE = uuid.UUID("6f0c2e4a-8d1b-4f7e-9a35-2b1d7c5e0a91")


class StepSkipped(Exception):
    """The task's step was skipped (an upstream step failed, or gave no output it needs)."""


def dagster_run_id(dag_id: str, airflow_run_id: str) -> str:
    """Our run id for the Airflow DAG run `airflow_run_id` of DAG `dag_id`: the same for every
    task of it, and for any rerun of its tasks."""
    return str(uuid.uuid5(_RUN_ID_NAMESPACE, f"{dag_id}\n{airflow_run_id}"))


@dataclass(frozen=True, eq=False)
class StepTask:
    """The callable of the Airflow task that runs step `step_key`; Airflow calls it with the
    task's context (it reads `dag_run.run_id`, and `ti` for retries when there is one)."""

    pipeline: PipelineDefinition
    plan: ExecutionPlan
    environment_dict: Mapping[str, Any]
    mode: str
    instance_ref: InstanceRef
    dag_id: str
    step_key: str
    tags: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, **context: Any) -> None:
        airflow_run_id = context["dag_run"].run_id
        run_id = dagster_run_id(self.dag_id, airflow_run_id)
        instance = DagsterInstance.from_ref(self.instance_ref)
        try:
            self._open_run(instance, run_id, airflow_run_id)
            instance.claim_run(run_id)
            try:
                events = execute_plan(
                    self.pipeline,
                    self.environment_dict,
                    run_id=run_id,
                    step_keys=[self.step_key],
                    instance=instance,
                    mode=self.mode,
                )
            except Exception as exc:
                if not _retries_left(context):
                    _fail_run(instance, run_id, self.pipeline.name, self.step_key, exc)
                raise
            finally:
                instance.release_run(run_id)
            end = next((e for e in reversed(events) if e.event_type in STEP_END_EVENTS), None)
            failed = end is not None and end.event_type is DagsterEventType.STEP_FAILURE
            if not (failed and _retries_left(context)):
                _end_run_if_done(instance, self.plan, run_id)
        finally:
            instance.dispose()
        if failed:
            raise _failure_error(end)
        if end is not None and end.event_type is DagsterEventType.STEP_SKIPPED:
            raise StepSkipped(f"Step {self.step_key} of run {run_id} was skipped: {end.message}")

    def _open_run(self, instance: DagsterInstance, run_id: str, airflow_run_id: str) -> None:
        """Record the run if no task has yet, or start it again if it ended and this task's
        step has not succeeded in it."""
        run = instance.get_run_by_id(run_id)
        if run is None:
            run = self._create_run(instance, run_id, airflow_run_id)
            if run is None:
                return  # another task recorded it first, and started it
            why = f"Started run {run_id} for Airflow DAG run {airflow_run_id} of {self.dag_id}"
        elif run.status in FINISHED_STATUSES and not _succeeded(instance, run_id, self.step_key):
            why = (
                f"Airflow runs step {self.step_key} of run {run_id} again (task retried or cleared)"
            )
        else:
            return
        instance.store_events(
            [
                DagsterEvent(
                    DagsterEventType.PIPELINE_START,
                    run_id,
                    self.pipeline.name,
                    message=why,
                    data={"step_keys": list(self.plan.step_keys_to_execute)},
                )
            ]
        )

    def _create_run(
        self, instance: DagsterInstance, run_id: str, airflow_run_id: str
    ) -> PipelineRun | None:
        """The new run, or None when another task recorded it first."""
        tags = {**self.tags, DAG_ID_TAG: self.dag_id, DAG_RUN_ID_TAG: airflow_run_id}
        try:
            return create_run_for_pipeline(
                self.pipeline,
                self.environment_dict,
                mode=self.mode,
                tags=tags,
                instance=instance,
                run_config=RunConfig(run_id=run_id),
            )
        except ValueError:  # the run storages refuse a second run of one id with a ValueError
            if instance.get_run_by_id(run_id) is None:
                raise
            return None


def _retries_left(context: Mapping[str, Any]) -> bool:
    """Whether Airflow will try the task again after this try fails."""
    ti = context.get("ti")
    if ti is None:
        return False
    return getattr(ti, "try_number", 1) <= getattr(ti, "max_tries", 0)


def _succeeded(instance: DagsterInstance, run_id: str, step_key: str) -> bool:
    logs = instance.event_storage.get_logs_for_step(run_id, step_key)
    ends = [e.event_type for e in logs if e.event_type in STEP_END_EVENTS]
    return bool(ends) and ends[-1] is DagsterEventType.STEP_SUCCESS


def _end_run_if_done(instance: DagsterInstance, plan: ExecutionPlan, run_id: str) -> None:
    """Record the run's end once every step has ended or sits downstream of a step that did
    not succeed (Airflow runs no task downstream of a failed or skipped one)."""
    ends: dict[str, DagsterEventType] = {}
    for event in instance.all_logs(run_id):
        if event.step_key is not None and event.event_type in STEP_END_EVENTS:
            ends[event.step_key] = event.event_type
    stopped: set[str] = set()
    for step in plan.steps_to_execute:
        end = ends.get(step.key)
        if end is None and step.upstream_keys.isdisjoint(stopped):
            return  # this step's task is still to run
        if end is not DagsterEventType.STEP_SUCCESS:
            stopped.add(step.key)
    failed = [k for k in plan.step_keys_to_execute if ends.get(k) is DagsterEventType.STEP_FAILURE]
    run = instance.get_run_by_id(run_id)
    wanted = PipelineRunStatus.FAILURE if failed else PipelineRunStatus.SUCCESS
    if run is None or run.status is wanted:
        return  # a task finishing alongside this one recorded the end
    if failed:
        end_event = DagsterEvent(
            DagsterEventType.PIPELINE_FAILURE,
            run_id,
            run.pipeline_name,
            message=f"Run failed: step(s) {', '.join(failed)} failed",
            level=logging.ERROR,
            data={"failed_steps": tuple(failed)},
        )
    else:
        end_event = DagsterEvent(
            DagsterEventType.PIPELINE_SUCCESS, run_id, run.pipeline_name, "Run succeeded"
        )
    instance.store_events([end_event])


def _fail_run(
    instance: DagsterInstance, run_id: str, pipeline_name: str, step_key: str, exc: Exception
) -> None:
    """Record the run FAILURE for an error raised around a step (its resources could not be
    built, its storage reached), as the run loop does for an error that ends a run."""
    error = ErrorInfo.from_exception(exc)
    instance.store_events(
        [
            DagsterEvent(
                DagsterEventType.PIPELINE_FAILURE,
                run_id,
                pipeline_name,
                message=f"Run failed: the task of step {step_key} raised: {error.message}",
                level=logging.ERROR,
                data={"error": error},
            )
        ]
    )


def _failure_error(failure: DagsterEvent) -> DagsterExecutionStepExecutionError:
    """The error an Airflow task fails with: the step's message and error, as our log has it."""
    error = failure.error
    details = f"\n\n{error.to_string()}" if error is not None else ""
    return DagsterExecutionStepExecutionError(
        f"Error in step {failure.step_key} of run {failure.run_id}: {failure.message}{details}",
        step_key=failure.step_key or "",
        error_info=error,
    )
