"""The driver (`dagster pipeline execute`) SIGKILLed mid-run: every event the steps wrote is kept,
the run is marked FAILURE naming the dead process, and nothing of the run is left running."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap

import psutil
import psycopg2
import pytest
from distributed import Client
from sqlalchemy import make_url
from waiting import wait_until

from dagster_core import DagsterEventType, DagsterInstance, PipelineRunStatus

E = DagsterEventType
DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")
SLOW_LOG_LINE = "slow step is waiting for its release file"
LOG_FLUSH_WAIT = 15  # seconds; a step's log line is due in the log within 0.05 s

# Every solid leaves a file named `<solid>-<pid>` under pids/; `slow` logs a line and then
# waits for a release file that the test creates only at the end (bounded by its own timeout).
CODE = textwrap.dedent(
    """
    import os, time
    from dagster_core import ModeDefinition, default_executors, lambda_solid, pipeline, solid
    from dagster_dask import dask_executor

    DIR = "@DIR@"

    @lambda_solid
    def fast_a():
        open(os.path.join(DIR, "pids", f"fast_a-{os.getpid()}"), "w").close()
        return 1

    @lambda_solid
    def fast_b(x):
        open(os.path.join(DIR, "pids", f"fast_b-{os.getpid()}"), "w").close()
        return x + 1

    @lambda_solid
    def fast_c():
        open(os.path.join(DIR, "pids", f"fast_c-{os.getpid()}"), "w").close()
        return 3

    @solid
    def slow(context, x):
        open(os.path.join(DIR, "pids", f"slow-{os.getpid()}"), "w").close()
        context.log.info("@LINE@")
        open(os.path.join(DIR, "logged"), "w").close()
        deadline = time.monotonic() + 240
        while not os.path.exists(os.path.join(DIR, "release")):
            if time.monotonic() > deadline:
                raise RuntimeError("never released")
            time.sleep(0.05)
        return x + 1

    @lambda_solid
    def after(x):
        open(os.path.join(DIR, "pids", f"after-{os.getpid()}"), "w").close()
        return x

    @pipeline(mode_defs=[ModeDefinition(executor_defs=[*default_executors, dask_executor])])
    def killed():
        fast_c()
        after(slow(fast_b(fast_a())))
    """
)
FAST_STEPS = ("fast_a.compute", "fast_b.compute", "fast_c.compute")


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for a parent to reap it."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _dagster(env, cwd, *args) -> str:
    out = subprocess.run(
        [DAGSTER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


class KilledRun:
    """A `dagster pipeline execute` of the `killed` pipeline, SIGKILLed once the slow step has
    started and flushed its log line."""

    def __init__(self, tmp_path, env: dict, execution_yaml: str):
        self.tmp_path = tmp_path
        self.pids = tmp_path / "pids"
        self.pids.mkdir()
        self.release = tmp_path / "release"
        (tmp_path / "code.py").write_text(
            CODE.replace("@DIR@", str(tmp_path)).replace("@LINE@", SLOW_LOG_LINE)
        )
        (tmp_path / "run.yaml").write_text(
            execution_yaml + f"storage: {{filesystem: {{base_dir: {tmp_path / 'data'}}}}}\n"
        )
        self.env = env
        self.driver: subprocess.Popen | None = None
        self.output = tmp_path / "driver.log"

    def start(self) -> None:
        with open(self.output, "w") as out:
            self.driver = subprocess.Popen(
                [DAGSTER, "pipeline", "execute", "-f", "code.py", "-e", "run.yaml"],
                cwd=self.tmp_path,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def driver_output(self) -> str:
        return self.output.read_text()

    def wait_for_slow_step(self, instance: DagsterInstance, timeout: float) -> str:
        """The run's id, once the fast steps' STEP_SUCCESS and the slow step's STEP_START are in
        the event log and the slow step has logged its line (and, within LOG_FLUSH_WAIT, that line is in the log too: if it never
        gets there, the test goes on and `check_events_kept` reports it)."""
        found = {}

        def events() -> list:
            assert self.driver.poll() is None, (
                f"the driver exited ({self.driver.returncode}) before the slow step logged:\n"
                + self.driver_output()
            )
            runs = instance.get_runs()
            if not runs:
                return []
            (run,) = runs
            found["run_id"] = run.run_id
            return instance.all_logs(run.run_id)

        def slow_step_started_after_the_fast_steps() -> bool:
            stored = events()
            started = any(
                e.event_type is E.STEP_START and e.step_key == "slow.compute" for e in stored
            )
            # fast_c depends on nothing, so an executor may run it after slow has started
            done = {e.step_key for e in stored if e.event_type is E.STEP_SUCCESS}
            return started and done >= set(FAST_STEPS) and (self.tmp_path / "logged").exists()

        wait_until(
            slow_step_started_after_the_fast_steps,
            timeout,
            "the fast steps to succeed and the slow step to start and log its line",
        )
        with contextlib.suppress(TimeoutError):
            wait_until(
                lambda: any(_is_slow_line(e) for e in events()),
                LOG_FLUSH_WAIT,
                "the slow step's log line to be stored",
            )
        return found["run_id"]

    def kill_driver(self) -> int:
        pid = self.driver.pid
        os.kill(pid, signal.SIGKILL)
        self.driver.wait(timeout=60)
        assert self.driver.returncode == -signal.SIGKILL
        return pid

    def step_pids(self, solid: str | None = None) -> list[int]:
        return [
            int(path.name.rsplit("-", 1)[1])
            for path in self.pids.iterdir()
            if solid is None or path.name.rsplit("-", 1)[0] == solid
        ]

    def stop(self) -> None:
        """Release the slow step wherever it still runs; end the driver if a failed test left it."""
        self.release.touch()
        if self.driver is not None and self.driver.poll() is None:
            self.driver.kill()
            self.driver.wait(timeout=60)


def _is_slow_line(event) -> bool:
    return event.event_type is E.LOG_MESSAGE and event.message == SLOW_LOG_LINE


def _key(event) -> tuple:
    return (event.event_type, event.step_key, event.attempt, event.message, event.timestamp)


def check_events_kept(instance, run_id, before_kill, events=None) -> None:
    """Every event stored before the kill is still stored, and the steps' own events are there
    (in `events`, what the log held while the slow step was still running, if given)."""
    events = instance.all_logs(run_id) if events is None else events
    stored = {_key(e) for e in events}
    assert [e for e in before_kill if _key(e) not in stored] == []
    successes = [e.step_key for e in events if e.event_type is E.STEP_SUCCESS]
    for key in FAST_STEPS:
        assert successes.count(key) == 1, f"{key}: {successes}"
    assert [e.step_key for e in events if e.event_type is E.STEP_START].count("slow.compute") == 1
    assert not [e for e in events if e.step_key == "after.compute"]
    # the line the slow step logged (through context.log) before the driver died
    lines = [e for e in events if _is_slow_line(e)]
    assert [e.step_key for e in lines] == ["slow.compute"], (
        "the line the slow step logged through context.log is not in the event log while "
        "the step still runs: "
        + "; ".join(f"{e.event_type.value} {e.step_key or ''}" for e in events)
    )


def check_marked_failure(instance, env, cwd, run_id, driver_pid) -> None:
    """`dagster run list` (another process) shows the run FAILURE, `run show` says why."""
    listing = [line for line in _dagster(env, cwd, "run", "list").splitlines() if run_id in line]
    assert len(listing) == 1 and "FAILURE" in listing[0], listing
    shown = _dagster(env, cwd, "run", "show", run_id)
    assert "Status:   FAILURE" in shown, shown
    assert f"pid {driver_pid}" in shown and "is gone" in shown, shown
    assert "RUNNING" not in shown and "INTERRUPTED" in shown, shown  # no step left "running"
    run = instance.get_run_by_id(run_id)
    assert run.status is PipelineRunStatus.FAILURE
    assert f"pid {driver_pid}" in run.status_message


def wait_until_gone(pids: list[int], timeout: float, what: str) -> None:
    assert pids
    wait_until(
        lambda: not [pid for pid in pids if _running(pid)],
        timeout,
        f"{what} ({[pid for pid in pids if _running(pid)]} still running)",
    )


def sqlite_env(tmp_path) -> tuple[dict, DagsterInstance]:
    home = tmp_path / "home"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return env, DagsterInstance.from_home(str(home))  # schema made before the driver starts


@pytest.mark.slow
@pytest.mark.parametrize(
    ("execution", "timeout", "processes"),
    [
        pytest.param(
            "{multiprocess: {max_concurrent: 2}}",
            120,
            "the run's child processes",
            id="multiprocess",
        ),
        # the LocalCluster's worker processes were the driver's: none is left running a step
        pytest.param(
            "{dask: {cluster: {local: {n_workers: 2, threads_per_worker: 1}}}}",
            180,
            "the driver's Dask worker processes",
            id="dask-local-cluster",
        ),
    ],
)
def test_driver_killed_with_a_sqlite_instance(tmp_path, execution, timeout, processes):
    env, instance = sqlite_env(tmp_path)
    run = KilledRun(tmp_path, env, f"execution: {execution}\n")
    try:
        run.start()
        run_id = run.wait_for_slow_step(instance, timeout=timeout)
        before_kill = instance.all_logs(run_id)
        driver_pid = run.kill_driver()

        # the processes that ran steps (found by the pids their steps wrote) do not outlive
        # their driver
        step_processes = sorted(set(run.step_pids()))
        assert run.step_pids("slow") and driver_pid not in step_processes
        wait_until_gone(step_processes, 60, f"{processes} to end")

        check_marked_failure(instance, env, tmp_path, run_id, driver_pid)
        assert run.step_pids("after") == []
        check_events_kept(instance, run_id, before_kill)
    finally:
        run.stop()
        instance.dispose()


def _own_ports() -> set[int]:
    """Local ports of this process's TCP connections (its own database connections)."""
    return {c.laddr.port for c in psutil.Process().net_connections(kind="tcp") if c.laddr}


def _other_connections(admin_url: str, database: str) -> int:
    """Connections to `database` from processes other than this one."""
    ports = _own_ports()
    connection = psycopg2.connect(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT client_port FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )
            return sum(1 for (port,) in cursor.fetchall() if port not in ports)
    finally:
        connection.close()


def _run_tasks_on_scheduler(client: Client, run_id: str) -> dict:
    """The scheduler's tasks of the run, and those its workers are processing."""

    def tasks(dask_scheduler, run_id=run_id):
        return sorted(str(k) for k in dask_scheduler.tasks if run_id in str(k))

    processing = sorted(
        str(k) for keys in client.processing().values() for k in keys if run_id in str(k)
    )
    held = sorted(str(k) for keys in client.has_what().values() for k in keys if run_id in str(k))
    return {"tasks": client.run_on_scheduler(tasks), "processing": processing, "held": held}


@pytest.mark.slow
def test_dask_remote_cluster_driver_killed_with_a_postgres_instance(
    remote_cluster, postgres_home, fresh_postgres_url, postgres_admin_url, tmp_path
):
    home = postgres_home
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    instance = DagsterInstance.from_home(str(home))  # tables made before the driver starts
    database = make_url(fresh_postgres_url).database
    connections_before = _other_connections(postgres_admin_url, database)
    worker_pids = [p.pid for p in remote_cluster.processes[1:]]

    run = KilledRun(
        tmp_path,
        env,
        f"execution: {{dask: {{cluster: {{existing: {{address: '{remote_cluster.address}'}}}}}}}}\n",
    )
    client = Client(remote_cluster.address, set_as_default=False)
    try:
        run.start()
        run_id = run.wait_for_slow_step(instance, timeout=120)
        before_kill = instance.all_logs(run_id)
        # the driver and the workers running the run's steps hold connections of their own
        assert _other_connections(postgres_admin_url, database) > connections_before
        driver_pid = run.kill_driver()

        check_marked_failure(instance, env, tmp_path, run_id, driver_pid)
        while_slow_runs = instance.all_logs(run_id)
        # let the slow step end: a running Dask task cannot be interrupted
        run.release.touch()
        wait_until(
            lambda: (
                _run_tasks_on_scheduler(client, run_id)
                == {"tasks": [], "processing": [], "held": []}
            ),
            60,
            "the scheduler to drop every task of the killed run "
            f"(still: {_run_tasks_on_scheduler(client, run_id)})",
        )
        # the workers release the run: its sessions' database connections are closed
        wait_until(
            lambda: _other_connections(postgres_admin_url, database) == connections_before,
            60,
            f"the connections to {database} to return to {connections_before}",
        )
        assert run.step_pids("after") == []
        # the shared cluster is not harmed: both workers still serve
        assert all(_running(pid) for pid in worker_pids)
        assert remote_cluster.worker_names() == {"gpu-worker", "cpu-worker"}
        assert instance.get_run_by_id(run_id).status is PipelineRunStatus.FAILURE
        final = {_key(e) for e in instance.all_logs(run_id)}
        assert [e for e in while_slow_runs if _key(e) not in final] == []
        check_events_kept(instance, run_id, before_kill, while_slow_runs)
    finally:
        run.stop()
        client.close()
        instance.dispose()
