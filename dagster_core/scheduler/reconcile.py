"""What `dagster schedule` does: check definitions, reconcile the instance with the code, and
start, stop or wipe schedules, keeping schedule storage and the scheduler's triggers in step."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dagster_core.config import DagsterInvalidConfigError
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.schedule import ScheduleDefinition
from dagster_core.errors import (
    DagsterError,
    DagsterInvalidDefinitionError,
    DagsterInvariantViolationError,
)
from dagster_core.execution.api import executor_defs_for
from dagster_core.execution.run_config import resolve_environment
from dagster_core.instance import DagsterInstance
from dagster_core.scheduler import DagsterSchedulerError, Scheduler
from dagster_core.storage.schedules import (
    DagsterScheduleNotFoundError,
    Schedule,
    ScheduleStatus,
)


class DagsterInvalidScheduleError(DagsterError):
    """Schedules that cannot run as defined; names each one and why."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        lines = "".join(f"\n  schedule '{name}': {why}" for name, why in self.problems.items())
        super().__init__(f"Invalid schedules, nothing was changed:{lines}")


@dataclass(frozen=True)
class Reconciliation:
    """The names of the schedules that `reconcile` added, updated, removed or left as they were."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def schedule_problem(
    schedule_def: ScheduleDefinition,
    pipelines: Mapping[str, PipelineDefinition],
    now: datetime.datetime,
    instance: DagsterInstance,
) -> str | None:
    """Why the schedule cannot run (unknown pipeline, mode or solids, functions that raise, run
    config that does not validate for its first run after `now`), or None."""
    pipeline = pipelines.get(schedule_def.pipeline_name)
    if pipeline is None:
        return f"no pipeline '{schedule_def.pipeline_name}' in this code; it defines: " + ", ".join(
            sorted(pipelines)
        )
    try:
        if schedule_def.solid_subset is not None:
            pipeline = pipeline.subset(schedule_def.solid_subset)
        mode = pipeline.get_mode(schedule_def.mode)
    except (DagsterInvalidDefinitionError, DagsterInvariantViolationError) as error:
        return str(error)
    fire_time = schedule_def.first_run_time(now)
    try:
        environment_dict = schedule_def.environment_dict_for(fire_time)
    except Exception as error:  # the user's function
        return _raised("its environment_dict function", error, fire_time)
    try:
        schedule_def.tags_for(fire_time)
    except Exception as error:
        return _raised("its tags_fn", error, fire_time)
    try:
        resolve_environment(pipeline, mode, executor_defs_for(mode), environment_dict, instance)
    except DagsterInvalidConfigError as error:
        reasons = "; ".join(str(e) for e in error.errors)
        return f"run config for {fire_time:%Y-%m-%d %H:%M %Z} does not validate: {reasons}"
    return None


def _raised(what: str, error: Exception, fire_time: datetime.datetime) -> str:
    return (
        f"{what} raised {type(error).__name__}: {error} (called for {fire_time:%Y-%m-%d %H:%M %Z})"
    )


def check_schedules(
    schedule_defs: Sequence[ScheduleDefinition],
    pipelines: Mapping[str, PipelineDefinition],
    instance: DagsterInstance,
) -> None:
    """Raise DagsterInvalidScheduleError naming every schedule that cannot run on `instance`
    (run config checked as a run checks it: schema, storage, the executor's own checks)."""
    now = datetime.datetime.now().astimezone()
    problems = {}
    for schedule_def in schedule_defs:
        problem = schedule_problem(schedule_def, pipelines, now, instance)
        if problem is not None:
            problems[schedule_def.name] = problem
    if problems:
        raise DagsterInvalidScheduleError(problems)


def scheduler_of(instance: DagsterInstance, check_available: bool = True) -> Scheduler:
    """The instance's scheduler, checked to work on this machine unless told not to."""
    if instance.scheduler is None:
        raise DagsterSchedulerError(
            f"The instance at {instance.source} has no scheduler: set DAGSTER_HOME to a "
            "directory (it then uses the system's cron), or set `scheduler:` in its dagster.yaml"
        )
    if check_available:
        instance.scheduler.check_available()
    return instance.scheduler


def reconcile(
    instance: DagsterInstance,
    schedule_defs: Sequence[ScheduleDefinition],
    pipelines: Mapping[str, PipelineDefinition],
    python_file: str | None = None,
    module_name: str | None = None,
    fn_name: str | None = None,
) -> Reconciliation:
    """Make the instance's schedules from this code (a file or module, and the repository
    function `fn_name` in it) match `schedule_defs`.

    New schedules are added RUNNING; changed ones are updated and keep their status; those this
    code no longer defines are stopped and removed. Schedules from other code are left alone.
    Everything is checked before anything is changed."""
    check_schedules(schedule_defs, pipelines, instance)
    scheduler = scheduler_of(instance)
    storage = instance.schedule_storage
    result = Reconciliation()
    for schedule_def in schedule_defs:
        stored = storage.get_schedule(schedule_def.name)
        wanted = Schedule(
            name=schedule_def.name,
            pipeline_name=schedule_def.pipeline_name,
            cron_schedule=schedule_def.cron_schedule,
            status=ScheduleStatus.RUNNING,
            fingerprint=schedule_def.fingerprint,
            python_file=python_file,
            module_name=module_name,
            fn_name=fn_name,
        )
        if stored is None:
            schedule = storage.add_schedule(wanted)
            result.added.append(schedule.name)
        elif _same(stored, wanted):
            schedule = stored
            result.unchanged.append(schedule.name)
        else:
            schedule = storage.update_schedule(
                dataclasses.replace(wanted, status=stored.status, created_at=stored.created_at)
            )
            result.updated.append(schedule.name)
        if schedule.status is ScheduleStatus.RUNNING:
            scheduler.start_schedule(instance, schedule)  # also repairs a lost trigger
    defined = {d.name for d in schedule_defs}
    wanted_origin = (python_file, module_name, fn_name)
    for stored in storage.all_schedules():
        same_origin = stored.origin == wanted_origin
        if same_origin and stored.name not in defined:
            scheduler.stop_schedule(instance, stored.name)
            storage.delete_schedule(stored.name)
            result.removed.append(stored.name)
    return result


def _same(stored: Schedule, wanted: Schedule) -> bool:
    fields = ("pipeline_name", "cron_schedule", "fingerprint", "origin")
    return all(getattr(stored, f) == getattr(wanted, f) for f in fields)


def get_schedule(instance: DagsterInstance, name: str) -> Schedule:
    """The stored schedule, or an error listing the names the instance knows."""
    schedule = instance.schedule_storage.get_schedule(name)
    if schedule is None:
        known = [s.name for s in instance.schedule_storage.all_schedules()]
        raise DagsterScheduleNotFoundError(
            f"No schedule '{name}' in the instance at {instance.source}; "
            + (f"it has: {', '.join(known)}" if known else "run `dagster schedule up` first")
        )
    return schedule


def start_schedule(instance: DagsterInstance, name: str) -> Schedule:
    """Mark the schedule RUNNING and install its trigger."""
    scheduler = scheduler_of(instance)
    schedule = get_schedule(instance, name).with_status(ScheduleStatus.RUNNING)
    scheduler.start_schedule(instance, schedule)
    return instance.schedule_storage.update_schedule(schedule)


def stop_schedule(instance: DagsterInstance, name: str) -> Schedule:
    """Remove the schedule's trigger and mark it STOPPED."""
    scheduler = scheduler_of(instance)
    schedule = get_schedule(instance, name).with_status(ScheduleStatus.STOPPED)
    scheduler.stop_schedule(instance, name)
    return instance.schedule_storage.update_schedule(schedule)


def wipe_schedules(instance: DagsterInstance) -> None:
    """Remove every trigger of the instance's schedules, then the schedules themselves."""
    scheduler_of(instance).wipe(instance)
    instance.schedule_storage.wipe()
