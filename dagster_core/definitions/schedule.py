"""ScheduleDefinition and @schedules: pipelines run on a cron schedule, defined next to them.

Cron expressions are read by croniter (fire times) and python-crontab (the system cron's syntax):
an expression must satisfy both, so what is defined here is what a crontab accepts.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import inspect
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from croniter import CroniterError, croniter
from crontab import CronSlices

from dagster_core.errors import DagsterInvalidDefinitionError

SCHEDULE_NAME_TAG = "dagster/schedule_name"

EnvironmentDict = Mapping[str, Any]
EnvironmentDictFn = Callable[[datetime.datetime], EnvironmentDict]
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


class ScheduleDefinition:
    """Run pipeline `pipeline_name` whenever `cron_schedule` fires.

    `environment_dict` is the run config, or a function of the scheduled time returning it;
    `should_execute(scheduled_time)` may skip a firing by returning False. Runs are tagged with
    `tags` and `dagster/schedule_name`.
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
        bad = {k: v for k, v in tags.items() if not isinstance(k, str) or not isinstance(v, str)}
        if bad:
            raise DagsterInvalidDefinitionError(
                f"Schedule '{name}': tags must map strings to strings; bad tag(s): {bad!r}"
            )
        for what, fn in (
            ("environment_dict", environment_dict),
            ("should_execute", should_execute),
        ):
            if callable(fn) and len(inspect.signature(fn).parameters) != 1:
                raise DagsterInvalidDefinitionError(
                    f"Schedule '{name}': {what} function {fn.__qualname__} must take one "
                    "argument, the scheduled time (a datetime)"
                )
        self.name = name
        self.cron_schedule = cron_schedule
        self.pipeline_name = pipeline_name
        self.mode = mode
        self.tags = tags
        self._environment_dict = environment_dict
        self._should_execute = should_execute

    def environment_dict_for(self, scheduled_time: datetime.datetime) -> dict[str, Any]:
        """The run config of the run scheduled for `scheduled_time`."""
        if callable(self._environment_dict):
            return dict(self._environment_dict(scheduled_time) or {})
        return dict(self._environment_dict or {})

    def should_execute(self, scheduled_time: datetime.datetime) -> bool:
        """Whether the firing at `scheduled_time` starts a run."""
        return self._should_execute is None or bool(self._should_execute(scheduled_time))

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
        text = json.dumps(described, sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()

    def __repr__(self) -> str:
        return f"<ScheduleDefinition {self.name} {self.cron_schedule!r} -> {self.pipeline_name}>"


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
