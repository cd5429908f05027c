"""`dagster schedule up | list | start | stop | logs | wipe`, and the hidden `run` that a
schedule's trigger calls at each fire time."""

from __future__ import annotations

import datetime
import os

import click

from dagster_core.cli.loading import require_handle, with_handle
from dagster_core.cli.progress import format_time, run_with_progress
from dagster_core.definitions.handle import ExecutionTargetHandle, load_schedules
from dagster_core.definitions.schedule import (
    SCHEDULE_NAME_TAG,
    latest_fire_time,
    next_fire_time,
)
from dagster_core.execution import execute_pipeline_iterator
from dagster_core.instance import DagsterInstance
from dagster_core.scheduler import instance_home
from dagster_core.scheduler.reconcile import (
    get_schedule,
    reconcile,
    scheduler_of,
    start_schedule,
    stop_schedule,
    wipe_schedules,
)
from dagster_core.storage import RunsFilter, Schedule, ScheduleStatus


@click.group(name="schedule")
def schedule_cli() -> None:
    """Run pipelines on cron schedules defined in code (@schedules, or a repository's)."""


def _warn(instance: DagsterInstance) -> None:
    for warning in instance.scheduler.warnings() if instance.scheduler else ():
        click.echo(f"Warning: {warning}", err=True)


@schedule_cli.command(name="up")
@with_handle
def up_command(handle: ExecutionTargetHandle | None) -> None:
    """Make the instance's schedules match the code: add new ones (running), update changed
    ones, remove deleted ones."""
    handle = require_handle(handle)
    pipelines, schedule_defs = load_schedules(handle)
    instance = DagsterInstance.get()
    origin = handle.absolute()
    result = reconcile(
        instance,
        schedule_defs,
        pipelines,
        python_file=origin.python_file,
        module_name=origin.module_name,
        fn_name=origin.fn_name,
    )
    click.echo(f"Schedules of {handle.where} in the instance at {instance.source}:")
    for label, names in (
        ("added", result.added),
        ("updated", result.updated),
        ("removed", result.removed),
        ("unchanged", result.unchanged),
    ):
        for name in names:
            click.echo(f"  {name}: {label}")
    if not schedule_defs and not result.removed:
        click.echo("  (none defined)")
    _warn(instance)


def _last_run(instance: DagsterInstance, schedule: Schedule) -> str:
    runs = instance.get_runs(RunsFilter(tags={SCHEDULE_NAME_TAG: schedule.name}), limit=1)
    return f"{runs[0].status.value} {format_time(runs[0].created_at)}" if runs else "-"


@schedule_cli.command(name="list")
def list_command() -> None:
    """List the instance's schedules with their next fire time and last run."""
    instance = DagsterInstance.get()
    instance_home(instance)  # an ephemeral instance has no schedules: say to set DAGSTER_HOME
    stored = instance.schedule_storage.all_schedules()
    if not stored:
        click.echo(
            f"No schedules in the instance at {instance.source}: define them with @schedules "
            "and run `dagster schedule up -f FILE.py`"
        )
        return
    now = datetime.datetime.now().astimezone()
    click.echo(
        f"{'NAME':24}  {'PIPELINE':24}  {'CRON':16}  {'STATUS':7}  {'NEXT FIRE':16}  LAST RUN"
    )
    for s in stored:
        running = s.status is ScheduleStatus.RUNNING
        fire = f"{next_fire_time(s.cron_schedule, now):%Y-%m-%d %H:%M}" if running else "-"
        click.echo(
            f"{s.name:24}  {s.pipeline_name:24}  {s.cron_schedule:16}  {s.status.value:7}  "
            f"{fire:16}  {_last_run(instance, s)}"
        )
    _warn(instance)


@schedule_cli.command(name="start")
@click.argument("name")
def start_command(name: str) -> None:
    """Start a stopped schedule."""
    instance = DagsterInstance.get()
    schedule = start_schedule(instance, name)
    now = datetime.datetime.now().astimezone()
    click.echo(
        f"Started schedule '{name}'; next fire time "
        f"{next_fire_time(schedule.cron_schedule, now):%Y-%m-%d %H:%M %Z}"
    )
    _warn(instance)


@schedule_cli.command(name="stop")
@click.argument("name")
def stop_command(name: str) -> None:
    """Stop a schedule (`schedule start` starts it again)."""
    stop_schedule(DagsterInstance.get(), name)
    click.echo(f"Stopped schedule '{name}'")


@schedule_cli.command(name="logs")
@click.argument("name")
def logs_command(name: str) -> None:
    """Print the output of the schedule's latest firing (its path first, on stderr)."""
    instance = DagsterInstance.get()
    get_schedule(instance, name)
    scheduler = scheduler_of(instance, check_available=False)
    directory = scheduler.logs_directory(instance, name)
    files = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    if not files:
        click.echo(f"Schedule '{name}' has not fired yet: no logs in {directory}")
        return
    path = os.path.join(directory, files[-1])
    click.echo(f"==> {path} <==", err=True)
    with open(path) as log:
        click.echo(log.read(), nl=False)


@schedule_cli.command(name="wipe")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def wipe_command(yes: bool) -> None:
    """Stop and delete every schedule of the instance."""
    instance = DagsterInstance.get()
    if not yes:
        click.confirm(f"Stop and delete every schedule of {instance.source}?", abort=True)
    wipe_schedules(instance)
    click.echo("Stopped and deleted every schedule.")


@schedule_cli.command(name="run", hidden=True)
@click.argument("name")
@with_handle
def run_command(name: str, handle: ExecutionTargetHandle | None) -> None:
    """Run the schedule's pipeline for its latest fire time, unless the schedule skips it."""
    handle = require_handle(handle)
    pipelines, schedule_defs = load_schedules(handle)
    schedule_def = next((d for d in schedule_defs if d.name == name), None)
    if schedule_def is None:
        raise click.UsageError(
            f"No schedule '{name}' in {handle.where}; it defines: "
            + (", ".join(d.name for d in schedule_defs) or "none")
        )
    pipeline = pipelines.get(schedule_def.pipeline_name)
    if pipeline is None:
        raise click.UsageError(
            f"Schedule '{name}' runs pipeline '{schedule_def.pipeline_name}', which "
            f"{handle.where} does not define"
        )
    scheduled = latest_fire_time(schedule_def.cron_schedule, datetime.datetime.now().astimezone())
    skipped = schedule_def.skip_reason(scheduled)
    if skipped is not None:
        click.echo(f"Schedule '{name}' at {scheduled:%Y-%m-%d %H:%M}: {skipped}")
        return
    click.echo(
        f"Schedule '{name}' at {scheduled:%Y-%m-%d %H:%M}: running {schedule_def.pipeline_name}"
    )
    os.environ.update(schedule_def.environment_vars)
    events = execute_pipeline_iterator(
        pipeline,
        environment_dict=schedule_def.environment_dict_for(scheduled),
        mode=schedule_def.mode,
        tags={**schedule_def.tags_for(scheduled), SCHEDULE_NAME_TAG: name, **handle.tags()},
        instance=DagsterInstance.get(),
        solid_subset=schedule_def.solid_subset,
    )
    run_with_progress(events)
