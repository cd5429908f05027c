"""Compiling a pipeline to an Airflow DAG as plain data: task ids, steps, dependencies, callables.

The run config is validated and the plan built once, here, when the DAG file is parsed; the spec
needs no Airflow, and `make_airflow_dag` only turns it into an Airflow DAG and operators. Task ids
are the step keys with every character Airflow refuses (it takes letters, digits, `_`, `.` and
`-`, up to 250 of them) replaced by `_`; ids that would then clash get `_2`, `_3`, ...
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dagster_core.airflow.task import StepTask
from dagster_core.config import ConfigError, DagsterInvalidConfigError
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.execution.api import executor_defs_for
from dagster_core.execution.plan import build_execution_plan
from dagster_core.execution.run_config import resolve_environment
from dagster_core.instance import DagsterInstance, InstanceRef

_AIRFLOW_ID_MAX = 250
_NOT_IN_AIRFLOW_ID = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class AirflowTaskSpec:
    """One Airflow task: it runs step `step_key` by calling `callable` with the task context."""

    task_id: str
    step_key: str
    upstream_task_ids: tuple[str, ...]
    callable: StepTask


@dataclass(frozen=True)
class AirflowDagSpec:
    """An Airflow DAG for a pipeline: its id and description, and its tasks, upstream first."""

    dag_id: str
    description: str | None
    tasks: tuple[AirflowTaskSpec, ...]


def airflow_id(name: str) -> str:
    """`name` as Airflow accepts a DAG or task id: characters it refuses become `_`."""
    return _NOT_IN_AIRFLOW_ID.sub("_", name)[:_AIRFLOW_ID_MAX] or "_"


def _unique_ids(keys: list[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for key in keys:
        base = airflow_id(key)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            suffix = f"_{n}"
            candidate = base[: _AIRFLOW_ID_MAX - len(suffix)] + suffix
        taken.add(candidate)
        ids[key] = candidate
    return ids


def instance_ref_for_dag(instance: DagsterInstance | InstanceRef | None) -> InstanceRef:
    """The instance the tasks will open, as a ref holding no secret (`{env: NAME}` values kept):
    `instance`, or `DagsterInstance.get()`; an ephemeral one is refused, its runs would vanish."""
    if isinstance(instance, InstanceRef):
        return instance
    if instance is None:
        instance = DagsterInstance.get()
    elif not isinstance(instance, DagsterInstance):
        raise DagsterInvariantViolationError(
            f"instance must be a DagsterInstance or an InstanceRef, got {instance!r}"
        )
    if not instance.is_persistent:
        raise DagsterInvariantViolationError(
            "Airflow tasks run in processes of their own, which cannot reach an ephemeral "
            "instance: set DAGSTER_HOME, or pass instance=DagsterInstance.from_home(...)"
        )
    return instance.get_ref(keep_env_references=True)


def compile_airflow_dag(
    pipeline: PipelineDefinition,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    instance: DagsterInstance | InstanceRef | None = None,
    dag_id: str | None = None,
    dag_description: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> AirflowDagSpec:
    """The DAG spec of `pipeline` with its run config: one task per step of the plan, with the
    plan's dependencies. Raises DagsterInvalidConfigError (every error at once) for bad config,
    and for in-memory storage, which tasks in separate processes cannot share."""
    if not isinstance(pipeline, PipelineDefinition):
        raise DagsterInvariantViolationError(
            f"Expected a PipelineDefinition (made with @pipeline), got {pipeline!r}"
        )
    environment_dict = dict(environment_dict or {})
    ref = instance_ref_for_dag(instance)
    mode_def = pipeline.get_mode(mode)
    checking = instance if isinstance(instance, DagsterInstance) else DagsterInstance.ephemeral()
    environment = resolve_environment(
        pipeline, mode_def, executor_defs_for(mode_def), environment_dict, checking
    )
    storage_def = next(
        d for d in mode_def.system_storage_defs if d.name == environment.storage_name
    )
    if not storage_def.is_persistent:
        persistent = [f'"{d.name}"' for d in mode_def.system_storage_defs if d.is_persistent]
        if '"s3"' not in persistent:
            persistent.append('"s3" (add storage_backends.s3.s3_system_storage to the mode)')
        raise DagsterInvalidConfigError(
            (
                ConfigError(
                    ("storage",),
                    f'Airflow runs each step in a task of its own process, so "{storage_def.name}" '
                    "storage cannot pass outputs between them: use " + " or ".join(persistent),
                ),
            )
        )
    plan = build_execution_plan(pipeline, environment)
    steps = plan.steps_to_execute
    ids = _unique_ids([s.key for s in steps])
    tasks = tuple(
        AirflowTaskSpec(
            task_id=ids[step.key],
            step_key=step.key,
            upstream_task_ids=tuple(ids[k] for k in sorted(step.upstream_keys)),
            callable=StepTask(
                pipeline=pipeline,
                plan=plan,
                environment_dict=environment_dict,
                mode=mode_def.name,
                instance_ref=ref,
                dag_id=airflow_id(dag_id or pipeline.name),
                step_key=step.key,
                tags=dict(tags or {}),
            ),
        )
        for step in steps
    )
    return AirflowDagSpec(
        dag_id=airflow_id(dag_id or pipeline.name),
        description=dag_description or pipeline.description,
        tasks=tasks,
    )
