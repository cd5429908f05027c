"""Canceling a run on real `dask scheduler` / `dask worker` processes with a PostgreSQL instance:
steps keep their resources until they end, nothing succeeds after the cancel, nothing leaks."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg2
import pytest
from sqlalchemy import make_url
from waiting import wait_until

from dagster_core import DagsterEventType, DagsterInstance, PipelineRunStatus

E = DagsterEventType
DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")

CODE = """
import os, time
from dagster_core import Field, ModeDefinition, String, default_executors, pipeline, resource, solid
from dagster_dask import dask_executor

class Connection:
    closed = False

@resource
def conn(_):
    connection = Connection()
    yield connection
    connection.closed = True

@solid(config={"dir": Field(String)}, required_resource_keys={"conn"})
def block(context):
    directory = context.solid_config["dir"]
    open(os.path.join(directory, "started"), "w").close()
    deadline = time.monotonic() + 120
    # a running Dask task cannot be interrupted: the test releases it once the run is canceled
    while time.monotonic() < deadline and not os.path.exists(os.path.join(directory, "release")):
        time.sleep(0.05)
    with open(os.path.join(directory, "closed-inside"), "w") as f:
        f.write(str(context.resources.conn.closed))

@solid
def after(context, x):
    return x

@pipeline(mode_defs=[ModeDefinition(resource_defs={"conn": conn},
                                    executor_defs=[*default_executors, dask_executor])])
def blocking():
    after(block())
"""


def _connections(url: str) -> int:
    database = make_url(url).database
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
        return cursor.fetchone()[0]


@pytest.mark.slow
def test_three_canceled_runs_keep_resources_under_their_steps_and_leak_nothing(
    remote_cluster, postgres_home, fresh_postgres_url, tmp_path
):
    home = postgres_home
    (tmp_path / "code.py").write_text(CODE)
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    instance = DagsterInstance.from_home(str(home))  # creates the tables before counting
    before = _connections(fresh_postgres_url)
    for attempt in range(3):
        work = tmp_path / f"run-{attempt}"
        work.mkdir()
        (work / "run.yaml").write_text(
            f"solids: {{block: {{config: {{dir: {work}}}}}}}\n"
            f"execution: {{dask: {{cluster: {{existing: {{address: '{remote_cluster.address}'}}}}}}}}\n"
            f"storage: {{filesystem: {{base_dir: {tmp_path / 'data'}}}}}\n"
        )
        driver = subprocess.Popen(
            [DAGSTER, "pipeline", "execute", "-f", str(tmp_path / "code.py"), "-e", "run.yaml"],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_until(
                lambda work=work, driver=driver: (
                    (work / "started").exists() or driver.poll() is not None
                ),
                90,
                "the step to start",
            )
            assert driver.poll() is None, driver.communicate()[0]
            run = instance.get_runs()[0]
            terminate = subprocess.run(
                [DAGSTER, "run", "terminate", run.run_id], env=env, capture_output=True, text=True
            )
            assert terminate.returncode == 0, terminate.stderr
            output, _ = driver.communicate(timeout=120)  # bounds a hang
            assert driver.returncode == 1, output
        finally:
            (work / "release").touch()
            if driver.poll() is None:
                driver.kill()
        wait_until(lambda work=work: (work / "closed-inside").exists(), 60, "the step to end")
        assert (work / "closed-inside").read_text() == "False"  # resources outlive the step

        assert instance.get_run_by_id(run.run_id).status is PipelineRunStatus.CANCELED
        wait_until(
            lambda run=run: any(
                e.event_type is E.ENGINE_EVENT and "after the run was canceled" in e.message
                for e in instance.all_logs(run.run_id)
            ),
            60,
            "the late end of the step to be recorded",
        )
        events = instance.all_logs(run.run_id)
        assert not [e for e in events if e.event_type is E.STEP_SUCCESS]
        stats = {s.step_key: s.status for s in instance.event_storage.get_step_stats(run.run_id)}
        assert stats == {"block.compute": "FAILURE"}
        show = subprocess.run(
            [DAGSTER, "run", "show", run.run_id], env=env, capture_output=True, text=True
        )
        assert "block.compute" in show.stdout and "SUCCESS" not in show.stdout
    instance.dispose()
    wait_until(
        lambda: _connections(fresh_postgres_url) <= before, 60, "workers to release the runs"
    )
