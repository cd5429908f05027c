"""The Scheduler interface: what makes the instance's RUNNING schedules fire.

`dagster schedule` commands keep each schedule's state in the instance's schedule storage and ask
the instance's scheduler to install or remove the schedule's trigger. At every fire time the
trigger runs `launch_command(schedule)` (`dagster schedule run NAME -f FILE [-n FN]`) with DAGSTER_HOME set
to the instance's home; that command loads the code, evaluates the schedule for the fire time and
runs the pipeline. `dagster_core.scheduler.cron.SystemCronScheduler` is the implementation that
uses the system's cron; another backend implements the same four methods.
"""

from __future__ import annotations

import os
import shutil
import sys
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from dagster_core.config.configurable import ConfigurableClass
from dagster_core.errors import DagsterError
from dagster_core.storage.schedules import Schedule

if TYPE_CHECKING:
    from dagster_core.instance import DagsterInstance


class DagsterSchedulerError(DagsterError):
    """The scheduler cannot work here (a missing program, an instance without a home)."""


class Scheduler(ABC, ConfigurableClass):
    """Installs and removes the triggers of schedules; keeps no state of its own beyond them."""

    def check_available(self) -> None:
        """Raise DagsterSchedulerError, saying what to install, if this machine cannot run this
        scheduler. Called before any schedule is changed."""

    def warnings(self) -> list[str]:
        """What will keep schedules from firing here (say, a stopped daemon): shown to the user,
        never fatal."""
        return []

    @abstractmethod
    def start_schedule(self, instance: DagsterInstance, schedule: Schedule) -> None:
        """Make `schedule` fire on its cron schedule from now on, replacing any trigger it had."""

    @abstractmethod
    def stop_schedule(self, instance: DagsterInstance, schedule_name: str) -> None:
        """Remove the schedule's trigger; nothing happens if it has none."""

    @abstractmethod
    def wipe(self, instance: DagsterInstance) -> None:
        """Remove the trigger of every schedule of this instance, known to its storage or not."""

    def logs_directory(self, instance: DagsterInstance, schedule_name: str) -> str:
        """Where the output of the schedule's firings goes, one file per firing."""
        return os.path.join(schedules_directory(instance), "logs", schedule_name)


def instance_home(instance: DagsterInstance) -> str:
    """The instance's DAGSTER_HOME, which a trigger sets to reach the same instance."""
    if instance.home is None:
        raise DagsterSchedulerError(
            "Schedules need an instance that outlives this process: set DAGSTER_HOME to a "
            "directory (the instance's home)"
        )
    return instance.home


def schedules_directory(instance: DagsterInstance) -> str:
    """`$DAGSTER_HOME/schedules`: the scripts and logs of the instance's schedules."""
    return os.path.join(instance_home(instance), "schedules")


def dagster_executable() -> str:
    """The absolute path of the `dagster` command of this Python environment."""
    beside_python = os.path.join(os.path.dirname(sys.executable), "dagster")
    found = beside_python if os.path.exists(beside_python) else shutil.which("dagster")
    if found is None:
        raise DagsterSchedulerError(
            f"Cannot find the `dagster` command next to {sys.executable} or on PATH: install "
            "this package into the environment that runs the schedules (pip install -e .)"
        )
    return os.path.abspath(found)


def launch_command(schedule: Schedule) -> list[str]:
    """The command line that runs one firing of `schedule` (DAGSTER_HOME must be set)."""
    source = (
        ["-f", schedule.python_file] if schedule.python_file else ["-m", schedule.module_name or ""]
    )
    if schedule.fn_name:
        source += ["-n", schedule.fn_name]
    return [dagster_executable(), "schedule", "run", schedule.name, *source]
