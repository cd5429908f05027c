"""What the suite runs against, started once per suite: a warm Dask LocalCluster, a moto S3 server,
a throwaway PostgreSQL database; and the instances runs record into."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import psycopg2
import yaml
from distributed import Client, LocalCluster

from benchmarks.events import PG_ADMIN_URL, temporary_postgres_database
from benchmarks.storage_throughput import moto_server
from dagster_core import DagsterInstance
from dagster_core.redact import redact_url
from storage_backends.s3 import s3_client

WORKERS = 2
BUCKET = "benchmarks"


@dataclass
class Services:
    """Addresses of the services the selected workloads need (None when not started), why any is
    missing, and a scratch directory removed at the end of the suite."""

    scratch: str
    dask_client: Client | None = None
    dask_start_s: float | None = None
    s3_endpoint: str | None = None
    postgres_url: str | None = None
    postgres_missing: str | None = None

    @property
    def dask_address(self) -> str:
        assert self.dask_client is not None, "the suite did not start a Dask cluster"
        return self.dask_client.scheduler.address


def _dask_cluster(stack: ExitStack) -> tuple[Client, float]:
    """A LocalCluster of WORKERS processes x 1 thread and a client on it; seconds until both
    workers were ready."""
    started = time.perf_counter()
    cluster = stack.enter_context(
        LocalCluster(
            n_workers=WORKERS,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port, rather than a busy 8787
            silence_logs=logging.ERROR,
        )
    )
    client = stack.enter_context(Client(cluster, set_as_default=False))
    client.wait_for_workers(WORKERS)
    return client, time.perf_counter() - started


@contextmanager
def services(dask: bool, s3: bool, postgres: bool) -> Iterator[Services]:
    """Start what is asked for; stop and remove all of it on exit."""
    # moto accepts any credentials; these keep real ones out of the benchmark. Set before the
    # Dask workers start, so they inherit them.
    os.environ.update(
        AWS_ACCESS_KEY_ID="benchmark",
        AWS_SECRET_ACCESS_KEY="benchmark",
        AWS_DEFAULT_REGION="us-east-1",
    )
    os.environ.pop("AWS_PROFILE", None)
    with ExitStack() as stack:
        found = Services(stack.enter_context(tempfile.TemporaryDirectory(prefix="dagster-bench-")))
        if s3:
            found.s3_endpoint = stack.enter_context(moto_server())
            s3_client(found.s3_endpoint).create_bucket(Bucket=BUCKET)
        if postgres:
            try:
                found.postgres_url = stack.enter_context(temporary_postgres_database())
            except psycopg2.OperationalError as error:
                found.postgres_missing = (
                    f"PostgreSQL is not reachable at {redact_url(PG_ADMIN_URL)} "
                    f"({str(error).strip().splitlines()[0]}), so its figures are skipped"
                )
        if dask:
            found.dask_client, found.dask_start_s = _dask_cluster(stack)
        yield found


@contextmanager
def instance(kind: str, found: Services) -> Iterator[DagsterInstance]:
    """A fresh instance: `sqlite` (DagsterInstance.local_temp()) or `postgres` (runs and events in
    the suite's PostgreSQL database, through a dagster.yaml in a scratch home)."""
    if kind == "postgres":
        assert found.postgres_url is not None
        home = tempfile.mkdtemp(prefix="home-", dir=found.scratch)
        parts = {
            f"{part}_storage": {
                "module": "storage_backends.postgres",
                "class": f"Postgres{cls}",
                "config": {"postgres_url": found.postgres_url},
            }
            for part, cls in (("run", "RunStorage"), ("event_log", "EventLogStorage"))
        }
        with open(os.path.join(home, "dagster.yaml"), "w") as f:
            yaml.safe_dump(parts, f)
        made = DagsterInstance.from_home(home)
    else:
        made = DagsterInstance.local_temp()
    try:
        yield made
    finally:
        made.dispose()
