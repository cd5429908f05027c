"""A schedule firing through the real cron daemon: `* * * * *` runs within two minutes."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from dagster_core import DagsterInstance, RunsFilter
from dagster_core.storage.runs import FINISHED_STATUSES

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")

CODE = textwrap.dedent(
    """
    from dagster_core import ScheduleDefinition, lambda_solid, pipeline, schedules

    @lambda_solid
    def tick():
        return "tick"

    @pipeline
    def ticking():
        tick()

    @schedules
    def define_schedules():
        return [ScheduleDefinition("every_minute", "* * * * *", "ticking", tags={"e2e": "yes"})]
    """
)


def wait_for(condition, timeout, what):
    """Poll `condition` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(1)
    return value


@pytest.mark.slow
def test_every_minute_schedule_runs_through_cron(tmp_path, user_crontab, cron_daemon):
    (tmp_path / "ticking.py").write_text(CODE)
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}

    def dagster(*args):
        out = subprocess.run(
            [DAGSTER, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    dagster("schedule", "up", "-f", "ticking.py")
    instance = DagsterInstance.from_home(str(tmp_path / "home"))
    scheduled = RunsFilter(tags={"dagster/schedule_name": "every_minute"})
    try:
        run = wait_for(lambda: instance.get_runs(scheduled), 120, "cron to start a run")[-1]
        wait_for(
            lambda: instance.get_run_by_id(run.run_id).status in FINISHED_STATUSES,
            60,
            f"run {run.run_id} to finish",
        )
        status = instance.get_run_by_id(run.run_id).status.value
        assert status == "SUCCESS", dagster("schedule", "logs", "every_minute")
        assert run.tags["e2e"] == "yes"
        assert run.run_id in dagster("run", "list") and "ticking" in dagster("run", "list")
        assert "SUCCESS" in dagster("schedule", "list")
    finally:
        dagster("schedule", "wipe", "--yes")
        instance.dispose()
    assert user_crontab.dagster_lines() == []
    user_crontab.assert_foreign_lines_kept()
