"""`dagster airflow scaffold`."""

from __future__ import annotations

import click

from dagster_core.airflow import scaffold_airflow_dag, write_airflow_dag
from dagster_core.cli.loading import env_files_option, require_handle, with_handle
from dagster_core.config.yaml_files import load_yaml_files
from dagster_core.definitions.handle import ExecutionTargetHandle


@click.group(name="airflow")
def airflow_cli() -> None:
    """Compile pipelines to Airflow DAGs."""


@airflow_cli.command(name="scaffold")
@click.argument("pipeline_name", required=False)
@with_handle
@env_files_option
@click.option("-p", "--preset", help="A preset of the pipeline instead of -e files.")
@click.option("--mode", help="Mode to run in (default: the pipeline's only or 'default' mode).")
@click.option("--dag-id", help="The DAG's id (default: the pipeline's name).")
@click.option(
    "--dags-folder",
    required=True,
    type=click.Path(file_okay=False),
    help="Airflow's dags folder, where the DAG file is written.",
)
def scaffold_command(
    pipeline_name: str | None,
    handle: ExecutionTargetHandle | None,
    env_files: tuple[str, ...],
    preset: str | None,
    mode: str | None,
    dag_id: str | None,
    dags_folder: str,
) -> None:
    """Write an Airflow DAG file running the pipeline, one task per step, recording its runs in
    the instance DAGSTER_HOME names (filesystem storage is added when the config has none)."""
    if preset and env_files:
        raise click.UsageError("Use either -p/--preset or -e/--env files, not both")
    scaffolded = scaffold_airflow_dag(
        require_handle(handle),
        pipeline_name,
        load_yaml_files(env_files) if env_files else None,
        mode,
        preset,
        dag_id,
    )
    path = write_airflow_dag(scaffolded, dags_folder)
    click.echo(f"Wrote DAG {scaffolded.dag_id} to {path}")
