"""`dagster run ...`, `dagster instance ...` and `dagster pipeline reexecute` on a local instance,
each in its own process, as a user runs them."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from dagster_core import DagsterInstance
from dagster_core.events import DagsterEvent, DagsterEventType

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")

CODE = textwrap.dedent(
    """
    import os, time
    from dagster_core import Field, String, lambda_solid, pipeline, solid

    @lambda_solid
    def first():
        print("first says hi")
        return 20

    @lambda_solid
    def second(x):
        return x + 1

    @pipeline
    def two_steps():
        second(first())

    @solid(config={"gate": Field(String)})
    def wait_for_gate(context):
        deadline = time.monotonic() + 60
        while not os.path.exists(context.solid_config["gate"]):
            if time.monotonic() > deadline:
                raise RuntimeError("gate never opened")
            time.sleep(0.05)

    @pipeline
    def gated():
        wait_for_gate()
    """
)


@pytest.fixture
def home(tmp_path):
    (tmp_path / "code.py").write_text(CODE)
    (tmp_path / "fs.yaml").write_text("storage: {filesystem: {}}\n")
    return tmp_path


def dagster(home, *args, check=True):
    out = subprocess.run(
        [DAGSTER, *args],
        cwd=home,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
    )
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


def run_ids(home):
    lines = dagster(home, "run", "list").stdout.splitlines()[1:]
    return [line.split()[0] for line in lines if line.strip()]


def test_history_is_visible_from_other_processes(home):
    dagster(home, "pipeline", "execute", "-f", "code.py", "-n", "two_steps", "-e", "fs.yaml")
    listing = dagster(home, "run", "list").stdout
    assert "two_steps" in listing and "SUCCESS" in listing
    (run_id,) = run_ids(home)

    show = dagster(home, "run", "show", run_id).stdout
    assert "Status:   SUCCESS" in show
    assert "first.compute" in show and "second.compute" in show and "attempts=1" in show

    logs = dagster(home, "run", "logs", run_id).stdout
    assert "PIPELINE_START" in logs and "PIPELINE_SUCCESS" in logs
    assert "first says hi" in dagster(home, "run", "logs", run_id, "--step", "first.compute").stdout
    nosuch = dagster(home, "run", "logs", run_id, "--step", "nosuch.compute", check=False)
    assert nosuch.returncode == 2
    assert "has no step 'nosuch.compute'; its steps: first.compute, second.compute" in nosuch.stderr

    redo = dagster(home, "pipeline", "reexecute", run_id, "--step-keys", "second.compute")
    assert "[1/1 steps] second.compute success" in redo.stderr
    assert len(run_ids(home)) == 2
    assert "SUCCESS" in dagster(home, "run", "list", "--status", "success").stdout

    assert dagster(home, "run", "show", "no-such-run", check=False).returncode == 2
    dagster(home, "run", "wipe", "--yes")
    assert run_ids(home) == []


def test_wipe_refuses_while_runs_are_running_unless_forced(home):
    instance = DagsterInstance.from_home(str(home))
    started, canceling = instance.create_run("gated"), instance.create_run("gated")
    instance.store_events(
        [
            DagsterEvent(DagsterEventType.PIPELINE_START, r.run_id, "gated")
            for r in (started, canceling)
        ]
    )
    assert instance.terminate_run(canceling.run_id)
    # Their driver is this live process, so other processes see them STARTED and CANCELING.
    refused = dagster(home, "run", "wipe", "--yes", check=False)
    assert refused.returncode == 2
    assert f"{started.run_id} (gated, STARTED)" in refused.stderr
    assert (
        f"{canceling.run_id} (gated, CANCELING)" in refused.stderr and "--force" in refused.stderr
    )
    assert sorted(run_ids(home)) == sorted([started.run_id, canceling.run_id])
    dagster(home, "run", "wipe", "--yes", "--force")
    assert run_ids(home) == []
    instance.dispose()


def start_gated_run(home, gate):
    """The `gated` pipeline running in a `dagster pipeline execute` process until `gate` exists;
    the process and the run's id, once `dagster run list` shows it."""
    (home / "gated.yaml").write_text(f"solids: {{wait_for_gate: {{config: {{gate: {gate}}}}}}}\n")
    runner = subprocess.Popen(
        [DAGSTER, "pipeline", "execute", "-f", "code.py", "-n", "gated", "-e", "gated.yaml"],
        cwd=home,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not run_ids(home):
        if time.monotonic() > deadline:
            runner.kill()
            raise AssertionError("the run never appeared in `dagster run list`")
        time.sleep(0.1)
    (run_id,) = run_ids(home)
    return runner, run_id


def test_logs_follow_shows_events_until_the_run_ends(home):
    gate = home / "gate"
    runner, run_id = start_gated_run(home, gate)
    try:
        follower = subprocess.Popen(
            [DAGSTER, "run", "logs", run_id, "--follow", "--timeout", "60"],
            cwd=home,
            env={**os.environ, "DAGSTER_HOME": str(home)},
            stdout=subprocess.PIPE,
            text=True,
        )
        gate.write_text("open")
        out, _ = follower.communicate(timeout=90)
        assert follower.returncode == 0
        assert "STEP_START" in out and "PIPELINE_SUCCESS" in out
        assert runner.wait(timeout=60) == 0
    finally:
        if runner.poll() is None:
            runner.kill()


def test_logs_follow_ends_when_the_driver_dies(home):
    runner, run_id = start_gated_run(home, home / "never")
    try:
        deadline = time.monotonic() + 60
        while "STEP_START" not in (out := dagster(home, "run", "logs", run_id).stdout):
            assert runner.poll() is None, "the run ended by itself"
            assert time.monotonic() < deadline, f"the step never started: {out}"
            time.sleep(0.1)
        follower = subprocess.Popen(
            [DAGSTER, "run", "logs", run_id, "--follow"],
            cwd=home,
            env={**os.environ, "DAGSTER_HOME": str(home)},
            stdout=subprocess.PIPE,
            text=True,
        )
        runner.kill()
        runner.wait(timeout=60)
        out, _ = follower.communicate(timeout=120)  # bounds a hang; it ends within seconds
        assert follower.returncode == 0
        assert "PIPELINE_FAILURE" in out and f"pid {runner.pid}" in out
    finally:
        if runner.poll() is None:
            runner.kill()


def test_instance_migrate_reports_schema_versions(home):
    out = dagster(home, "instance", "migrate").stdout
    assert "run storage: SqliteRunStorage" in out and "event log: SqliteEventLogStorage" in out
