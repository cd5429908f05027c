"""Reconciling an instance with the code, and the crontab lines SystemCronScheduler writes, with
the real `crontab` command on the test user's crontab (restored afterwards)."""

import datetime
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_core import (
    DagsterInstance,
    Field,
    Int,
    ModeDefinition,
    ScheduleDefinition,
    pipeline,
    solid,
)
from dagster_core.scheduler import DagsterSchedulerError
from dagster_core.scheduler.cron import SystemCronScheduler
from dagster_core.scheduler.reconcile import (
    DagsterInvalidScheduleError,
    reconcile,
    start_schedule,
    stop_schedule,
    wipe_schedules,
)
from dagster_core.storage import ScheduleStatus

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")


@solid(config={"n": Field(Int)})
def emit(context):
    return context.solid_config["n"]


@pipeline(mode_defs=[ModeDefinition("default"), ModeDefinition("fast")])
def counting():
    emit()


PIPELINES = {"counting": counting}
CONFIG = {"solids": {"emit": {"config": {"n": 1}}}}


def definition(name, cron_schedule, **kwargs):
    args = {"pipeline_name": "counting", "environment_dict": CONFIG, **kwargs}
    return ScheduleDefinition(name=name, cron_schedule=cron_schedule, **args)


def nightly(**kwargs):
    return definition(**{"name": "nightly", "cron_schedule": "0 2 * * *", **kwargs})


def hourly(**kwargs):
    return definition(**{"name": "hourly", "cron_schedule": "5 * * * *", **kwargs})


@pytest.fixture
def instance(tmp_path, user_crontab):
    instance = DagsterInstance.from_home(str(tmp_path / "home"))
    yield instance
    instance.dispose()


def up(instance, defs, python_file="/code/pipelines.py", module_name=None):
    return reconcile(instance, defs, PIPELINES, python_file=python_file, module_name=module_name)


def statuses(instance):
    return {s.name: s.status for s in instance.schedule_storage.all_schedules()}


def test_local_instance_defaults_to_cron_and_sqlite_schedule_storage(tmp_path):
    instance = DagsterInstance.from_home(str(tmp_path))
    assert isinstance(instance.scheduler, SystemCronScheduler)
    assert type(instance.schedule_storage).__name__ == "SqliteScheduleStorage"
    assert os.path.exists(tmp_path / "history" / "schedules.db")
    instance.dispose()


def test_up_adds_running_schedules_one_marked_line_each(instance, user_crontab):
    result = up(instance, [nightly(), hourly()])
    assert result.added == ["nightly", "hourly"] and not result.updated + result.removed
    assert statuses(instance) == {
        "hourly": ScheduleStatus.RUNNING,
        "nightly": ScheduleStatus.RUNNING,
    }
    home = instance.home
    assert user_crontab.dagster_lines() == [
        f"0 2 * * * {home}/schedules/scripts/nightly.sh # dagster-schedule:nightly@{home}",
        f"5 * * * * {home}/schedules/scripts/hourly.sh # dagster-schedule:hourly@{home}",
    ]
    user_crontab.assert_foreign_lines_kept()
    script = os.path.join(home, "schedules", "scripts", "nightly.sh")
    assert stat.S_IMODE(os.stat(script).st_mode) == 0o700
    text = Path(script).read_text()
    assert f"export DAGSTER_HOME={home}\n" in text
    assert f"exec {DAGSTER} schedule run nightly -f /code/pipelines.py >> " in text
    assert f"log_dir={home}/schedules/logs/nightly\n" in text


def test_up_again_changes_nothing(instance, user_crontab):
    up(instance, [nightly(), hourly()])
    before = user_crontab.read()
    result = up(instance, [nightly(), hourly()])
    assert result.unchanged == ["nightly", "hourly"] and not result.added + result.updated
    assert user_crontab.read() == before


def test_changed_schedule_is_updated_and_keeps_its_status(instance, user_crontab):
    up(instance, [nightly(), hourly()])
    stop_schedule(instance, "nightly")
    result = up(
        instance, [nightly(cron_schedule="30 3 * * *"), hourly(cron_schedule="*/5 * * * *")]
    )
    assert sorted(result.updated) == ["hourly", "nightly"]
    assert statuses(instance) == {
        "hourly": ScheduleStatus.RUNNING,
        "nightly": ScheduleStatus.STOPPED,
    }
    (line,) = user_crontab.dagster_lines()
    assert line.startswith("*/5 * * * * ") and "dagster-schedule:hourly@" in line
    assert instance.schedule_storage.get_schedule("nightly").cron_schedule == "30 3 * * *"
    user_crontab.assert_foreign_lines_kept()


def test_config_or_tags_change_is_an_update(instance):
    up(instance, [nightly()])
    result = up(instance, [nightly(tags={"team": "x"})])
    assert result.updated == ["nightly"]
    result = up(instance, [nightly(environment_dict=lambda t: CONFIG)])
    assert result.updated == ["nightly"]


def test_deleted_schedule_is_removed_but_other_codes_schedules_stay(instance, user_crontab):
    up(instance, [nightly(), hourly()])
    up(instance, [hourly(name="elsewhere")], python_file=None, module_name="team.pipelines")
    result = up(instance, [hourly()])
    assert result.removed == ["nightly"] and result.unchanged == ["hourly"]
    assert set(statuses(instance)) == {"hourly", "elsewhere"}
    assert [line.rsplit("dagster-schedule:", 1)[1] for line in user_crontab.dagster_lines()] == [
        f"hourly@{instance.home}",
        f"elsewhere@{instance.home}",
    ]
    assert not os.path.exists(os.path.join(instance.home, "schedules", "scripts", "nightly.sh"))
    user_crontab.assert_foreign_lines_kept()


def test_stop_start_and_wipe_leave_the_users_lines_alone(instance, user_crontab):
    up(instance, [nightly(), hourly()])
    stop_schedule(instance, "nightly")
    assert len(user_crontab.dagster_lines()) == 1
    user_crontab.assert_foreign_lines_kept()
    start_schedule(instance, "nightly")
    assert len(user_crontab.dagster_lines()) == 2
    assert statuses(instance)["nightly"] is ScheduleStatus.RUNNING
    user_crontab.assert_foreign_lines_kept()
    wipe_schedules(instance)
    assert user_crontab.dagster_lines() == []
    assert instance.schedule_storage.all_schedules() == []
    user_crontab.assert_foreign_lines_kept()


def test_start_or_stop_of_unknown_schedule_lists_the_known_ones(instance):
    up(instance, [nightly()])
    with pytest.raises(KeyError) as info:
        start_schedule(instance, "nightlyy")
    assert str(info.value) == (
        f"No schedule 'nightlyy' in the instance at {instance.source}; it has: nightly"
    )


def test_invalid_schedules_are_refused_before_anything_changes(instance, user_crontab):
    up(instance, [hourly()])
    before = (user_crontab.read(), instance.schedule_storage.all_schedules())
    called_with = []

    def config_for(scheduled_time):
        called_with.append(scheduled_time)
        return {"solids": {"emit": {"config": {"n": "many"}}}}

    def broken(scheduled_time):
        raise ValueError("no partition yet")

    with pytest.raises(DagsterInvalidScheduleError) as info:
        up(
            instance,
            [
                nightly(),  # valid, and not added either: nothing changes
                ScheduleDefinition("ghost", "@daily", "no_such_pipeline"),
                ScheduleDefinition("typed", "15 * * * *", "counting", environment_dict=config_for),
                ScheduleDefinition("moded", "@daily", "counting", CONFIG, mode="slow"),
                ScheduleDefinition("broken", "@daily", "counting", environment_dict=broken),
            ],
        )
    problems = info.value.problems
    assert set(problems) == {"ghost", "typed", "moded", "broken"}
    assert problems["ghost"] == "no pipeline 'no_such_pipeline' in this code; it defines: counting"
    assert "does not validate" in problems["typed"]
    assert 'solids.emit.config.n: expected Int, got "many"' in problems["typed"]
    assert "Pipeline 'counting' has no mode 'slow' (modes: default, fast)" in problems["moded"]
    assert "ValueError: no partition yet" in problems["broken"]
    assert "schedule 'typed':" in str(info.value) and "nothing was changed" in str(info.value)
    (scheduled,) = called_with
    assert scheduled.minute == 15 and scheduled > datetime.datetime.now().astimezone()
    assert (user_crontab.read(), instance.schedule_storage.all_schedules()) == before


def test_a_schedule_whose_executor_check_fails_is_refused_at_up(instance, user_crontab):
    from dagster_core import default_executors
    from dagster_dask import dask_executor

    @pipeline(mode_defs=[ModeDefinition(executor_defs=[*default_executors, dask_executor])])
    def on_dask():
        emit()

    up(instance, [hourly()])
    before = (user_crontab.read(), instance.schedule_storage.all_schedules())
    config = {
        **CONFIG,
        "execution": {"dask": {"cluster": {"existing": {"address": "scheduler-without-port"}}}},
        "storage": {"filesystem": {"base_dir": "relative/intermediates"}},
    }
    with pytest.raises(DagsterInvalidScheduleError) as info:
        reconcile(
            instance,
            [ScheduleDefinition("remote", "@daily", "on_dask", config)],
            {**PIPELINES, "on_dask": on_dask},
            python_file="/code/pipelines.py",
        )
    problem = info.value.problems["remote"]
    assert '"scheduler-without-port" is not a scheduler address' in problem
    assert '"relative/intermediates" is not absolute' in problem
    assert (user_crontab.read(), instance.schedule_storage.all_schedules()) == before


def test_up_repairs_a_lost_crontab_line(instance, user_crontab):
    up(instance, [nightly()])
    lines = user_crontab.read()
    user_crontab.write(lines.replace(user_crontab.dagster_lines()[0] + "\n", ""))
    assert up(instance, [nightly()]).unchanged == ["nightly"]
    assert user_crontab.read() == lines


def test_two_instances_keep_to_their_own_lines(tmp_path, instance, user_crontab):
    other = DagsterInstance.from_home(str(tmp_path / "other-home"))
    try:
        up(instance, [nightly()])
        up(other, [nightly()])
        assert len(user_crontab.dagster_lines()) == 2
        wipe_schedules(other)
        assert user_crontab.dagster_lines() == [
            f"0 2 * * * {instance.home}/schedules/scripts/nightly.sh "
            f"# dagster-schedule:nightly@{instance.home}"
        ]
    finally:
        other.dispose()


def test_script_carries_the_environment_dagster_yaml_reads(tmp_path, user_crontab, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "compute_logs:\n"
        "  module: storage_backends.filesystem\n"
        "  class: LocalComputeLogManager\n"
        "  config: {base_dir: {env: DAGSTER_TEST_LOG_DIR}}\n"
    )
    monkeypatch.setenv("DAGSTER_TEST_LOG_DIR", str(tmp_path / "it's logs"))
    instance = DagsterInstance.from_home(str(home))
    try:
        up(instance, [nightly()])
    finally:
        instance.dispose()
    text = (home / "schedules" / "scripts" / "nightly.sh").read_text()
    assert f"export DAGSTER_TEST_LOG_DIR='{tmp_path}/it'\"'\"'s logs'\n" in text


def test_script_runs_the_schedule_with_crons_minimal_environment(tmp_path, user_crontab):
    code = tmp_path / "scheduled_pipelines.py"
    code.write_text(
        "from dagster_core import ScheduleDefinition, lambda_solid, pipeline, schedules\n"
        "@lambda_solid\n"
        "def one():\n"
        "    return 1\n"
        "@pipeline\n"
        "def single():\n"
        "    one()\n"
        "@schedules\n"
        "def define():\n"
        "    return [ScheduleDefinition('yearly', '0 0 1 1 *', 'single')]\n"
    )
    instance = DagsterInstance.from_home(str(tmp_path / "home"))
    try:
        subprocess.run(
            [DAGSTER, "schedule", "up", "-f", str(code)],
            env={**os.environ, "DAGSTER_HOME": instance.home},
            check=True,
            capture_output=True,
        )
        script = os.path.join(instance.home, "schedules", "scripts", "yearly.sh")
        subprocess.run([script], env={}, check=True, timeout=120)  # what cron does, bare env
        (run,) = instance.get_runs()
        assert run.status.value == "SUCCESS" and run.tags["dagster/schedule_name"] == "yearly"
        (log,) = os.listdir(os.path.join(instance.home, "schedules", "logs", "yearly"))
        assert log.endswith(".log")
    finally:
        instance.dispose()


def test_ephemeral_instance_has_no_scheduler():
    instance = DagsterInstance.ephemeral()
    with pytest.raises(DagsterSchedulerError, match="set DAGSTER_HOME to a directory"):
        up(instance, [nightly()])
