"""Dask clusters for the executor tests: a LocalCluster, and a real `dask scheduler` with two
`dask worker` processes (one offering GPU=1) started on 127.0.0.1 and ended by PID."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from distributed import Client, LocalCluster

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


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def remote_cluster(tmp_path) -> Iterator[RemoteCluster]:
    """`dask scheduler` and two `dask worker`s (gpu-worker offers GPU=1), each under a nanny."""
    scheduler_file = tmp_path / "scheduler.json"
    log = open(tmp_path / "dask.log", "w")  # noqa: SIM115 - closed at teardown
    started = [
        subprocess.Popen(
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            stdout=log,
            stderr=log,
        )
    ]
    try:
        _wait(scheduler_file.exists, 60, "the dask scheduler to write its address")
        _wait(lambda: scheduler_file.read_text().strip(), 10, "the scheduler file")
        address = json.loads(scheduler_file.read_text())["address"]
        for name, extra in (("gpu-worker", ["--resources", "GPU=1"]), ("cpu-worker", [])):
            started.append(
                subprocess.Popen(
                    [
                        DASK,
                        "worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--name",
                        name,
                        "--no-dashboard",
                        *extra,
                    ],
                    stdout=log,
                    stderr=log,
                )
            )
        cluster = RemoteCluster(address, started)
        _wait(lambda: len(cluster.worker_names()) == 2, 60, "two dask workers")
        yield cluster
    finally:
        for process in reversed(started):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
