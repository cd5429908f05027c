"""The event recorder: batched writes that are retried when storage fails, never dropped."""

import logging
import threading

import pytest

from dagster_core import DagsterEvent, DagsterEventType
from dagster_core.errors import DagsterEventStorageError
from dagster_core.execution.recorder import STORE_ATTEMPTS, EventRecorder
from dagster_core.storage import InMemoryEventLogStorage


class FlakyStorage(InMemoryEventLogStorage):
    """An in-memory event log whose next `failures` writes fail, as a dropped database would."""

    def __init__(self, failures: int):
        super().__init__()
        self.failures = failures
        self.stored = threading.Event()

    def store_events(self, events):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("the database went away")
        super().store_events(events)
        self.stored.set()


def event(event_type, step_key=None, message=""):
    return DagsterEvent(event_type, "run-1", "p", message, step_key=step_key)


def test_a_failed_timed_flush_is_retried_and_keeps_order(caplog):
    storage = FlakyStorage(failures=2)
    recorder = EventRecorder(storage.store_events)
    with caplog.at_level(logging.WARNING):
        recorder.record(event(DagsterEventType.STEP_START, "a.compute"))
        recorder.record(event(DagsterEventType.LOG_MESSAGE, "a.compute", "working"))
        assert storage.stored.wait(30), "the timed flush never stored the events"
    recorder.record(event(DagsterEventType.STEP_SUCCESS, "a.compute"))
    recorder.close()
    stored = storage.get_logs_for_run("run-1")
    assert [e.event_type for e in stored] == [
        DagsterEventType.STEP_START,
        DagsterEventType.LOG_MESSAGE,
        DagsterEventType.STEP_SUCCESS,
    ]
    assert "the database went away" in caplog.text and "attempt 1 of" in caplog.text


def test_a_failed_step_end_write_is_retried_before_the_step_moves_on():
    storage = FlakyStorage(failures=STORE_ATTEMPTS - 1)
    recorder = EventRecorder(storage.store_events)
    recorder.record(event(DagsterEventType.STEP_SUCCESS, "a.compute"))
    assert [e.step_key for e in storage.get_logs_for_run("run-1")] == ["a.compute"]
    recorder.close()


def test_events_that_cannot_be_stored_fail_loudly_and_stay_pending():
    storage = FlakyStorage(failures=STORE_ATTEMPTS + 1)
    recorder = EventRecorder(storage.store_events)
    with pytest.raises(DagsterEventStorageError, match="the database went away"):
        recorder.record(event(DagsterEventType.STEP_SUCCESS, "a.compute"))
    with pytest.raises(DagsterEventStorageError, match="1 event"):
        recorder.record(event(DagsterEventType.STEP_START, "b.compute"))
    assert storage.get_logs_for_run("run-1") == []


class SlowStorage(InMemoryEventLogStorage):
    """An in-memory event log whose first write waits until the test lets it finish."""

    def __init__(self):
        super().__init__()
        self.writing = threading.Event()
        self.finish = threading.Event()

    def store_events(self, events):
        if not self.writing.is_set():
            self.writing.set()
            assert self.finish.wait(30), "the test never let the first write finish"
        super().store_events(events)


def test_a_step_records_events_while_earlier_ones_are_written_and_order_is_kept():
    storage = SlowStorage()
    recorder = EventRecorder(storage.store_events)
    recorder.record(event(DagsterEventType.STEP_START, "a.compute"))
    assert storage.writing.wait(30), "the timed flush never began"
    # the first batch is being written: recording more does not wait for it
    recorder.record(event(DagsterEventType.LOG_MESSAGE, "a.compute", "still working"))
    # a step's end is stored before record returns, so it waits, and goes after the first batch
    ended = threading.Thread(
        target=recorder.record, args=(event(DagsterEventType.STEP_SUCCESS, "a.compute"),)
    )
    ended.start()
    ended.join(0.2)
    assert ended.is_alive(), "the step's end did not wait for the write under way"
    storage.finish.set()
    ended.join(30)
    assert not ended.is_alive()
    assert [e.event_type for e in storage.get_logs_for_run("run-1")] == [
        DagsterEventType.STEP_START,
        DagsterEventType.LOG_MESSAGE,
        DagsterEventType.STEP_SUCCESS,
    ]
    recorder.close()
