"""`dagster pipeline list | execute`."""

from __future__ import annotations

import json

import click

from dagster_core.cli.loading import env_files_option, require_handle, with_handle
from dagster_core.cli.progress import run_with_progress
from dagster_core.config.yaml_files import load_yaml_files
from dagster_core.definitions.handle import ExecutionTargetHandle, load_pipeline, load_pipelines
from dagster_core.execution import execute_pipeline_iterator, reexecute_pipeline_iterator
from dagster_core.instance import DagsterInstance


@click.group(name="pipeline")
def pipeline_cli() -> None:
    """List and run pipelines."""


@pipeline_cli.command(name="list")
@with_handle
def list_command(handle: ExecutionTargetHandle | None) -> None:
    """List the pipelines of the code, with their solids, modes and presets."""
    for name, p in sorted(load_pipelines(require_handle(handle)).items()):
        click.echo(f"Pipeline: {name}")
        if p.description:
            click.echo(f"  Description: {p.description.splitlines()[0]}")
        click.echo(f"  Solids (in order): {', '.join(p.solid_order)}")
        click.echo(f"  Modes: {', '.join(m.name for m in p.mode_defs)}")
        if p.preset_defs:
            click.echo(f"  Presets: {', '.join(pr.name for pr in p.preset_defs)}")


def _parse_tags(tags: str | None) -> dict[str, str]:
    if not tags:
        return {}
    try:
        value = json.loads(tags)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"not valid JSON ({exc.msg}): {tags}", param_hint="--tags"
        ) from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise click.BadParameter(
            f'expected a JSON object of strings such as {{"team": "x"}}, got {tags}',
            param_hint="--tags",
        )
    return value


@pipeline_cli.command(name="execute")
@click.argument("pipeline_name", required=False)
@with_handle
@env_files_option
@click.option("-p", "--preset", help="A preset of the pipeline instead of -e files.")
@click.option("--mode", help="Mode to run in (default: the pipeline's only or 'default' mode).")
@click.option("--tags", help='Run tags as a JSON object, e.g. \'{"team": "x"}\'.')
@click.option("--solid-subset", help="Comma-separated solids to run (others are left out).")
def execute_command(
    pipeline_name: str | None,
    handle: ExecutionTargetHandle | None,
    env_files: tuple[str, ...],
    preset: str | None,
    mode: str | None,
    tags: str | None,
    solid_subset: str | None,
) -> None:
    """Run a pipeline, showing progress; exit 0 on success, 1 on a failed run, 2 on bad input.

    PIPELINE_NAME picks one of several pipelines of the code (or -n, when it names a pipeline)."""
    if preset and env_files:
        raise click.UsageError("Use either -p/--preset or -e/--env files, not both")
    handle = require_handle(handle)
    pipeline = load_pipeline(handle, pipeline_name)
    environment_dict = load_yaml_files(env_files) if env_files else None
    events = execute_pipeline_iterator(
        pipeline,
        environment_dict=environment_dict,
        mode=mode,
        preset=preset,
        tags={**_parse_tags(tags), **handle.tags()},
        instance=DagsterInstance.get(),
        solid_subset=solid_subset.split(",") if solid_subset else None,
    )
    run_with_progress(events)


@pipeline_cli.command(name="reexecute")
@click.argument("run_id")
@click.option("--step-keys", help="Comma-separated step keys to run again (default: all).")
@click.option(
    "--from-failure",
    is_flag=True,
    help="Run the steps that did not succeed in that run, and those downstream of them.",
)
@with_handle
@env_files_option
def reexecute_command(
    run_id: str,
    step_keys: str | None,
    from_failure: bool,
    handle: ExecutionTargetHandle | None,
    env_files: tuple[str, ...],
) -> None:
    """Run steps of an earlier run again, reading the other steps' outputs from its storage.

    The pipeline is loaded from where that run's was (-f/-m/-n/-y override it); its run config is
    the earlier run's unless -e files are given (needed when that config held credentials, which
    runs are stored without)."""
    if from_failure and step_keys:
        raise click.UsageError(
            "Use either --step-keys or --from-failure, not both: --from-failure chooses the steps"
        )
    instance = DagsterInstance.get()
    parent = instance.get_run_by_id(run_id)
    if parent is None:
        raise click.UsageError(f"No run {run_id} in the instance at {instance.source}")
    handle = handle or ExecutionTargetHandle.from_tags(parent.tags)
    if handle is None:
        raise click.UsageError(
            f"Run {run_id} was not started from the CLI: name its pipeline's code with -f/-m"
        )
    pipeline = load_pipeline(handle, parent.pipeline_name)
    events = reexecute_pipeline_iterator(
        pipeline,
        run_id,
        step_keys_to_execute=step_keys.split(",") if step_keys else None,
        environment_dict=load_yaml_files(env_files) if env_files else None,
        instance=instance,
        from_failure=from_failure,
    )
    run_with_progress(events)
