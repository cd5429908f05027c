"""SystemCronScheduler: schedules fired by the system's cron, one crontab line per running schedule.

Each line runs a script generated under `$DAGSTER_HOME/schedules/scripts` that sets DAGSTER_HOME
(and the variables dagster.yaml reads with `{env: NAME}`) and calls `dagster schedule run NAME`
by absolute path, since cron runs jobs with a minimal environment; the output of each firing goes
to `$DAGSTER_HOME/schedules/logs/NAME/`. Lines are marked with a comment naming the schedule and
the instance. python-crontab renders and recognizes the marked lines; every other line of the
user's crontab is written back exactly as read (python-crontab's rendering of a whole crontab
would reformat them: it collapses spaces, rewrites `%` and comments out lines it cannot parse).
"""

from __future__ import annotations

import fcntl
import glob
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from crontab import CronTab

from dagster_core.scheduler import (
    DagsterSchedulerError,
    Scheduler,
    instance_home,
    launch_command,
    schedules_directory,
)
from dagster_core.storage.schedules import Schedule

if TYPE_CHECKING:
    from dagster_core.instance import DagsterInstance

MARKER = "dagster-schedule:"
LOG_FILE_NAME = "$(date +%Y%m%d-%H%M%S).log"  # one file per firing, named by its start time

Lines = dict[str, str]  # our crontab lines of one instance, by their marker comment


class SystemCronScheduler(Scheduler):
    """Installs running schedules in the current user's crontab; needs `crontab` and a cron
    daemon (Debian/Ubuntu: `apt-get install cron`)."""

    def check_available(self) -> None:
        if shutil.which("crontab") is None:
            raise DagsterSchedulerError(
                "SystemCronScheduler needs the `crontab` command, which is not installed: install "
                "cron (Debian/Ubuntu: `apt-get install cron`, then start the daemon with `cron`), "
                "or set another `scheduler:` in $DAGSTER_HOME/dagster.yaml"
            )

    def warnings(self) -> list[str]:
        if cron_daemon_running() is False:
            return [
                "no cron daemon is running on this machine, so schedules will not fire until "
                "one is started (as root: `cron`, or `service cron start`)"
            ]
        return []

    def start_schedule(self, instance: DagsterInstance, schedule: Schedule) -> None:
        log_dir = self.logs_directory(instance, schedule.name)
        script = _write_script(_script_text(instance, schedule, log_dir), instance, schedule.name)
        marker = _marker(instance, schedule.name)
        job = CronTab(tab="").new(command=shlex.quote(script), comment=marker)
        job.setall(schedule.cron_schedule)
        line = job.render()
        _edit_crontab(instance, lambda ours: {**ours, marker: line})

    def stop_schedule(self, instance: DagsterInstance, schedule_name: str) -> None:
        marker = _marker(instance, schedule_name)
        _edit_crontab(instance, lambda ours: {m: ln for m, ln in ours.items() if m != marker})
        script = _script_path(instance, schedule_name)
        if os.path.exists(script):
            os.remove(script)

    def wipe(self, instance: DagsterInstance) -> None:
        _edit_crontab(instance, lambda ours: {})
        shutil.rmtree(os.path.join(schedules_directory(instance), "scripts"), ignore_errors=True)


def _home(instance: DagsterInstance) -> str:
    home = instance_home(instance)
    if "#" in home or "\n" in home:
        raise DagsterSchedulerError(
            f"DAGSTER_HOME {home!r} contains '#' or a newline, which a crontab line cannot "
            "hold: use another directory"
        )
    return home


def _marker(instance: DagsterInstance, schedule_name: str) -> str:
    """`dagster-schedule:NAME@HOME` (schedule names hold no '@')."""
    return f"{MARKER}{schedule_name}@{_home(instance)}"


def _is_marker_of(comment: str | None, home: str) -> bool:
    return (
        comment is not None
        and comment.startswith(MARKER)
        and comment[len(MARKER) :].partition("@")[2] == home
    )


def _script_path(instance: DagsterInstance, schedule_name: str) -> str:
    return os.path.join(schedules_directory(instance), "scripts", f"{schedule_name}.sh")


def _script_text(instance: DagsterInstance, schedule: Schedule, log_dir: str) -> str:
    """A POSIX shell script that runs one firing of the schedule, its output in `log_dir`."""
    quote = shlex.quote
    exports = {"DAGSTER_HOME": _home(instance)}
    for name in sorted(instance.environment_variable_names()):
        if name in os.environ:
            exports[name] = os.environ[name]
    lines = [
        "#!/bin/sh",
        f"# Written by `dagster schedule` for schedule '{schedule.name}'; cron runs it at every",
        "# fire time. `dagster schedule up` or `start` writes it again.",
        *(f"export {name}={quote(value)}" for name, value in exports.items()),
    ]
    if schedule.python_file:
        lines.append(f"cd {quote(os.path.dirname(schedule.python_file))} || exit 1")
    lines += [
        f"log_dir={quote(log_dir)}",
        'mkdir -p "$log_dir"',
        f'exec {shlex.join(launch_command(schedule))} >> "$log_dir/{LOG_FILE_NAME}" 2>&1',
    ]
    return "\n".join(lines) + "\n"


def _write_script(text: str, instance: DagsterInstance, schedule_name: str) -> str:
    """Write the schedule's script (readable by its owner only: it may hold secrets); its path."""
    path = _script_path(instance, schedule_name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.chmod(temporary, 0o700)
    os.replace(temporary, path)
    return path


@contextmanager
def _crontab_lock() -> Iterator[None]:
    """Serialize this user's crontab edits across processes (read, change, write back)."""
    path = os.path.join(tempfile.gettempdir(), f"dagster-crontab-{os.getuid()}.lock")
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _read_crontab() -> str:
    out = _crontab("-l")
    if out.returncode != 0:
        if "no crontab for" in out.stderr:
            return ""
        raise DagsterSchedulerError(f"`crontab -l` failed: {out.stderr.strip()}")
    return out.stdout


def _write_crontab(text: str) -> None:
    out = _crontab("-", stdin=text)
    if out.returncode != 0:
        raise DagsterSchedulerError(f"crontab refused the new crontab: {out.stderr.strip()}")


def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["crontab", *args], input=stdin, capture_output=True, text=True)


def _job_comment(line: str) -> str | None:
    """The comment of a crontab job line as cron reads it (via python-crontab); else None."""
    if MARKER not in line:  # leave the user's lines to cron: python-crontab logs what it can't read
        return None
    jobs = list(CronTab(tab=line))
    return jobs[0].comment if jobs else None


def _edit_crontab(instance: DagsterInstance, change: Callable[[Lines], Lines]) -> None:
    """Replace this instance's lines with `change(them)`, keeping every other line as it was."""
    home = _home(instance)
    with _crontab_lock():
        kept, ours = [], {}
        for line in _read_crontab().splitlines():
            comment = _job_comment(line)
            if _is_marker_of(comment, home):
                ours[comment] = line
            else:
                kept.append(line)
        new = change(ours)
        if new != ours:
            _write_crontab("".join(f"{line}\n" for line in [*kept, *new.values()]))


def cron_daemon_running() -> bool | None:
    """Whether a process named cron or crond runs here; None where /proc cannot tell."""
    if not os.path.isdir("/proc"):
        return None
    for path in glob.glob("/proc/[0-9]*/comm"):
        try:
            with open(path) as comm:
                if comm.read().strip() in ("cron", "crond"):
                    return True
        except OSError:
            continue  # the process ended while we looked
    return False
