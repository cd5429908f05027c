"""A pipeline file's code on processes that have no copy of it: `dask worker`s started elsewhere
(their own directory, no PYTHONPATH), a worker with an outdated copy on its path, and spawned
multiprocess children. The file, and the modules beside it, go by value (dagster_core.user_code)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from storage_backends.filesystem import FilesystemIntermediateStore

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")

# helperjob.py: a solid calls a module-level helper and makes an instance of a module-level class,
# which travels to the next step (its type check is an isinstance); that step calls a sibling
# module and a sibling package. Every piece says its VERSION, so stale code shows in the output.
_HELPERJOB = """
import os

import siblinghelpers
from dagster_core import (DagsterType, InputDefinition, ModeDefinition, OutputDefinition,
    ScheduleDefinition, default_executors, lambda_solid, pipeline, schedules)
from dagster_dask import dask_executor
from siblingpkg.fmt import bracket

import yaml

VERSION = {version}


class Box:
    def __init__(self, content):
        self.content = content

    def label(self):
        return f"box v{{VERSION}} of {{self.content}}"


BoxType = DagsterType("Box", lambda value: isinstance(value, Box))


def helper(text):
    return f"helper v{{VERSION}}: {{text}}"


@lambda_solid(output_def=OutputDefinition(BoxType))
def packed():
    return Box(helper("x"))


@lambda_solid(input_defs=[InputDefinition("box", BoxType)])
def unpacked(box):
    return " | ".join([box.label(), siblinghelpers.shout(box.content), bracket(box.content)])


@pipeline(mode_defs=[ModeDefinition(executor_defs=[*default_executors, dask_executor])])
def helperjob():
    unpacked(packed())


@schedules
def define_schedules():
    with open(os.path.join(os.path.dirname(__file__), "run.yaml")) as f:
        config = yaml.safe_load(f)
    return [ScheduleDefinition("often", "* * * * *", "helperjob", environment_dict=config)]
"""

_SIBLING_MODULE = """
def shout(text):
    return f"sibling v{version}: {{text}}".upper()
"""

_SIBLING_PACKAGE_FMT = """
def bracket(text):
    return f"[package v{version}: {{text}}]"
"""

# A user script that imports its pipeline from the module beside it and runs it (the Python API).
_SCRIPT = """
import sys

import yaml
from dagster_core import DagsterInstance, execute_pipeline
from helperjob import helperjob

with open(sys.argv[1]) as f:
    result = execute_pipeline(helperjob, yaml.safe_load(f), instance=DagsterInstance.get())
print(f"Run {result.run_id} {'SUCCESS' if result.success else 'FAILURE'}")
"""


def write_code(directory: Path, version: int) -> Path:
    """helperjob.py, its sibling module and package and run.py, at `version`; helperjob's path."""
    (directory / "siblingpkg").mkdir(parents=True, exist_ok=True)
    (directory / "siblingpkg" / "__init__.py").write_text("")
    (directory / "siblingpkg" / "fmt.py").write_text(_SIBLING_PACKAGE_FMT.format(version=version))
    (directory / "siblinghelpers.py").write_text(_SIBLING_MODULE.format(version=version))
    (directory / "run.py").write_text(_SCRIPT)
    job = directory / "helperjob.py"
    job.write_text(_HELPERJOB.format(version=version))
    return job


def expected_output(version: int, boxed_by: int | None = None) -> str:
    """What helperjob at `version` stores as its last step's output; given `boxed_by`, when it
    reads a Box stored by the code at that version (a re-executed step)."""
    helped = f"helper v{version if boxed_by is None else boxed_by}: x"
    return (
        f"box v{version} of {helped} | "
        f"{f'sibling v{version}: {helped}'.upper()} | [package v{version}: {helped}]"
    )


def dask_existing(address: str) -> dict:
    return {"dask": {"cluster": {"existing": {"address": address, "timeout": 10}}}}


@dataclass
class Workspace:
    """A user's directory: `code/` (helperjob.py, what sits beside it, its run.yaml), absolute
    `intermediates/`, and `home/`, a DAGSTER_HOME on PostgreSQL when given its URL."""

    root: Path
    postgres_url: str = ""

    def __post_init__(self) -> None:
        self.code, self.intermediates = self.root / "code", self.root / "intermediates"
        self.home = self.root / "home"
        self.home.mkdir()
        if self.postgres_url:
            spec = "{{module: storage_backends.postgres, class: Postgres{}Storage, config: {{postgres_url: {{env: DAGSTER_TEST_PG}}}}}}"
            (self.home / "dagster.yaml").write_text(
                f"run_storage: {spec.format('Run')}\nevent_log_storage: {spec.format('EventLog')}\n"
            )

    def write(self, version: int, execution: dict) -> Path:
        """The code at `version` and code/run.yaml running it with `execution`; the job's path."""
        config = {
            "execution": execution,
            "storage": {"filesystem": {"base_dir": str(self.intermediates)}},
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        }
        job = write_code(self.code, version)
        (self.code / "run.yaml").write_text(yaml.safe_dump(config))
        return job

    def run(self, *command: str, cwd: Path | None = None) -> str:
        """Run `command` as the user would, with DAGSTER_HOME; the run id it reports succeeding."""
        env = {**os.environ, "DAGSTER_HOME": str(self.home), "DAGSTER_TEST_PG": self.postgres_url}
        done = subprocess.run(
            command, cwd=cwd or self.root, env=env, capture_output=True, text=True
        )
        found = re.search(r"^Run (\S+) SUCCESS", done.stdout, re.MULTILINE)
        assert done.returncode == 0 and found, f"{command} failed:\n{done.stdout}\n{done.stderr}"
        return found.group(1)

    def execute(self) -> str:
        """`dagster pipeline execute -f code/helperjob.py -e code/run.yaml`; the run id."""
        job, config = self.code / "helperjob.py", self.code / "run.yaml"
        return self.run(DAGSTER, "pipeline", "execute", "-f", str(job), "-e", str(config))

    def reexecute_last_step(self, run_id: str) -> str:
        """`dagster pipeline reexecute RUN_ID --step-keys unpacked.compute`; the new run's id."""
        return self.run(DAGSTER, "pipeline", "reexecute", run_id, "--step-keys", "unpacked.compute")

    def output(self, run_id: str) -> str:
        """The run's stored output of its last step."""
        store = FilesystemIntermediateStore(str(self.intermediates))
        return store.get_output(run_id, "unpacked.compute", "result")


@pytest.fixture
def workspace(fresh_postgres_url, tmp_path) -> Workspace:
    return Workspace(tmp_path, fresh_postgres_url)


@pytest.mark.slow
def test_file_code_runs_on_workers_without_it_and_an_edit_takes_effect(
    cluster_elsewhere, workspace
):
    workspace.write(1, dask_existing(cluster_elsewhere.address))
    first = workspace.execute()
    assert workspace.output(first) == expected_output(1)

    workspace.write(2, dask_existing(cluster_elsewhere.address))
    second = workspace.execute()  # the same workers, still running, run the edited code
    assert workspace.output(second) == expected_output(2)
    assert workspace.output(first) == expected_output(1)

    # the Box the first run stored is read back as an instance of the edited Box
    again = workspace.reexecute_last_step(first)
    assert workspace.output(again) == expected_output(2, boxed_by=1)


@pytest.mark.slow
def test_a_worker_with_an_outdated_copy_on_its_path_runs_the_drivers_code(
    start_worker_elsewhere, workspace, tmp_path
):
    outdated = tmp_path / "outdated"
    write_code(outdated, 0)  # importable by the worker as helperjob, siblinghelpers, siblingpkg
    workspace.write(1, dask_existing(start_worker_elsewhere(outdated).address))
    assert workspace.output(workspace.execute()) == expected_output(1)


@pytest.mark.slow
def test_a_script_running_a_pipeline_from_the_module_beside_it(cluster_elsewhere, workspace):
    workspace.write(3, dask_existing(cluster_elsewhere.address))
    code = workspace.code
    run_id = workspace.run(sys.executable, str(code / "run.py"), str(code / "run.yaml"))
    assert workspace.output(run_id) == expected_output(3)


@pytest.mark.slow
def test_a_scheduled_run_of_a_file(cluster_elsewhere, workspace):
    job = workspace.write(4, dask_existing(cluster_elsewhere.address))
    # what the cron entry runs, from the file's directory
    run_id = workspace.run(DAGSTER, "schedule", "run", "often", "-f", str(job), cwd=workspace.code)
    assert workspace.output(run_id) == expected_output(4)


def test_multiprocess_children_run_a_files_code_and_re_execute_after_an_edit(tmp_path):
    workspace = Workspace(tmp_path)  # an instance on SQLite in its home
    workspace.write(5, {"multiprocess": {"max_concurrent": 2}})
    first = workspace.execute()
    assert workspace.output(first) == expected_output(5)

    workspace.write(6, {"multiprocess": {"max_concurrent": 2}})
    again = workspace.reexecute_last_step(first)
    assert workspace.output(again) == expected_output(6, boxed_by=5)
