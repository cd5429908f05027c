"""Event-log throughput of each backend: events written per second in step-sized batches, and the
time to read one run's events back. Run: python -m benchmarks.events

Postgres is measured in a throwaway database made through DAGSTER_BENCH_PG_URL (default: the
local server's `test` database) and dropped afterwards; its row says why when it cannot be.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from sqlalchemy import make_url

from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.storage.event_log import EventLogStorage, InMemoryEventLogStorage
from storage_backends.postgres import PostgresEventLogStorage
from storage_backends.sqlite import SqliteEventLogStorage

EVENTS = 10_000
BATCH_SIZE = 50
PG_ADMIN_URL = os.environ.get("DAGSTER_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def step_batches(run_id: str, events: int = EVENTS) -> list[list[DagsterEvent]]:
    """`events` events shaped like a step's (start, outputs, success), BATCH_SIZE per step."""
    batches = []
    for step in range(events // BATCH_SIZE):
        key = f"solid_{step}.compute"
        batches.append(
            [
                DagsterEvent(
                    DagsterEventType.STEP_OUTPUT,
                    run_id,
                    "bench",
                    message=f'Yielded output "out_{i}" of type "Int"',
                    step_key=key,
                    solid_name=f"solid_{step}",
                    data={"output_name": f"out_{i}", "type_name": "Int"},
                )
                for i in range(BATCH_SIZE)
            ]
        )
    return batches


def write_batches(storage: EventLogStorage, batches: list[list[DagsterEvent]]) -> None:
    """Store each batch with one call, as the step runner does."""
    for batch in batches:
        storage.store_events(batch)


def read_run(storage: EventLogStorage, run_id: str, events: int = EVENTS) -> None:
    """Read a run's events back; fails unless all `events` are there."""
    count = len(storage.get_logs_for_run(run_id))
    if count != events:
        raise RuntimeError(f"read back {count} events of {events}")


def measure(storage: EventLogStorage) -> tuple[float, float]:
    """(events written per second, seconds to read the run's events back)."""
    run_id = f"bench-{secrets.token_hex(4)}"
    batches = step_batches(run_id)
    started = time.perf_counter()
    write_batches(storage, batches)
    written = time.perf_counter() - started
    started = time.perf_counter()
    read_run(storage, run_id)
    read = time.perf_counter() - started
    return EVENTS / written, read


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """A new database on the server at PG_ADMIN_URL; its URL. Dropped (connections ended) on exit;
    raises psycopg2.OperationalError when the server cannot be reached."""
    name = f"dagster_bench_{secrets.token_hex(6)}"
    admin = psycopg2.connect(PG_ADMIN_URL, connect_timeout=5)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        admin.close()


def run_one(storage: EventLogStorage) -> str:
    try:
        per_second, read = measure(storage)
    finally:
        storage.dispose()
    return f"{per_second:,.0f} | {read:.2f}"


def main() -> None:
    rows = {"in-memory": run_one(InMemoryEventLogStorage())}
    with tempfile.TemporaryDirectory() as base_dir:
        rows["sqlite (WAL)"] = run_one(SqliteEventLogStorage(base_dir))
    try:
        with temporary_postgres_database() as url:
            rows["postgres"] = run_one(PostgresEventLogStorage(url))
    except psycopg2.OperationalError as error:
        rows["postgres"] = f"not measured: {str(error).strip().splitlines()[0]} | -"

    print(f"Event log, one process, {EVENTS:,} events in batches of {BATCH_SIZE}\n")
    print(f"| backend | events written / s | read {EVENTS:,} events (s) |")
    print("| --- | ---: | ---: |")
    for backend, figures in rows.items():
        print(f"| {backend} | {figures} |")


if __name__ == "__main__":
    main()
