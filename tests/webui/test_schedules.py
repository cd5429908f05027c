"""The schedules screen in a browser, on the system cron scheduler: a schedule's cron,
pipeline, state, next fire time and last runs; Stop and Start change the user's real crontab
(saved before the test and put back exactly afterwards; the schedule fires once a year)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from missing_service import missing_service
from playwright.sync_api import expect
from webui_support import CODE, screenshot

from dagster_core import DagsterInstance
from dagster_core.definitions.schedule import SCHEDULE_NAME_TAG
from dagster_core.storage.schedules import Schedule, ScheduleStatus

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")
SCHEDULED_CODE = CODE + textwrap.dedent(
    """
    from dagster_core import ScheduleDefinition, schedules

    @schedules
    def define_schedules():
        return [ScheduleDefinition("new_year_adder", "0 0 1 1 *", "adder",
                                   {"solids": {"add": {"inputs": {"x": 1}}}})]
    """
)


def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["crontab", *args], input=stdin, capture_output=True, text=True)


@pytest.fixture
def saved_crontab() -> Iterator[None]:
    """The user's crontab, put back exactly as it was after the test."""
    if shutil.which("crontab") is None:
        reason = "no `crontab` command: `make test` installs it (apt-get install cron)"
        missing_service(reason)
    saved = _crontab("-l")
    try:
        yield
    finally:
        if saved.returncode == 0:
            assert _crontab("-", stdin=saved.stdout).returncode == 0
        else:
            _crontab("-r")
        assert _crontab("-l").stdout == saved.stdout


def _schedule_lines() -> list[str]:
    return [line for line in _crontab("-l").stdout.splitlines() if "new_year_adder" in line]


def test_code_without_schedules_says_how_to_add_them(start_dagit, page):
    server = start_dagit()
    page.goto(server.url + "/schedules")
    expect(page.locator("#no-schedules")).to_contain_text("dagster schedule up")


def test_schedules_show_their_state_and_runs_and_stop_and_start(
    start_dagit, page, tmp_path, dagster_home, saved_crontab
):
    code = tmp_path / "scheduled.py"
    code.write_text(SCHEDULED_CODE)
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    up = subprocess.run(
        [DAGSTER, "schedule", "up", "-f", str(code)], env=env, capture_output=True, text=True
    )
    assert up.returncode == 0, up.stderr
    assert len(_schedule_lines()) == 1
    instance = DagsterInstance.from_home(str(dagster_home))
    runs = [instance.create_run("adder", tags={SCHEDULE_NAME_TAG: "new_year_adder"}) for _ in "ab"]
    server = start_dagit(code=code)

    page.goto(server.url + "/schedules")
    row = page.locator('tr.schedule[data-schedule="new_year_adder"]')
    expect(row.locator(".schedule-status")).to_have_text("RUNNING")
    assert "0 0 1 1 *" in row.inner_text() and "adder" in row.inner_text()
    expect(row.locator(".next-fire")).to_contain_text("-01-01 00:00")
    links = row.locator(".last-runs a.mono")
    assert links.evaluate_all("as => as.map(a => a.textContent)") == [
        run.run_id[:8] for run in reversed(runs)
    ]
    screenshot(page, "schedules")

    row.get_by_role("button", name="Stop").click()
    expect(row.locator(".schedule-status")).to_have_text("STOPPED")
    expect(row.locator(".next-fire")).to_have_text("—")
    assert _schedule_lines() == []

    row.get_by_role("button", name="Start").click()
    expect(row.locator(".schedule-status")).to_have_text("RUNNING")
    assert len(_schedule_lines()) == 1

    row.locator("a.all-runs").click()
    expect(page.locator("#run-rows tr.run")).to_have_count(2)


def test_read_only_renders_no_start_or_stop(start_dagit, page, dagster_home):
    instance = DagsterInstance.from_home(str(dagster_home))
    instance.schedule_storage.add_schedule(
        Schedule(
            "nightly",
            "adder",
            "0 2 * * *",
            ScheduleStatus.RUNNING,
            fingerprint="f",
            python_file="/x.py",
        )
    )
    server = start_dagit("--read-only")
    page.goto(server.url + "/schedules")
    expect(page.locator('tr.schedule[data-schedule="nightly"] .schedule-status')).to_have_text(
        "RUNNING"
    )
    assert page.locator("button").count() == 0
