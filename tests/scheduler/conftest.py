"""Fixtures of the scheduler tests: the real crontab of the user running them, saved before each
test and put back exactly afterwards, with lines of the user's own that dagster must not touch."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from missing_service import missing_service

from dagster_core.scheduler.cron import cron_daemon_running

# Lines as a person writes them (spacing, an escaped %, a comment and a variable): python-crontab
# would reformat some of them if it rendered the whole crontab. They never fire during a test.
FOREIGN_LINES = (
    "# the user's own lines, which dagster leaves exactly as they are\n"
    'MAILTO=""\n'
    "0   5  1 1 *   /bin/true --yearly   > /dev/null 2>&1 # new year backup\n"
    '30 4 1 1 * /bin/echo "$(date +\\%Y)" > /dev/null\n'
)


def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["crontab", *args], input=stdin, capture_output=True, text=True)


class UserCrontab:
    """The test user's crontab, read and written with the `crontab` command."""

    def read(self) -> str:
        out = _crontab("-l")
        return out.stdout if out.returncode == 0 else ""

    def write(self, text: str) -> None:
        out = _crontab("-", stdin=text)
        assert out.returncode == 0, out.stderr

    def dagster_lines(self) -> list[str]:
        return [line for line in self.read().splitlines() if "dagster-schedule:" in line]

    def assert_foreign_lines_kept(self) -> None:
        """The user's lines are all there, byte for byte and in order, whatever dagster did."""
        assert FOREIGN_LINES in self.read()


@pytest.fixture(scope="session")
def crontab_command() -> None:
    """The `crontab` command; when missing, fails the test under CI=true, else skips it."""
    if shutil.which("crontab") is None:
        reason = "no `crontab` command: `make test` installs it (apt-get install cron)"
        missing_service(reason)


@pytest.fixture(scope="session")
def cron_daemon(crontab_command: None) -> None:
    """A running cron daemon; when there is none, fails the test under CI=true, else skips it."""
    if cron_daemon_running() is not True:
        reason = "no cron daemon is running: `make test` starts one (as root: `cron`)"
        missing_service(reason)


@pytest.fixture
def user_crontab(crontab_command: None) -> Iterator[UserCrontab]:
    """The user's crontab holding FOREIGN_LINES after whatever it held; restored exactly after."""
    saved = _crontab("-l")
    crontab = UserCrontab()
    before = saved.stdout if saved.returncode == 0 else ""
    crontab.write(before + ("\n" if before and not before.endswith("\n") else "") + FOREIGN_LINES)
    try:
        yield crontab
    finally:
        if saved.returncode == 0:
            crontab.write(saved.stdout)
        else:
            _crontab("-r")
        assert _crontab("-l").stdout == saved.stdout
