"""Subscriptions as a websocket client meets them, in both protocols (`graphql-transport-ws`
and the legacy `graphql-ws`): a run's events live until it ends, each exactly once and in
order, on SQLite and on Postgres; a step's output as it is written; and a client that goes
away leaves no watch thread or LISTEN connection behind."""

from __future__ import annotations

import os
import signal

import psycopg2
import pytest
from run_helpers import (
    CODE,
    LEGACY_WS,
    RUN_LOGS,
    TRANSPORT_WS,
    Subscription,
    gated_run,
    postgres_home,
    received_messages,
    run_now,
)
from waiting import wait_until

from dagster_core import DagsterInstance


@pytest.fixture
def run_code(tmp_path):
    path = tmp_path / "run_code.py"
    path.write_text(CODE)
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def instance_kind(request, dagster_home, monkeypatch) -> str:
    if request.param == "postgres":
        monkeypatch.setenv("DAGSTER_PG_URL", request.getfixturevalue("fresh_postgres_url"))
        postgres_home(dagster_home)
    return request.param


def stored_messages(home, run_id: str) -> list[str]:
    instance = DagsterInstance.from_home(str(home))
    try:
        return [event.message for event in instance.all_logs(run_id)]
    finally:
        instance.dispose()


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
def test_a_live_run_is_watched_to_its_end(
    protocol, instance_kind, start_server, dagster_home, run_code, tmp_path
):
    server = start_server(code=run_code)
    with gated_run(dagster_home, run_code, tmp_path) as (run_id, open_gate):
        subscription = Subscription(server.url, protocol, RUN_LOGS, {"runId": run_id})
        first = subscription.next()["pipelineRunLogs"]
        assert first["__typename"] == "PipelineRunLogsSubscriptionSuccess"
        assert first["run"] == {"runId": run_id}
        assert first["messages"][0]["message"].startswith(f"Started run {run_id}")
        open_gate()
        messages = first["messages"] + received_messages(subscription)
    assert [m["message"] for m in messages] == stored_messages(dagster_home, run_id)
    assert messages[-1]["__typename"] == "PipelineSuccessEvent"
    assert "LogMessageEvent" in {m["__typename"] for m in messages}


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
def test_a_finished_run_sends_its_events_after_the_cursor_and_completes(
    protocol, start_server, dagster_home, run_code
):
    run_id = run_now(dagster_home, run_code, "gated")
    stored = stored_messages(dagster_home, run_id)
    server = start_server(code=run_code)

    everything = Subscription(server.url, protocol, RUN_LOGS, {"runId": run_id})
    assert [m["message"] for m in received_messages(everything)] == stored
    later = Subscription(server.url, protocol, RUN_LOGS, {"runId": run_id, "after": 4})
    assert [m["message"] for m in received_messages(later)] == stored[5:]

    missing = Subscription(server.url, protocol, RUN_LOGS, {"runId": "nope"})
    assert missing.next()["pipelineRunLogs"] == {
        "__typename": "PipelineRunLogsSubscriptionFailure",
        "message": "No run with id 'nope'",
        "missingRunId": "nope",
    }
    assert missing.next() is None


def test_fifty_subscribers_each_receive_every_event_once_in_order(
    start_server, dagster_home, run_code, tmp_path, fresh_postgres_url, monkeypatch
):
    monkeypatch.setenv("DAGSTER_PG_URL", fresh_postgres_url)
    postgres_home(dagster_home)
    server = start_server(code=run_code)
    with gated_run(dagster_home, run_code, tmp_path) as (run_id, open_gate):
        subscriptions = [
            Subscription(server.url, TRANSPORT_WS, RUN_LOGS, {"runId": run_id}) for _ in range(50)
        ]
        firsts = [s.next()["pipelineRunLogs"]["messages"] for s in subscriptions]
        open_gate()
        received = [
            first + received_messages(s) for first, s in zip(firsts, subscriptions, strict=True)
        ]
    stored = stored_messages(dagster_home, run_id)
    assert all([m["message"] for m in messages] == stored for messages in received)


COMPUTE_LOGS = """
subscription Logs($runId: ID!, $stepKey: String!, $ioType: ComputeIOType!, $cursor: String) {
  computeLogs(runId: $runId, stepKey: $stepKey, ioType: $ioType, cursor: $cursor) {
    data cursor
  }
}
"""


def test_a_steps_output_streams_as_it_is_written(start_server, dagster_home, run_code, tmp_path):
    server = start_server(code=run_code)
    variables = {"stepKey": "talk.compute", "ioType": "STDOUT"}
    with gated_run(dagster_home, run_code, tmp_path) as (run_id, open_gate):
        subscription = Subscription(
            server.url, TRANSPORT_WS, COMPUTE_LOGS, {**variables, "runId": run_id}
        )
        written = ""
        while "first line" not in written:
            written += subscription.next()["computeLogs"]["data"]
        assert "second line" not in written
        open_gate()
        written += "".join(data["computeLogs"]["data"] for data in subscription)
    assert written == "first line\nsecond line\n"

    again = Subscription(
        server.url, LEGACY_WS, COMPUTE_LOGS, {**variables, "runId": run_id, "cursor": "11"}
    )
    assert [data["computeLogs"] for data in again] == [{"data": "second line\n", "cursor": "23"}]

    bad = Subscription(
        server.url, TRANSPORT_WS, COMPUTE_LOGS, {**variables, "runId": run_id, "cursor": "x1"}
    )
    assert "cursor 'x1' is not a position in the step's output" in bad.ws.recv(timeout=60)


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def _listeners(postgres_url: str) -> int:
    database = postgres_url.rsplit("/", 1)[1]
    with psycopg2.connect(postgres_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND query LIKE 'LISTEN%%'",
            (database,),
        )
        count = cursor.fetchone()[0]
    connection.close()
    return count


@pytest.mark.slow
def test_clients_that_leave_mid_run_leave_no_watch_behind(
    start_server, dagster_home, run_code, tmp_path, fresh_postgres_url, monkeypatch
):
    monkeypatch.setenv("DAGSTER_PG_URL", fresh_postgres_url)
    postgres_home(dagster_home)
    server = start_server(code=run_code)
    pid = server.process.pid
    with gated_run(dagster_home, run_code, tmp_path) as (run_id, open_gate):
        # warm up: the server's worker threads for storage reads exist from here on
        warm = [
            Subscription(server.url, TRANSPORT_WS, RUN_LOGS, {"runId": run_id}) for _ in "1234567"
        ]
        for subscription in warm:
            subscription.next()
        assert _listeners(fresh_postgres_url) == 1  # one LISTEN serves every watch
        for subscription in warm:
            subscription.close()
        wait_until(lambda: _listeners(fresh_postgres_url) == 0, 30, "the warm-up watch to end")
        baseline = _threads(pid)

        def cycles(count: int) -> None:
            for cycle in range(count):
                protocol = TRANSPORT_WS if cycle % 2 else LEGACY_WS
                subscription = Subscription(server.url, protocol, RUN_LOGS, {"runId": run_id})
                assert subscription.next()["pipelineRunLogs"]["messages"]
                subscription.close()
            wait_until(lambda: _listeners(fresh_postgres_url) == 0, 30, "every LISTEN to end")

        # The server reads storage on asyncio's default executor, whose threads are made as
        # reads overlap (up to its max_workers) and kept: after a first 50 cycles the count may
        # have grown by that much at most, and after 50 more it must not grow at all.
        cycles(50)
        executor_threads = min(32, (os.cpu_count() or 1) + 4)
        wait_until(
            lambda: _threads(pid) <= baseline + executor_threads, 30, "the watch threads to end"
        )
        settled = _threads(pid)
        cycles(50)
        wait_until(lambda: _threads(pid) <= settled, 30, "the watch threads of 50 more to end")
        open_gate()
    assert server.query("{ version }")


def test_a_run_whose_process_dies_ends_its_subscription_with_a_failure(
    start_server, dagster_home, run_code, tmp_path
):
    server = start_server(code=run_code)
    with gated_run(dagster_home, run_code, tmp_path) as (run_id, _open_gate):
        subscription = Subscription(server.url, TRANSPORT_WS, RUN_LOGS, {"runId": run_id})
        messages = subscription.next()["pipelineRunLogs"]["messages"]
        run = DagsterInstance.from_home(str(dagster_home)).get_run_by_id(run_id)
        os.kill(run.pid, signal.SIGKILL)
        os.waitpid(run.pid, 0)  # reaped, as its parent would: no zombie that looks alive
        messages += received_messages(subscription)
    assert messages[-1]["__typename"] == "PipelineFailureEvent"
    assert "is gone" in messages[-1]["message"]
    assert [m["message"] for m in messages] == stored_messages(dagster_home, run_id)
