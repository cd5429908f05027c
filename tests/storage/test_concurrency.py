"""Many processes writing one run's event log at once: every event stored once, in write order."""

import multiprocessing
import time

import pytest

from dagster_core.events import DagsterEvent, DagsterEventType
from storage_backends.postgres import PostgresEventLogStorage
from storage_backends.sqlite import SqliteEventLogStorage

WRITERS = 8
EVENTS_PER_WRITER = 5_000
BATCH_SIZE = 50
RUN_ID = "crowded-run"


def write_events(storage_cls, config, writer: int, barrier) -> None:
    """Runs in a spawned process: open the storage, wait for every writer, then write in batches."""
    storage = storage_cls.from_config_value(config)
    try:
        barrier.wait(timeout=120)
        for start in range(0, EVENTS_PER_WRITER, BATCH_SIZE):
            storage.store_events(
                [
                    DagsterEvent(
                        DagsterEventType.ENGINE_EVENT,
                        RUN_ID,
                        "pipe",
                        message=f"{writer} {seq}",
                        step_key=f"step{writer}.compute",
                    )
                    for seq in range(start, start + BATCH_SIZE)
                ]
            )
    finally:
        storage.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_processes_writing_one_run_at_once(kind, tmp_path, request):
    if kind == "sqlite":
        storage_cls, config = SqliteEventLogStorage, {"base_dir": str(tmp_path / "new_dir")}
    else:
        storage_cls = PostgresEventLogStorage
        config = {"postgres_url": request.getfixturevalue("fresh_postgres_url")}

    # The writers also race to create the new database's schema.
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WRITERS)
    writers = [
        context.Process(target=write_events, args=(storage_cls, config, writer, barrier))
        for writer in range(WRITERS)
    ]
    started = time.monotonic()
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=180)
    assert [process.exitcode for process in writers] == [0] * WRITERS
    elapsed = time.monotonic() - started

    storage = storage_cls.from_config_value(config)
    try:
        events = storage.get_logs_for_run(RUN_ID)
    finally:
        storage.dispose()
    sequences: dict[int, list[int]] = {writer: [] for writer in range(WRITERS)}
    for event in events:
        writer, seq = map(int, event.message.split())
        sequences[writer].append(seq)
    # Exactly once each, and each writer's events in the order it wrote them.
    assert sequences == {writer: list(range(EVENTS_PER_WRITER)) for writer in range(WRITERS)}
    assert len(events) == WRITERS * EVENTS_PER_WRITER
    assert elapsed < 120, f"{WRITERS} writers took {elapsed:.1f} s"
