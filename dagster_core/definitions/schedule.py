"""ScheduleDefinition and @schedules: pipelines run on a cron schedule, defined next to them.

A schedule may run for fixed periods (DatePartitions, made by `@daily_schedule` and its
siblings): each firing runs for the last period that ended by then, and its functions receive
that period's start instead of the scheduled time.

Cron expressions are read by croniter (fire times) and python-crontab (the system cron's syntax):
an expression must satisfy both, so what is defined here is what a crontab accepts.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import hashlib
import inspect
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from croniter import CroniterError, croniter
from crontab import CronSlices

from dagster_core.errors import DagsterInvalidDefinitionError, DagsterInvariantViolationError

SCHEDULE_NAME_TAG = "dagster/schedule_name"
PARTITION_TAG = "dagster/partition"

EnvironmentDict = Mapping[str, Any]
EnvironmentDictFn = Callable[[datetime.datetime], EnvironmentDict]
TagsFn = Callable[[datetime.datetime], Mapping[str, str]]
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_CRON_HELP = (
    "expected five fields 'minute hour day-of-month month day-of-week' such as '0 2 * * *' or "
    "'*/15 * * * mon-fri', or one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly"
)


def cron_schedule_error(cron_schedule: object) -> str | None:
    """Why `cron_schedule` is not a cron expression the system's cron runs; None if it is one."""
    if not isinstance(cron_schedule, str):
        return f"expected a string, got {type(cron_schedule).__name__}"
    try:
        croniter(cron_schedule).get_next(datetime.datetime)
    except CroniterError as error:  # a bad field, or a date that never comes such as April 31
        return str(error)
    if not CronSlices.is_valid(cron_schedule):
        return "the system's cron does not read this syntax"
    return None


def next_fire_time(cron_schedule: str, after: datetime.datetime) -> datetime.datetime:
    """The first time strictly after `after` at which the schedule fires (in after's time zone)."""
    return croniter(cron_schedule, after).get_next(datetime.datetime)


def latest_fire_time(cron_schedule: str, at: datetime.datetime) -> datetime.datetime:
    """The last time at or before `at` (to the second) at which the schedule fired."""
    return croniter(cron_schedule, at + datetime.timedelta(seconds=1)).get_prev(datetime.datetime)


class SchedulePeriod(StrEnum):
    """The length of the periods a date-partitioned schedule runs for."""

    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"

    @property
    def label_format(self) -> str:
        """How a period is named in the `dagster/partition` tag of its run."""
        return _LABEL_FORMATS[self]


_LABEL_FORMATS = {
    SchedulePeriod.HOURLY: "%Y-%m-%d-%H:%M",
    SchedulePeriod.DAILY: "%Y-%m-%d",
    SchedulePeriod.WEEKLY: "%Y-%m-%d",
    SchedulePeriod.MONTHLY: "%Y-%m",
}
_FIXED_LENGTHS = {
    SchedulePeriod.HOURLY: datetime.timedelta(hours=1),
    SchedulePeriod.DAILY: datetime.timedelta(days=1),
    SchedulePeriod.WEEKLY: datetime.timedelta(weeks=1),
}


@dataclass(frozen=True)
class DatePartitions:
    """Consecutive periods from `start_date` (naive: local time). A firing at time T runs for
    the last period that ended by T, so a daily schedule firing on May 2 runs for May 1."""

    start_date: datetime.datetime
    period: SchedulePeriod

    def period_start(self, index: int) -> datetime.datetime:
        """The start of period `index` (0 is the first)."""
        if self.period is SchedulePeriod.MONTHLY:
            return _add_months(self.start_date, index)
        return self.start_date + index * _FIXED_LENGTHS[self.period]

    def date_for(self, scheduled_time: datetime.datetime) -> datetime.datetime | None:
        """The start of the last period that ended by `scheduled_time`; None before the first
        one has ended."""
        at = self._comparable(scheduled_time)
        if self.period is SchedulePeriod.MONTHLY:
            ended = (at.year - self.start_date.year) * 12 + at.month - self.start_date.month
            if self.period_start(ended) > at:
                ended -= 1
        else:
            ended = (at - self.start_date) // _FIXED_LENGTHS[self.period]
        return self.period_start(ended - 1) if ended >= 1 else None

    def first_end(self) -> datetime.datetime:
        """When the first period ends, time-zone aware: no run comes before."""
        return self.period_start(1).astimezone()

    def label(self, date: datetime.datetime) -> str:
        return date.strftime(self.period.label_format)

    def _comparable(self, time: datetime.datetime) -> datetime.datetime:
        """`time` in start_date's terms: naive local time when start_date is naive."""
        if self.start_date.tzinfo is None:
            return time.astimezone().replace(tzinfo=None) if time.tzinfo else time
        return time.astimezone(self.start_date.tzinfo)


def _add_months(date: datetime.datetime, months: int) -> datetime.datetime:
    """`date` moved by whole months, its day clipped to the month's length (Jan 31 + 1: Feb 28)."""
    year, month = divmod(date.month - 1 + months, 12)
    year += date.year
    day = min(date.day, calendar.monthrange(year, month + 1)[1])
    return date.replace(year=year, month=month + 1, day=day)


class ScheduleDefinition:
    """Run pipeline `pipeline_name` whenever `cron_schedule` fires.

    `environment_dict` is the run config, or a function of the scheduled time returning it;
    `should_execute(scheduled_time)` may skip a firing by returning False. Runs are tagged with
    `tags`, what `tags_fn(scheduled_time)` returns, and `dagster/schedule_name`; they run only the
    solids of `solid_subset` when it is given, with `environment_vars` set in their environment.
    With `partitions` (set by `@daily_schedule` and its siblings), environment_dict and tags_fn
    receive the start of the period the run is for, and runs are also tagged `dagster/partition`.
    """

    def __init__(
        self,
        name: str,
        cron_schedule: str,
        pipeline_name: str,
        environment_dict: EnvironmentDict | EnvironmentDictFn | None = None,
        tags: Mapping[str, str] | None = None,
        mode: str = "default",
        should_execute: Callable[[datetime.datetime], bool] | None = None,
        tags_fn: TagsFn | None = None,
        solid_subset: Sequence[str] | None = None,
        environment_vars: Mapping[str, str] | None = None,
        partitions: DatePartitions | None = None,
    ):
        if not isinstance(name, str) or not _NAME.match(name):
            raise DagsterInvalidDefinitionError(
                f"Schedule name {name!r} is not valid: use letters, digits, '_', '-' and '.', "
                "such as 'nightly_etl'"
            )
        if isinstance(cron_schedule, str):
            cron_schedule = " ".join(cron_schedule.split())
        problem = cron_schedule_error(cron_schedule)
        if problem is not None:
            raise DagsterInvalidDefinitionError(
                f"Schedule '{name}': cron_schedule {cron_schedule!r} is not valid ({problem}); "
                + _CRON_HELP
            )
        if not isinstance(pipeline_name, str) or not isinstance(mode, str):
            raise DagsterInvalidDefinitionError(
                f"Schedule '{name}': pipeline_name and mode must be strings, got "
                f"{pipeline_name!r} and {mode!r}"
            )
        tags = dict(tags or {})
        environment_vars = dict(environment_vars or {})
        for what, values, kind in (
            ("tags", tags, "tag(s)"),
            ("environment_vars", environment_vars, "variable(s)"),
        ):
            bad = _not_strings(values)
            if bad:
                raise DagsterInvalidDefinitionError(
                    f"Schedule '{name}': {what} must map strings to strings; bad {kind}: {bad!r}"
                )
        argument = "the scheduled time" if partitions is None else "the period's start"
        for what, fn, takes in (
            ("environment_dict", environment_dict, argument),
            ("should_execute", should_execute, "the scheduled time"),
            ("tags_fn", tags_fn, argument),
        ):
            if fn is not None and what != "environment_dict" and not callable(fn):
                raise DagsterInvalidDefinitionError(
                    f"Schedule '{name}': {what} must be a function, got {fn!r}"
                )
            if callable(fn) and len(inspect.signature(fn).parameters) != 1:
                raise DagsterInvalidDefinitionError(
                    f"Schedule '{name}': {what} function {fn.__qualname__} must take one "
                    f"argument, {takes} (a datetime)"
                )
        if solid_subset is not None and (
            isinstance(solid_subset, str) or not all(isinstance(s, str) for s in solid_subset)
        ):
            raise DagsterInvalidDefinitionError(
                f"Schedule '{name}': solid_subset must be a list of solid names, got "
                f"{solid_subset!r}"
            )
        self.name = name
        self.cron_schedule = cron_schedule
        self.pipeline_name = pipeline_name
        self.mode = mode
        self.tags = tags
        self.solid_subset = None if solid_subset is None else tuple(solid_subset)
        self.environment_vars = environment_vars
        self.partitions = partitions
        self._environment_dict = environment_dict
        self._should_execute = should_execute
        self._tags_fn = tags_fn

    def _argument(self, scheduled_time: datetime.datetime) -> datetime.datetime:
        """What the schedule's functions receive for a firing: the time, or the period's start."""
        if self.partitions is None:
            return scheduled_time
        date = self.partitions.date_for(scheduled_time)
        if date is None:
            raise DagsterInvariantViolationError(
                f"Schedule '{self.name}' has no run at {scheduled_time:%Y-%m-%d %H:%M}: its first "
                f"period (from {self.partitions.start_date}) ends at "
                f"{self.partitions.first_end():%Y-%m-%d %H:%M}"
            )
        return date

    def environment_dict_for(self, scheduled_time: datetime.datetime) -> dict[str, Any]:
        """The run config of the run scheduled for `scheduled_time`."""
        if callable(self._environment_dict):
            return dict(self._environment_dict(self._argument(scheduled_time)) or {})
        return dict(self._environment_dict or {})

    def tags_for(self, scheduled_time: datetime.datetime) -> dict[str, str]:
        """The tags of the run scheduled for `scheduled_time` (without dagster/schedule_name)."""
        tags = dict(self.tags)
        if self._tags_fn is not None:
            extra = dict(self._tags_fn(self._argument(scheduled_time)) or {})
            bad = _not_strings(extra)
            if bad:
                raise DagsterInvariantViolationError(
                    f"Schedule '{self.name}': tags_fn {self._tags_fn.__qualname__} must return a "
                    f"dict of strings to strings; bad tag(s): {bad!r}"
                )
            tags.update(extra)
        if self.partitions is not None:
            tags[PARTITION_TAG] = self.partitions.label(self._argument(scheduled_time))
        return tags

    def skip_reason(self, scheduled_time: datetime.datetime) -> str | None:
        """Why the firing at `scheduled_time` starts no run; None when it starts one."""
        if self.partitions is not None and self.partitions.date_for(scheduled_time) is None:
            return (
                f"no {self.partitions.period.value} period from {self.partitions.start_date} "
                "has ended yet"
            )
        if self._should_execute is not None and not self._should_execute(scheduled_time):
            return "should_execute said no"
        return None

    def should_execute(self, scheduled_time: datetime.datetime) -> bool:
        """Whether the firing at `scheduled_time` starts a run."""
        return self.skip_reason(scheduled_time) is None

    def first_run_time(self, after: datetime.datetime) -> datetime.datetime:
        """The first fire time after `after` that has a period to run for."""
        if self.partitions is not None:
            first_end = self.partitions.first_end()
            if first_end > after:
                after = first_end - datetime.timedelta(seconds=1)
        return next_fire_time(self.cron_schedule, after)

    @functools.cached_property
    def fingerprint(self) -> str:
        """A digest of everything that defines the schedule, functions by their source code."""
        described = {
            "cron_schedule": self.cron_schedule,
            "pipeline_name": self.pipeline_name,
            "mode": self.mode,
            "tags": self.tags,
            "environment_dict": _describe(self._environment_dict),
            "should_execute": _describe(self._should_execute),
        }
        # only when set, so schedules defined without them keep their fingerprints
        if self._tags_fn is not None:
            described["tags_fn"] = _describe(self._tags_fn)
        if self.solid_subset is not None:
            described["solid_subset"] = list(self.solid_subset)
        if self.environment_vars:
            described["environment_vars"] = self.environment_vars
        if self.partitions is not None:
            described["partitions"] = [str(self.partitions.start_date), self.partitions.period]
        text = json.dumps(described, sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()

    def __repr__(self) -> str:
        return f"<ScheduleDefinition {self.name} {self.cron_schedule!r} -> {self.pipeline_name}>"


def _not_strings(values: Mapping[Any, Any]) -> dict[Any, Any]:
    """The entries of `values` whose key or value is not a string."""
    return {k: v for k, v in values.items() if not isinstance(k, str) or not isinstance(v, str)}


def _describe(value: Any) -> Any:
    """A value as is; a function by its name, source and bytecode (the source of a lambda is its
    whole line, which may hold others)."""
    if not callable(value):
        return value
    try:
        source = inspect.getsource(value)
    except (OSError, TypeError):
        source = None
    code = getattr(value, "__code__", None)
    compiled = None
    if code is not None:
        constants = [c for c in code.co_consts if not inspect.iscode(c)]
        compiled = [code.co_code.hex(), repr(constants)]
    name = f"{value.__module__}.{value.__qualname__}"
    return {"function": name, "source": source, "code": compiled}


class ScheduleDefinitions:
    """A function made with @schedules; the loader calls it to get the schedules it defines."""

    def __init__(self, fn: Callable[[], Any]):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self) -> list[ScheduleDefinition]:
        """The schedules, checked to be a list of ScheduleDefinition."""
        defs = self.fn()
        if not isinstance(defs, list | tuple) or not all(
            isinstance(d, ScheduleDefinition) for d in defs
        ):
            raise DagsterInvalidDefinitionError(
                f"@schedules function {self.fn.__qualname__} must return a list of "
                f"ScheduleDefinition, got {defs!r}"
            )
        return list(defs)


def schedules(fn: Callable[[], Any]) -> ScheduleDefinitions:
    """Mark a function returning a list of ScheduleDefinition as the schedules of its module."""
    return ScheduleDefinitions(fn)
