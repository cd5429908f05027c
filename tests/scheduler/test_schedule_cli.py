"""`dagster schedule ...` as a user runs it: real processes, exit codes, and the real crontab of
the test user (restored afterwards). The schedules fire once a year, so cron leaves them be."""

import datetime
import os
import subprocess
import sys
import textwrap

import pytest

from dagster_core import DagsterInstance

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")

CODE = textwrap.dedent(
    """
    from dagster_core import Field, Int, ScheduleDefinition, pipeline, schedules, solid

    @solid(config={"n": Field(Int)})
    def emit(context):
        print("emitting", context.solid_config["n"])
        return context.solid_config["n"]

    @pipeline
    def counting():
        emit()

    def config_for(scheduled_time):
        return {"solids": {"emit": {"config": {"n": scheduled_time.year}}}}

    @schedules
    def define_schedules():
        return [
            ScheduleDefinition(
                "new_year", "0 0 1 1 *", "counting", environment_dict=config_for,
                tags={"team": "data"},
            ),
            ScheduleDefinition(
                "skipped", "30 0 1 1 *", "counting", environment_dict=config_for,
                should_execute=lambda scheduled_time: False,
            ),
        ]
    """
)


@pytest.fixture
def home(tmp_path, user_crontab):
    (tmp_path / "scheduled_pipelines.py").write_text(CODE)
    return tmp_path


def dagster(home, *args, env=None):
    return subprocess.run(
        [DAGSTER, *args],
        cwd=home,
        env={**os.environ, "DAGSTER_HOME": str(home / "home"), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(home, *args):
    out = dagster(home, *args)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def rows(listing):
    return {line.split()[0]: line for line in listing.splitlines()[1:]}


def test_up_list_stop_start_wipe(home, user_crontab):
    out = ok(home, "schedule", "up", "-f", "scheduled_pipelines.py")
    assert "new_year: added" in out and "skipped: added" in out
    assert len(user_crontab.dagster_lines()) == 2

    listing = rows(ok(home, "schedule", "list"))
    assert set(listing) == {"new_year", "skipped"}
    assert "0 0 1 1 *" in listing["new_year"] and "RUNNING" in listing["new_year"]
    assert "-01-01 00:00" in listing["new_year"] and listing["new_year"].endswith("  -")

    assert "Stopped schedule 'new_year'" in ok(home, "schedule", "stop", "new_year")
    assert "STOPPED" in rows(ok(home, "schedule", "list"))["new_year"]
    assert len(user_crontab.dagster_lines()) == 1
    assert "next fire time" in ok(home, "schedule", "start", "new_year")
    assert "RUNNING" in rows(ok(home, "schedule", "list"))["new_year"]

    assert "every schedule" in ok(home, "schedule", "wipe", "--yes")
    assert "No schedules in the instance" in ok(home, "schedule", "list")
    assert user_crontab.dagster_lines() == []
    user_crontab.assert_foreign_lines_kept()


def test_up_says_what_changed(home):
    ok(home, "schedule", "up", "-f", "scheduled_pipelines.py")
    changed = CODE.replace('"0 0 1 1 *"', '"0 1 1 1 *"').replace('"skipped"', '"renamed"')
    (home / "scheduled_pipelines.py").write_text(changed)
    out = ok(home, "schedule", "up", "-f", "scheduled_pipelines.py")
    assert "new_year: updated" in out
    assert "renamed: added" in out and "skipped: removed" in out


def test_run_tags_the_run_and_honours_should_execute(home):
    ok(home, "schedule", "up", "-f", "scheduled_pipelines.py")
    out = ok(home, "schedule", "run", "new_year", "-f", "scheduled_pipelines.py")
    assert "Schedule 'new_year' at " in out and "-01-01 00:00: running counting" in out
    out = ok(home, "schedule", "run", "skipped", "-f", "scheduled_pipelines.py")
    assert "should_execute said no" in out

    instance = DagsterInstance.from_home(str(home / "home"))
    try:
        (run,) = instance.get_runs()
        assert run.status.value == "SUCCESS"
        assert run.tags["dagster/schedule_name"] == "new_year" and run.tags["team"] == "data"
        year = datetime.datetime.fromtimestamp(run.created_at).year
        assert run.environment_dict["solids"]["emit"]["config"]["n"] == year
    finally:
        instance.dispose()
    assert "SUCCESS" in rows(ok(home, "schedule", "list"))["new_year"]
    assert "run" not in ok(home, "schedule", "--help").split("Commands:")[1].split()


def test_logs_prints_the_latest_firing(home):
    ok(home, "schedule", "up", "-f", "scheduled_pipelines.py")
    assert "has not fired yet" in ok(home, "schedule", "logs", "new_year")
    script = home / "home" / "schedules" / "scripts" / "new_year.sh"
    subprocess.run([str(script)], env={}, check=True, timeout=120)  # as cron runs it
    out = dagster(home, "schedule", "logs", "new_year")
    assert out.returncode == 0, out.stderr
    assert "running counting" in out.stdout and "SUCCESS" in out.stdout
    assert "schedules/logs/new_year/" in out.stderr


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            '"0 0 1 1 *"',
            '"0 0 1 13 *"',
            "Schedule 'new_year': cron_schedule '0 0 1 13 *' is not valid",
        ),
        ('"0 0 1 1 *", "counting"', '"0 0 1 1 *", "countin"', "no pipeline 'countin' in this code"),
        (
            "scheduled_time.year}",
            "str(scheduled_time.year)}",
            "schedule 'new_year': run config for",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_schedule_and_changes_nothing(
    home, user_crontab, old, new, expected
):
    before = user_crontab.read()
    assert old in CODE
    (home / "scheduled_pipelines.py").write_text(CODE.replace(old, new, 1))
    out = dagster(home, "schedule", "up", "-f", "scheduled_pipelines.py")
    assert out.returncode == 2, out.stdout + out.stderr
    assert expected in out.stderr
    assert user_crontab.read() == before
    assert "No schedules" in ok(home, "schedule", "list")


def test_bad_run_config_names_the_path(home):
    (home / "scheduled_pipelines.py").write_text(CODE.replace("scheduled_time.year}", '"x"}'))
    out = dagster(home, "schedule", "up", "-f", "scheduled_pipelines.py")
    assert out.returncode == 2
    assert 'solids.emit.config.n: expected Int, got "x"' in out.stderr


def test_missing_crontab_command_says_how_to_install_cron(home, tmp_path):
    empty = tmp_path / "empty-path"
    empty.mkdir()
    out = dagster(home, "schedule", "up", "-f", "scheduled_pipelines.py", env={"PATH": str(empty)})
    assert out.returncode == 2
    assert "needs the `crontab` command" in out.stderr and "apt-get install cron" in out.stderr
    assert "No schedules" in ok(home, "schedule", "list")


def test_unknown_schedule_and_no_home_exit_2(home):
    ok(home, "schedule", "up", "-f", "scheduled_pipelines.py")
    out = dagster(home, "schedule", "stop", "new_yaer")
    assert out.returncode == 2
    assert "No schedule 'new_yaer'" in out.stderr and "it has: new_year, skipped" in out.stderr
    for args in (["up", "-f", "scheduled_pipelines.py"], ["list"]):
        out = dagster(home, "schedule", *args, env={"DAGSTER_HOME": ""})
        assert out.returncode == 2 and "set DAGSTER_HOME" in out.stderr
