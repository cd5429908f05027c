"""The event log suite, run against every backend (in-memory, SQLite, Postgres)."""

import logging
import multiprocessing

from dagster_core.definitions.events import Materialization
from dagster_core.events import DagsterEvent, DagsterEventType, ErrorInfo
from dagster_core.storage.event_log import StepStats

T = DagsterEventType


def make_event(run_id: str, message: str = "", event_type: T = T.ENGINE_EVENT, **kwargs):
    return DagsterEvent(event_type, run_id, "pipe", message=message, **kwargs)


def numbered(run_id: str, prefix: str, count: int, start: int = 0) -> list[DagsterEvent]:
    return [make_event(run_id, f"{prefix} {i}") for i in range(start, start + count)]


def messages(events: list[DagsterEvent]) -> list[str]:
    return [event.message for event in events]


def write_numbered(storage, run_id: str, prefix: str, count: int, batch_size: int) -> None:
    for start in range(0, count, batch_size):
        storage.store_events(numbered(run_id, prefix, min(batch_size, count - start), start))


def write_in_other_process(storage_cls, config, run_id, prefix, count, batch_size):
    """Runs in a spawned process: store `count` numbered events in batches."""
    storage = storage_cls.from_config_value(config)
    try:
        write_numbered(storage, run_id, prefix, count, batch_size)
    finally:
        storage.dispose()


def test_events_read_back_in_order_with_cursor(event_log_storage):
    event_log_storage.store_events(numbered("r1", "e", 4))
    event_log_storage.store_events(numbered("r1", "e", 1, start=4))
    event_log_storage.store_events(numbered("r1", "e", 5, start=5))
    every = [f"e {i}" for i in range(10)]
    assert messages(event_log_storage.get_logs_for_run("r1")) == every
    assert messages(event_log_storage.get_logs_for_run("r1", -1)) == every
    assert messages(event_log_storage.get_logs_for_run("r1", 0)) == every[1:]
    assert messages(event_log_storage.get_logs_for_run("r1", 6)) == every[7:]
    assert event_log_storage.get_logs_for_run("r1", 9) == []
    assert event_log_storage.get_logs_for_run("r1", 50) == []
    assert event_log_storage.get_logs_for_run("unknown") == []
    event_log_storage.store_events([])


def test_a_page_of_events_and_the_count(event_log_storage):
    event_log_storage.store_events(numbered("r1", "e", 10))
    event_log_storage.store_events(numbered("r2", "other", 3))
    every = [f"e {i}" for i in range(10)]
    assert event_log_storage.count_events("r1") == 10
    assert event_log_storage.count_events("unknown") == 0
    assert messages(event_log_storage.get_logs_for_run("r1", -1, 4)) == every[:4]
    assert messages(event_log_storage.get_logs_for_run("r1", 3, 4)) == every[4:8]
    assert messages(event_log_storage.get_logs_for_run("r1", 7, 4)) == every[8:]
    assert event_log_storage.get_logs_for_run("r1", 2, 0) == []


def test_two_runs_kept_apart(event_log_storage):
    for batch in range(3):
        event_log_storage.store_events(
            numbered("a", "a", 2, start=2 * batch) + numbered("b", "b", 3, start=3 * batch)
        )
    assert messages(event_log_storage.get_logs_for_run("a")) == [f"a {i}" for i in range(6)]
    assert messages(event_log_storage.get_logs_for_run("b")) == [f"b {i}" for i in range(9)]
    assert messages(event_log_storage.get_logs_for_run("b", 7)) == ["b 8"]


def test_bodies_round_trip(event_log_storage):
    try:
        try:
            raise KeyError("missing")
        except KeyError as cause:
            raise ValueError("bad value") from cause
    except ValueError as exc:
        error = ErrorInfo.from_exception(exc)
    failure = make_event(
        "r1",
        "scale.compute failed",
        T.STEP_FAILURE,
        step_key="scale.compute",
        solid_name="scale",
        attempt=2,
        level=logging.ERROR,
        data={"error": error, "outputs": ()},
    )
    materialization = Materialization(
        "table",
        "rows written",
        {"rows": 3, "ratio": 0.25, "columns": ["a", "b"], "shape": (2, 3), "stats": {"n": None}},
    )
    materialized = make_event(
        "r1",
        "Materialized table",
        T.STEP_MATERIALIZATION,
        data={"materialization": materialization},
    )
    event_log_storage.store_events([failure, materialized])

    stored_failure, stored_materialized = event_log_storage.get_logs_for_run("r1")
    assert stored_failure == failure
    assert stored_failure.error.cause.cls_name == "KeyError"
    assert "bad value" in stored_failure.error.to_string()
    assert stored_materialized == materialized
    assert stored_materialized.data["materialization"].metadata["shape"] == (2, 3)


def test_logs_for_step(event_log_storage):
    def step_event(step_key, message):
        return make_event("r1", message, T.STEP_OUTPUT, step_key=step_key)

    event_log_storage.store_events(
        [step_event("a.compute", "a1"), step_event("b.compute", "b1"), make_event("r1", "run")]
    )
    event_log_storage.store_events([step_event("a.compute", "a2"), make_event("r2", "other")])
    assert messages(event_log_storage.get_logs_for_step("r1", "a.compute")) == ["a1", "a2"]
    assert messages(event_log_storage.get_logs_for_step("r1", "b.compute")) == ["b1"]
    assert event_log_storage.get_logs_for_step("r2", "a.compute") == []


def test_step_stats(event_log_storage):
    def step(event_type, step_key, timestamp, attempt=1):
        return make_event(
            "r1", "", event_type, step_key=step_key, timestamp=timestamp, attempt=attempt
        )

    event_log_storage.store_events(
        [
            make_event("r1", "", T.PIPELINE_START, timestamp=1.0),
            step(T.STEP_START, "a.compute", 10.0),
            step(T.STEP_OUTPUT, "a.compute", 11.0),
            step(T.STEP_SUCCESS, "a.compute", 12.0),
            step(T.STEP_START, "b.compute", 13.0),
            step(T.STEP_RETRY, "b.compute", 14.0),
        ]
    )
    event_log_storage.store_events(
        [
            step(T.STEP_START, "b.compute", 15.0, attempt=2),
            step(T.STEP_SUCCESS, "b.compute", 16.0, attempt=2),
            step(T.STEP_START, "c.compute", 17.0),
            step(T.STEP_FAILURE, "c.compute", 18.0),
            step(T.STEP_SKIPPED, "d.compute", 19.0),
            step(T.STEP_START, "e.compute", 20.0),
        ]
    )
    assert event_log_storage.get_step_stats("r1") == [
        StepStats("a.compute", "SUCCESS", 10.0, 12.0, 1),
        StepStats("b.compute", "SUCCESS", 13.0, 16.0, 2),
        StepStats("c.compute", "FAILURE", 17.0, 18.0, 1),
        StepStats("d.compute", "SKIPPED", None, 19.0, 0),
        StepStats("e.compute", None, 20.0, None, 1),
    ]
    assert event_log_storage.get_step_stats("unknown") == []


def test_delete_events_and_wipe(event_log_storage):
    event_log_storage.store_events(numbered("a", "a", 3) + numbered("b", "b", 2))
    event_log_storage.delete_events("a")
    assert event_log_storage.get_logs_for_run("a") == []
    assert messages(event_log_storage.get_logs_for_run("b")) == ["b 0", "b 1"]
    event_log_storage.store_events(numbered("a", "again", 1))
    assert messages(event_log_storage.get_logs_for_run("a")) == ["again 0"]
    event_log_storage.wipe()
    assert event_log_storage.get_logs_for_run("a") == []
    assert event_log_storage.get_logs_for_run("b") == []


def test_watch_delivers_backlog_then_events_from_another_process(
    event_log_storage, storage_kind, storage_config, wait_until
):
    event_log_storage.store_events(numbered("watched", "early", 3) + numbered("other", "x", 2))
    received: list[DagsterEvent] = []
    event_log_storage.watch("watched", 0, received.append)
    wait_until(lambda: len(received) == 2, what="the backlog after the cursor")
    assert messages(received) == ["early 1", "early 2"]

    if storage_kind == "in_memory":  # its events live in this process only
        write_numbered(event_log_storage, "watched", "late", 120, 25)
    else:
        args = (type(event_log_storage), storage_config, "watched", "late", 120, 25)
        writer = multiprocessing.get_context("spawn").Process(
            target=write_in_other_process, args=args
        )
        writer.start()
        writer.join(timeout=60)
        assert writer.exitcode == 0
    wait_until(lambda: len(received) == 122, what="the events written after watch began")
    assert messages(received) == ["early 1", "early 2"] + [f"late {i}" for i in range(120)]
    assert {event.run_id for event in received} == {"watched"}
    event_log_storage.end_watch("watched", received.append)


def test_end_watch_stops_delivery(event_log_storage, wait_until):
    ended: list[DagsterEvent] = []
    still: list[DagsterEvent] = []
    event_log_storage.watch("r1", -1, ended.append)
    event_log_storage.watch("r1", -1, still.append)
    event_log_storage.store_events(numbered("r1", "e", 2))
    wait_until(lambda: len(ended) == 2 and len(still) == 2, what="both watchers fed")

    event_log_storage.end_watch("r1", ended.append)
    event_log_storage.store_events(numbered("r1", "e", 3, start=2))
    wait_until(lambda: len(still) == 5, what="the remaining watcher fed")
    assert messages(ended) == ["e 0", "e 1"]
    assert messages(still) == [f"e {i}" for i in range(5)]
    event_log_storage.end_watch("r1", still.append)


def test_logs_for_several_runs_at_once(event_log_storage):
    event_log_storage.store_events(numbered("a", "a", 2) + numbered("b", "b", 1))
    event_log_storage.store_events(numbered("a", "a", 1, start=2))
    logs = event_log_storage.get_logs_for_runs(["a", "b", "none"])
    assert {run_id: messages(events) for run_id, events in logs.items()} == {
        "a": ["a 0", "a 1", "a 2"],
        "b": ["b 0"],
        "none": [],
    }
