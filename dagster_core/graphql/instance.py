"""The instance as the API shows it: its parts (`instance { info }`, secrets redacted) and its
scheduler with each schedule's state, cron, next fire time and runs."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from dagster_core.definitions.schedule import SCHEDULE_NAME_TAG, next_fire_time
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.errors import PythonError, python_error
from dagster_core.graphql.runs import PipelineRun
from dagster_core.storage.runs import RunsFilter
from dagster_core.storage.schedules import Schedule
from dagster_core.storage.schedules import ScheduleStatus as StoredScheduleStatus

ScheduleStatus = strawberry.enum(StoredScheduleStatus, description="Whether a schedule fires.")


@strawberry.type(description="The instance this server reads and writes.")
class Instance:
    context: strawberry.Private[GraphQLContext]

    @strawberry.field(description="Each part of the instance and its config, secrets redacted.")
    def info(self) -> str:
        return "\n".join(self.context.instance.describe())


@strawberry.type(description="A schedule as defined: what it runs and when.")
class ScheduleDefinition:
    name: str
    cron_schedule: str
    pipeline_name: str
    mode: str | None
    solid_subset: list[str] | None


@strawberry.type(description="A schedule the instance knows, with its state and runs.")
class RunningSchedule:
    schedule: strawberry.Private[Schedule]
    context: strawberry.Private[GraphQLContext]

    @strawberry.field
    def schedule_definition(self) -> ScheduleDefinition:
        repository = self.context.workspace.repository
        name = self.schedule.name
        found = repository.get_schedule_def(name) if repository.has_schedule_def(name) else None
        return ScheduleDefinition(
            name=name,
            cron_schedule=self.schedule.cron_schedule,
            pipeline_name=self.schedule.pipeline_name,
            mode=found and found.mode,
            solid_subset=None
            if found is None or found.solid_subset is None
            else list(found.solid_subset),
        )

    @strawberry.field
    def status(self) -> ScheduleStatus:  # type: ignore[valid-type]
        return self.schedule.status

    @strawberry.field
    def cron_schedule(self) -> str:
        return self.schedule.cron_schedule

    @strawberry.field(
        description="When it fires next, in seconds since the epoch (null if stopped)."
    )
    def next_fire_time(self) -> float | None:
        if self.schedule.status is not StoredScheduleStatus.RUNNING:
            return None
        now = datetime.datetime.now().astimezone()
        return next_fire_time(self.schedule.cron_schedule, now).timestamp()

    @strawberry.field(description="Its runs, newest first.")
    def runs(self, limit: int | None = None) -> list[PipelineRun]:
        runs = self.context.instance.get_runs(self._filter(), limit=limit)
        return [PipelineRun(record=run) for run in runs]

    @strawberry.field
    def runs_count(self) -> int:
        return len(self.context.instance.run_storage.get_runs(self._filter()))

    def _filter(self) -> RunsFilter:
        return RunsFilter(tags={SCHEDULE_NAME_TAG: self.schedule.name})


@strawberry.type
class Scheduler:
    running_schedules: list[RunningSchedule]


@strawberry.type
class SchedulerNotDefinedError:
    message: str


@strawberry.type
class ScheduleNotFoundError:
    schedule_name: str
    message: str


SchedulerOrError = Annotated[
    Scheduler | SchedulerNotDefinedError | PythonError, strawberry.union("SchedulerOrError")
]
ScheduleOrError = Annotated[
    RunningSchedule | ScheduleNotFoundError | SchedulerNotDefinedError | PythonError,
    strawberry.union("RunningScheduleResult"),
]


def _no_scheduler(context: GraphQLContext) -> SchedulerNotDefinedError | None:
    if context.instance.scheduler is not None:
        return None
    return SchedulerNotDefinedError(
        message=f"The instance at {context.instance.source} has no scheduler: add a `scheduler:` "
        "part to its dagster.yaml (or set DAGSTER_HOME to use the system cron)"
    )


@strawberry.type
class InstanceQueries:
    @strawberry.field
    def instance(self, info: strawberry.Info) -> Instance:
        return Instance(context=info.context)

    @strawberry.field(description="Every schedule of the instance, running or stopped.")
    def scheduler(self, info: strawberry.Info) -> SchedulerOrError:
        context: GraphQLContext = info.context
        try:
            missing = _no_scheduler(context)
            if missing is not None:
                return missing
            stored = context.instance.schedule_storage.all_schedules()
            return Scheduler(
                running_schedules=[RunningSchedule(schedule=s, context=context) for s in stored]
            )
        except Exception as exc:
            return python_error(exc)

    @strawberry.field
    def schedule_or_error(self, info: strawberry.Info, schedule_name: str) -> ScheduleOrError:
        context: GraphQLContext = info.context
        try:
            missing = _no_scheduler(context)
            if missing is not None:
                return missing
            schedule = context.instance.schedule_storage.get_schedule(schedule_name)
            if schedule is None:
                known = [s.name for s in context.instance.schedule_storage.all_schedules()]
                return ScheduleNotFoundError(
                    schedule_name=schedule_name,
                    message=f"No schedule {schedule_name!r} in the instance; it has: "
                    + (", ".join(known) or "none (run `dagster schedule up`)"),
                )
            return RunningSchedule(schedule=schedule, context=context)
        except Exception as exc:
            return python_error(exc)
