"""@hourly_schedule, @daily_schedule, @weekly_schedule, @monthly_schedule: schedules that run a
pipeline for consecutive periods from a start date, made from a function of the period's start
that returns the run config. Each makes a ScheduleDefinition with DatePartitions, so `dagster
schedule up` reconciles it like any other schedule.

    @daily_schedule(pipeline_name="etl", start_date=datetime.datetime(2020, 1, 1),
                    execution_time=datetime.time(6, 45))
    def daily_etl(date):                      # fires at 06:45 each day, for the day before
        return {"solids": {"load": {"config": {"date": date.strftime("%Y-%m-%d")}}}}
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Callable, Mapping, Sequence

from dagster_core.definitions.schedule import (
    DatePartitions,
    EnvironmentDict,
    ScheduleDefinition,
    SchedulePeriod,
)
from dagster_core.errors import DagsterInvalidDefinitionError

DateFn = Callable[[datetime.datetime], EnvironmentDict]
ScheduleDecorator = Callable[[DateFn], ScheduleDefinition]
_MIDNIGHT = datetime.time(0, 0)


def _date_schedule(
    period: SchedulePeriod,
    cron_fields: Callable[[datetime.time], str],
    pipeline_name: str,
    start_date: datetime.datetime,
    name: str | None,
    execution_time: datetime.time,
    tags_fn_for_date: Callable[[datetime.datetime], Mapping[str, str]] | None,
    solid_subset: Sequence[str] | None,
    mode: str,
    should_execute: Callable[[datetime.datetime], bool] | None,
    environment_vars: Mapping[str, str] | None,
) -> ScheduleDecorator:
    what = f"@{period.value}_schedule for pipeline {pipeline_name!r}"
    if not isinstance(start_date, datetime.datetime):
        raise DagsterInvalidDefinitionError(
            f"{what}: start_date must be a datetime.datetime such as "
            f"datetime.datetime(2020, 1, 1), got {start_date!r}"
        )
    if not isinstance(execution_time, datetime.time):
        raise DagsterInvalidDefinitionError(
            f"{what}: execution_time must be a datetime.time such as datetime.time(6, 45), got "
            f"{execution_time!r}"
        )

    def decorator(fn: DateFn) -> ScheduleDefinition:
        if not callable(fn):
            raise DagsterInvalidDefinitionError(
                f"{what} decorates a function of the period's start returning the run config, "
                f"got {fn!r}"
            )
        return ScheduleDefinition(
            name=name or fn.__name__,
            cron_schedule=cron_fields(execution_time),
            pipeline_name=pipeline_name,
            environment_dict=fn,
            mode=mode,
            should_execute=should_execute,
            tags_fn=tags_fn_for_date,
            solid_subset=solid_subset,
            environment_vars=environment_vars,
            partitions=DatePartitions(start_date, period),
        )

    return decorator


def hourly_schedule(
    pipeline_name: str,
    start_date: datetime.datetime,
    name: str | None = None,
    execution_time: datetime.time = _MIDNIGHT,
    tags_fn_for_date: Callable[[datetime.datetime], Mapping[str, str]] | None = None,
    solid_subset: Sequence[str] | None = None,
    mode: str = "default",
    should_execute: Callable[[datetime.datetime], bool] | None = None,
    environment_vars: Mapping[str, str] | None = None,
) -> ScheduleDecorator:
    """Run every hour at `execution_time`'s minute, for the hour before."""
    if isinstance(execution_time, datetime.time) and execution_time.hour != 0:
        warnings.warn(
            f"@hourly_schedule for pipeline {pipeline_name!r}: execution_time "
            f"{execution_time} has an hour, which an hourly schedule ignores; it runs at minute "
            f"{execution_time.minute} of every hour (use datetime.time(minute=...))",
            stacklevel=2,
        )
    return _date_schedule(
        SchedulePeriod.HOURLY,
        lambda at: f"{at.minute} * * * *",
        pipeline_name,
        start_date,
        name,
        execution_time,
        tags_fn_for_date,
        solid_subset,
        mode,
        should_execute,
        environment_vars,
    )


def daily_schedule(
    pipeline_name: str,
    start_date: datetime.datetime,
    name: str | None = None,
    execution_time: datetime.time = _MIDNIGHT,
    tags_fn_for_date: Callable[[datetime.datetime], Mapping[str, str]] | None = None,
    solid_subset: Sequence[str] | None = None,
    mode: str = "default",
    should_execute: Callable[[datetime.datetime], bool] | None = None,
    environment_vars: Mapping[str, str] | None = None,
) -> ScheduleDecorator:
    """Run every day at `execution_time`, for the day before."""
    return _date_schedule(
        SchedulePeriod.DAILY,
        lambda at: f"{at.minute} {at.hour} * * *",
        pipeline_name,
        start_date,
        name,
        execution_time,
        tags_fn_for_date,
        solid_subset,
        mode,
        should_execute,
        environment_vars,
    )


def weekly_schedule(
    pipeline_name: str,
    start_date: datetime.datetime,
    name: str | None = None,
    execution_day_of_week: int = 0,
    execution_time: datetime.time = _MIDNIGHT,
    tags_fn_for_date: Callable[[datetime.datetime], Mapping[str, str]] | None = None,
    solid_subset: Sequence[str] | None = None,
    mode: str = "default",
    should_execute: Callable[[datetime.datetime], bool] | None = None,
    environment_vars: Mapping[str, str] | None = None,
) -> ScheduleDecorator:
    """Run every week on `execution_day_of_week` (0 is Sunday, as in cron) at `execution_time`,
    for the week before."""
    if not _is_int_in(execution_day_of_week, 0, 6):
        raise DagsterInvalidDefinitionError(
            f"@weekly_schedule for pipeline {pipeline_name!r}: execution_day_of_week "
            f"{execution_day_of_week!r} is not valid: use 0 (Sunday) to 6 (Saturday)"
        )
    return _date_schedule(
        SchedulePeriod.WEEKLY,
        lambda at: f"{at.minute} {at.hour} * * {execution_day_of_week}",
        pipeline_name,
        start_date,
        name,
        execution_time,
        tags_fn_for_date,
        solid_subset,
        mode,
        should_execute,
        environment_vars,
    )


def monthly_schedule(
    pipeline_name: str,
    start_date: datetime.datetime,
    name: str | None = None,
    execution_day_of_month: int = 1,
    execution_time: datetime.time = _MIDNIGHT,
    tags_fn_for_date: Callable[[datetime.datetime], Mapping[str, str]] | None = None,
    solid_subset: Sequence[str] | None = None,
    mode: str = "default",
    should_execute: Callable[[datetime.datetime], bool] | None = None,
    environment_vars: Mapping[str, str] | None = None,
) -> ScheduleDecorator:
    """Run every month on `execution_day_of_month` at `execution_time`, for the month before."""
    if not _is_int_in(execution_day_of_month, 1, 31):
        raise DagsterInvalidDefinitionError(
            f"@monthly_schedule for pipeline {pipeline_name!r}: execution_day_of_month "
            f"{execution_day_of_month!r} is not valid: use 1 to 31"
        )
    return _date_schedule(
        SchedulePeriod.MONTHLY,
        lambda at: f"{at.minute} {at.hour} {execution_day_of_month} * *",
        pipeline_name,
        start_date,
        name,
        execution_time,
        tags_fn_for_date,
        solid_subset,
        mode,
        should_execute,
        environment_vars,
    )


def _is_int_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
