"""ScheduleDefinition and @schedules: what a schedule is, and the mistakes refused when defined."""

import datetime

import pytest

from dagster_core import DagsterInvalidDefinitionError, ScheduleDefinition, schedules
from dagster_core.definitions.schedule import latest_fire_time, next_fire_time

UTC = datetime.UTC


@pytest.mark.parametrize(
    "cron, reason",
    [
        ("61 * * * *", "out of range"),
        ("* * * *", "Exactly 5, 6 or 7 columns"),
        ("0 0 31 4 *", "failed to find next date"),
        ("* * * * * *", "the system's cron does not read this syntax"),
        ("0 0 L * *", "the system's cron does not read this syntax"),
        ("@reboot", "Exactly 5, 6 or 7 columns"),
        (None, "expected a string, got NoneType"),
    ],
)
def test_invalid_cron_schedule_names_schedule_value_and_syntax(cron, reason):
    with pytest.raises(DagsterInvalidDefinitionError) as info:
        ScheduleDefinition("nightly", cron, "etl")
    message = str(info.value)
    assert f"Schedule 'nightly': cron_schedule {cron!r} is not valid" in message
    assert reason in message
    assert "such as '0 2 * * *'" in message


@pytest.mark.parametrize("cron", ["* * * * *", "*/15 8-18 * * mon-fri", "0 2 1,15 * *", "@daily"])
def test_valid_cron_schedules(cron):
    assert ScheduleDefinition("s", cron, "etl").cron_schedule == cron


def test_cron_schedule_spacing_is_normalized():
    assert ScheduleDefinition("s", " 0  2 *\t* * ", "etl").cron_schedule == "0 2 * * *"


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"name": "has space"}, "Schedule name 'has space' is not valid"),
        ({"name": "a@b"}, "Schedule name 'a@b' is not valid"),
        ({"tags": {"team": 3}}, "tags must map strings to strings; bad tag(s): {'team': 3}"),
        ({"pipeline_name": None}, "pipeline_name and mode must be strings"),
        ({"environment_dict": lambda: {}}, "must take one argument, the scheduled time"),
        ({"should_execute": lambda a, b: True}, "must take one argument, the scheduled time"),
    ],
)
def test_definition_mistakes(kwargs, expected):
    args = {"name": "nightly", "cron_schedule": "0 2 * * *", "pipeline_name": "etl", **kwargs}
    with pytest.raises(DagsterInvalidDefinitionError) as info:
        ScheduleDefinition(**args)
    assert expected in str(info.value)


def test_environment_dict_and_should_execute_are_functions_of_the_scheduled_time():
    seen = []
    schedule = ScheduleDefinition(
        "hourly",
        "0 * * * *",
        "etl",
        environment_dict=lambda t: {"solids": {"load": {"config": {"hour": t.hour}}}},
        should_execute=lambda t: seen.append(t) or t.hour % 2 == 0,
    )
    at_ten = datetime.datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert schedule.environment_dict_for(at_ten) == {"solids": {"load": {"config": {"hour": 10}}}}
    assert schedule.should_execute(at_ten) is True
    assert schedule.should_execute(at_ten.replace(hour=11)) is False
    assert seen == [at_ten, at_ten.replace(hour=11)]


def test_fixed_environment_dict_and_default_should_execute():
    schedule = ScheduleDefinition("s", "0 2 * * *", "etl", environment_dict={"solids": {}})
    now = datetime.datetime.now(UTC)
    assert schedule.environment_dict_for(now) == {"solids": {}}
    assert schedule.should_execute(now) is True


def test_fire_times():
    at = datetime.datetime(2024, 5, 1, 10, 30, 15, tzinfo=UTC)
    assert next_fire_time("0 * * * *", at) == datetime.datetime(2024, 5, 1, 11, tzinfo=UTC)
    assert latest_fire_time("0 * * * *", at) == datetime.datetime(2024, 5, 1, 10, tzinfo=UTC)
    on_the_dot = datetime.datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert latest_fire_time("0 * * * *", on_the_dot) == on_the_dot
    assert latest_fire_time("* * * * *", at) == datetime.datetime(2024, 5, 1, 10, 30, tzinfo=UTC)


def test_fingerprint_follows_the_definition():
    def make(**kwargs):
        args = {"environment_dict": {"solids": {}}, **kwargs}
        return ScheduleDefinition("s", "0 2 * * *", "etl", **args).fingerprint

    assert make() == make()
    assert make() != make(environment_dict={"solids": {"x": {}}})
    assert make() != make(tags={"team": "x"})
    assert make() != make(mode="fast")
    assert make(environment_dict=lambda t: {}) != make(environment_dict=lambda t: {"x": 1})


def test_schedules_decorator_returns_checked_definitions():
    @schedules
    def define():
        return [ScheduleDefinition("a", "@daily", "etl"), ScheduleDefinition("b", "@hourly", "etl")]

    assert [d.name for d in define()] == ["a", "b"]
    assert define.__name__ == "define"

    @schedules
    def wrong():
        return ScheduleDefinition("a", "@daily", "etl")

    with pytest.raises(DagsterInvalidDefinitionError, match="must return a list of"):
        wrong()
