"""Dask clusters for the executor tests: a LocalCluster, and real `dask scheduler` / `dask worker`
processes started on 127.0.0.1 and ended by PID."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from waiting import wait_until

DASK = os.path.join(os.path.dirname(sys.executable), "dask")


@pytest.fixture(scope="session")
def local_cluster() -> Iterator[str]:
    """A warm 2-worker LocalCluster (processes, 1 thread each); its scheduler address."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


@dataclass
class RemoteCluster:
    address: str
    processes: list[subprocess.Popen]

    def worker_names(self) -> set[str]:
        with Client(self.address, set_as_default=False) as client:
            return {w["name"] for w in client.scheduler_info(n_workers=-1)["workers"].values()}


@dataclass(frozen=True)
class _WorkerSpec:
    """One `dask worker` process: its name, extra arguments, and where it runs: `cwd` and `env`
    (None: this process's) model a worker started elsewhere, without the test's files."""

    name: str
    args: Sequence[str] = ()
    cwd: Path | None = None
    env: Mapping[str, str] | None = None


def _end(processes: Sequence[subprocess.Popen]) -> None:
    """SIGTERM the processes still running (last started first), SIGKILL those that hang."""
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _dask_processes(
    directory: Path,
    workers: Sequence[_WorkerSpec],
    port: int = 0,
    scheduler_args: Sequence[str] = (),
) -> Iterator[RemoteCluster]:
    """`dask scheduler` (on `port`, 0: any free one; with `scheduler_args`) and one `dask worker`
    (under a nanny) per spec; their output goes to `directory/dask.log`. Ends exactly the
    processes it started."""
    directory.mkdir(parents=True, exist_ok=True)
    scheduler_file = directory / "scheduler.json"
    started: list[subprocess.Popen] = []
    scheduler_file.unlink(missing_ok=True)  # a scheduler started here before wrote it
    with open(directory / "dask.log", "a") as log:
        try:
            started.append(
                subprocess.Popen(
                    [
                        *(DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port)),
                        *("--no-dashboard", "--scheduler-file", str(scheduler_file)),
                        *scheduler_args,
                    ],
                    stdout=log,
                    stderr=log,
                )
            )
            wait_until(scheduler_file.exists, 60, "the dask scheduler to write its address")
            wait_until(lambda: scheduler_file.read_text().strip(), 10, "the scheduler file")
            address = json.loads(scheduler_file.read_text())["address"]
            for worker in workers:
                started.append(
                    subprocess.Popen(
                        [
                            *(DASK, "worker", address, "--host", "127.0.0.1", "--nthreads", "1"),
                            *("--name", worker.name, "--no-dashboard", *worker.args),
                        ],
                        stdout=log,
                        stderr=log,
                        cwd=worker.cwd,
                        env=None if worker.env is None else dict(worker.env),
                    )
                )
            cluster = RemoteCluster(address, started)
            expected = {w.name for w in workers}
            wait_until(lambda: cluster.worker_names() == expected, 60, f"dask workers {expected}")
            yield cluster
        finally:
            _end(started)


@pytest.fixture
def remote_cluster(tmp_path) -> Iterator[RemoteCluster]:
    """`dask scheduler` and two `dask worker`s (gpu-worker offers GPU=1)."""
    workers = [_WorkerSpec("gpu-worker", ["--resources", "GPU=1"]), _WorkerSpec("cpu-worker")]
    with _dask_processes(tmp_path, workers) as cluster:
        yield cluster


# A `dask scheduler --preload` file that makes every import of dagster fail in the scheduler, as
# on a scheduler started in an environment without dagster.
_NO_DAGSTER = """
import sys

class _NoDagster:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("dagster_core", "dagster_dask"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, _NoDagster())
"""


@pytest.fixture
def scheduler_without_dagster(tmp_path) -> Iterator[RemoteCluster]:
    """`dask scheduler` that cannot import dagster, and one `dask worker` that can."""
    preload = tmp_path / "no_dagster.py"
    preload.write_text(_NO_DAGSTER)
    args = ["--preload", str(preload)]
    with _dask_processes(tmp_path / "cluster", [_WorkerSpec("w")], scheduler_args=args) as cluster:
        yield cluster


@pytest.fixture
def cluster_at_port(tmp_path) -> Callable[[int], AbstractContextManager[RemoteCluster]]:
    """Starts `dask scheduler` on a given port with one `dask worker`, for as long as the
    returned context lasts: a test can stop the cluster and start it again at one address."""
    return lambda port: _dask_processes(tmp_path / "cluster", [_WorkerSpec("w")], port)


def _workers_elsewhere(
    directory: Path, names: Sequence[str], pythonpath: Path | None = None
) -> list[_WorkerSpec]:
    """Workers started as on other machines: in `directory`, with no PYTHONPATH (or only
    `pythonpath`), so they import what is installed and nothing of the tests' files."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    workdir = directory / "workdir"
    workdir.mkdir(parents=True, exist_ok=True)
    return [_WorkerSpec(name, cwd=workdir, env=env) for name in names]


@pytest.fixture(scope="module")
def cluster_elsewhere(tmp_path_factory) -> Iterator[RemoteCluster]:
    """`dask scheduler` and two `dask worker`s started elsewhere, shared by a test module."""
    directory = tmp_path_factory.mktemp("cluster")
    with _dask_processes(directory, _workers_elsewhere(directory, ["a", "b"])) as cluster:
        yield cluster


@pytest.fixture
def start_worker_elsewhere(tmp_path) -> Iterator[Callable[[Path], RemoteCluster]]:
    """Starts `dask scheduler` and one `dask worker` elsewhere whose PYTHONPATH is the given
    directory (ended when the test ends)."""
    with ExitStack() as stack:

        def start(pythonpath: Path) -> RemoteCluster:
            directory = tmp_path / "cluster"
            workers = _workers_elsewhere(directory, ["w"], pythonpath)
            return stack.enter_context(_dask_processes(directory, workers))

        yield start


@pytest.fixture
def postgres_home(tmp_path, fresh_postgres_url, monkeypatch) -> Path:
    """A DAGSTER_HOME whose dagster.yaml keeps runs and events in a throwaway PostgreSQL
    database, its URL read from the environment (DAGSTER_TEST_PG, set for this test) as a
    deployment would: what remote workers share."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "run_storage: {module: storage_backends.postgres, class: PostgresRunStorage,"
        " config: {postgres_url: {env: DAGSTER_TEST_PG}}}\n"
        "event_log_storage: {module: storage_backends.postgres, class: PostgresEventLogStorage,"
        " config: {postgres_url: {env: DAGSTER_TEST_PG}}}\n"
    )
    monkeypatch.setenv("DAGSTER_TEST_PG", fresh_postgres_url)
    return home
