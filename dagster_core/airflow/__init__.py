"""Pipelines as Airflow DAGs: one Airflow task per step, every task of a DAG run in one of our
runs. Importing this package needs no Airflow; `make_airflow_dag` imports it when called."""

from dagster_core.airflow.compile import (
    AirflowDagSpec,
    AirflowTaskSpec,
    airflow_id,
    compile_airflow_dag,
)
from dagster_core.airflow.dag import make_airflow_dag
from dagster_core.airflow.scaffold import ScaffoldedDag, scaffold_airflow_dag, write_airflow_dag
from dagster_core.airflow.task import (
    DAG_ID_TAG,
    DAG_RUN_ID_TAG,
    StepSkipped,
    StepTask,
    dagster_run_id,
)

__all__ = [
    "DAG_ID_TAG",
    "DAG_RUN_ID_TAG",
    "AirflowDagSpec",
    "AirflowTaskSpec",
    "ScaffoldedDag",
    "StepSkipped",
    "StepTask",
    "airflow_id",
    "compile_airflow_dag",
    "dagster_run_id",
    "make_airflow_dag",
    "scaffold_airflow_dag",
    "write_airflow_dag",
]
