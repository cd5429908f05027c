"""`make_airflow_dag`: a pipeline as an Airflow DAG, the only part of the package that imports
Airflow (when called), turning the plain spec of `compile_airflow_dag` into Airflow objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dagster_core.airflow.compile import compile_airflow_dag
from dagster_core.airflow.task import StepSkipped, StepTask
from dagster_core.definitions.handle import ExecutionTargetHandle, load_pipeline
from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.instance import DagsterInstance, InstanceRef


@dataclass(frozen=True, eq=False)
class _AirflowCallable:
    """A step task as a PythonOperator's callable: our skip becomes Airflow's."""

    task: StepTask

    def __call__(self, **context: Any) -> None:
        from airflow.sdk.exceptions import AirflowSkipException

        try:
            self.task(**context)
        except StepSkipped as skipped:
            raise AirflowSkipException(str(skipped)) from None


def _handle(
    module_name: str | None, python_file: str | None, fn_name: str | None
) -> ExecutionTargetHandle:
    if (module_name is None) == (python_file is None):
        raise DagsterInvariantViolationError(
            "make_airflow_dag needs exactly one of module_name (an importable module) and "
            f"python_file (a path), got module_name={module_name!r}, python_file={python_file!r}"
        )
    if python_file is not None:
        return ExecutionTargetHandle.for_repo_python_file(python_file, fn_name).absolute()
    return ExecutionTargetHandle.for_repo_module(module_name or "", fn_name)


def make_airflow_dag(
    module_name: str | None = None,
    pipeline_name: str | None = None,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    instance: DagsterInstance | InstanceRef | None = None,
    dag_id: str | None = None,
    dag_description: str | None = None,
    dag_kwargs: Mapping[str, Any] | None = None,
    op_kwargs: Mapping[str, Any] | None = None,
    *,
    python_file: str | None = None,
    fn_name: str | None = None,
) -> tuple[Any, list[Any]]:
    """An Airflow DAG running pipeline `pipeline_name` of `module_name` (or of `python_file`;
    `fn_name` as `-n` on the command line), and its tasks, one per step, upstream first.

    Config is validated when this runs (when Airflow parses the DAG file). `instance` (default:
    `DagsterInstance.get()` here) is written into the tasks as a ref with no secret in it.
    `dag_kwargs` go to `airflow.sdk.DAG`, `op_kwargs` to each task's PythonOperator."""
    handle = _handle(module_name, python_file, fn_name)
    try:
        from airflow.providers.standard.operators.python import PythonOperator
        from airflow.sdk import DAG
    except ImportError as exc:
        raise DagsterInvariantViolationError(
            f"make_airflow_dag needs Apache Airflow 3 ({exc}): install it with "
            "`pip install 'dagster-core-dask[airflow]'`, or call it where Airflow runs"
        ) from exc
    pipeline = load_pipeline(handle, pipeline_name)
    spec = compile_airflow_dag(
        pipeline,
        environment_dict,
        mode,
        instance,
        dag_id,
        dag_description,
        tags=handle.tags(),
    )
    dag = DAG(dag_id=spec.dag_id, description=spec.description, **(dag_kwargs or {}))
    operators: dict[str, Any] = {}
    for task in spec.tasks:
        operator = PythonOperator(
            task_id=task.task_id,
            python_callable=_AirflowCallable(task.callable),
            dag=dag,
            **(op_kwargs or {}),
        )
        for upstream in task.upstream_task_ids:
            operators[upstream] >> operator
        operators[task.task_id] = operator
    return dag, list(operators.values())
