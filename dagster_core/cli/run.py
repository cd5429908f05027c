"""`dagster run list | show | logs | wipe`: the history kept by the instance."""

from __future__ import annotations

import threading
import time

import click

from dagster_core.cli.progress import format_duration, format_time
from dagster_core.events import PIPELINE_END_EVENTS, DagsterEvent
from dagster_core.instance import DagsterInstance
from dagster_core.storage import ACTIVE_STATUSES, PipelineRunStatus, RunsFilter

_FOLLOW_CHECK_SECONDS = 1.0


def _run_or_exit(instance: DagsterInstance, run_id: str):  # type: ignore[no-untyped-def]
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise click.UsageError(f"No run {run_id} in the instance at {instance.source}")
    return run


@click.group(name="run")
def run_cli() -> None:
    """Inspect and manage the runs recorded by the instance ($DAGSTER_HOME)."""


@run_cli.command(name="list")
@click.option("--pipeline", "pipeline_name", help="Only runs of this pipeline.")
@click.option(
    "--status",
    type=click.Choice([s.value for s in PipelineRunStatus], case_sensitive=False),
    help="Only runs with this status.",
)
@click.option("--tag", "tags", multiple=True, help="Only runs with this tag, as KEY=VALUE.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def list_command(
    pipeline_name: str | None, status: str | None, tags: tuple[str, ...], limit: int
) -> None:
    """List runs, newest first."""
    tag_map = {}
    for tag in tags:
        key, sep, value = tag.partition("=")
        if not sep:
            raise click.BadParameter(f"expected KEY=VALUE, got {tag!r}", param_hint="--tag")
        tag_map[key] = value
    instance = DagsterInstance.get()
    filters = RunsFilter(
        pipeline_name=pipeline_name,
        status=PipelineRunStatus(status.upper()) if status else None,
        tags=tag_map,
    )
    runs = instance.get_runs(filters, limit=limit)
    if not runs:
        click.echo(f"No runs in the instance at {instance.source}")
        return
    click.echo(f"{'RUN ID':36}  {'PIPELINE':24}  {'STATUS':11}  {'CREATED':19}  DURATION")
    for run in runs:
        finished = run.status not in (*ACTIVE_STATUSES, PipelineRunStatus.NOT_STARTED)
        duration = format_duration(run.updated_at - run.created_at) if finished else "-"
        click.echo(
            f"{run.run_id:36}  {run.pipeline_name[:24]:24}  {run.status.value:11}  "
            f"{format_time(run.created_at):19}  {duration}"
        )


@run_cli.command(name="show")
@click.argument("run_id")
def show_command(run_id: str) -> None:
    """Show a run and its steps with status, attempts and durations."""
    instance = DagsterInstance.get()
    run = _run_or_exit(instance, run_id)
    click.echo(f"Run:      {run.run_id}")
    click.echo(f"Pipeline: {run.pipeline_name} (mode {run.mode})")
    click.echo(
        f"Status:   {run.status.value}" + (f" - {run.status_message}" if run.status_message else "")
    )
    click.echo(f"Created:  {format_time(run.created_at)}")
    if run.parent_run_id:
        click.echo(f"Parent:   {run.parent_run_id}")
    if run.tags:
        click.echo("Tags:     " + ", ".join(f"{k}={v}" for k, v in sorted(run.tags.items())))
    stats = instance.event_storage.get_step_stats(run_id)
    click.echo(f"Steps ({len(stats)}):")
    unfinished = "RUNNING" if run.status in ACTIVE_STATUSES else "INTERRUPTED"
    for step in stats:
        click.echo(
            f"  {step.step_key:40} {step.status or unfinished:8} attempts={step.attempts} "
            f"duration={format_duration(step.duration)}"
        )


def _format(event: DagsterEvent) -> str:
    where = f" {event.step_key}" if event.step_key else ""
    return f"{format_time(event.timestamp)} {event.event_type.value:24}{where} - {event.message}"


@run_cli.command(name="logs")
@click.argument("run_id")
@click.option("--follow", is_flag=True, help="Keep printing events until the run ends.")
@click.option("--step", "step_key", help="Print this step's captured stdout and stderr instead.")
@click.option(
    "--timeout",
    type=float,
    default=None,
    help="With --follow, give up after this many seconds.",
)
def logs_command(run_id: str, follow: bool, step_key: str | None, timeout: float | None) -> None:
    """Print a run's events (or one step's captured output)."""
    instance = DagsterInstance.get()
    run = _run_or_exit(instance, run_id)
    if step_key:
        steps = [step.step_key for step in instance.event_storage.get_step_stats(run_id)]
        if step_key not in steps:
            raise click.BadParameter(
                f"run {run_id} has no step {step_key!r}; its steps: {', '.join(steps) or 'none yet'}",
                param_hint="--step",
            )
        logs = instance.compute_log_manager.read_logs(run_id, step_key)
        click.echo(logs.stdout, nl=False)
        click.echo(logs.stderr, nl=False, err=True)
        return
    if not follow or run.status not in ACTIVE_STATUSES:
        for event in instance.all_logs(run_id):
            click.echo(_format(event))
        return
    ended = threading.Event()

    def on_event(event: DagsterEvent) -> None:
        click.echo(_format(event))
        if event.event_type in PIPELINE_END_EVENTS:
            ended.set()

    instance.watch_event_logs(run_id, -1, on_event)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        # reading the run marks it FAILURE once its driver is gone, which ends the follow
        while not ended.wait(_FOLLOW_CHECK_SECONDS):
            instance.get_run_by_id(run_id)
            if deadline is not None and time.monotonic() > deadline:
                raise click.ClickException(f"Run {run_id} did not end within {timeout}s")
    finally:
        instance.end_watch_event_logs(run_id, on_event)
        instance.dispose()


@run_cli.command(name="terminate")
@click.argument("run_id")
def terminate_command(run_id: str) -> None:
    """Stop a running run: its driver cancels the running steps and marks it CANCELED."""
    instance = DagsterInstance.get()
    run = _run_or_exit(instance, run_id)
    if not instance.terminate_run(run_id):
        raise click.ClickException(f"Run {run_id} is not running (status {run.status.value})")
    click.echo(f"Asked run {run_id} to stop; `dagster run show {run_id}` tells when it has.")


@run_cli.command(name="wipe")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Wipe even while runs are running.")
def wipe_command(yes: bool, force: bool) -> None:
    """Delete every run and event from the instance (not while runs are running, unless --force:
    they would go on writing into the wiped store)."""
    instance = DagsterInstance.get()
    running = [
        r for status in ACTIVE_STATUSES for r in instance.get_runs(RunsFilter(status=status))
    ]
    if running and not force:
        raise click.UsageError(
            "Not wiping while these runs are running: "
            + ", ".join(f"{r.run_id} ({r.pipeline_name}, {r.status.value})" for r in running)
            + ". Wait for them, stop them with `dagster run terminate RUN_ID`, or pass --force."
        )
    if not yes:
        click.confirm(f"Delete all runs and events from {instance.source}?", abort=True)
    instance.wipe()
    click.echo("Deleted all runs and events.")
