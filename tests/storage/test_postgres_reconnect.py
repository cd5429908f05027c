"""Postgres connections killed under the storages, an unreachable server, and secret URLs."""

import traceback

import psycopg2
import pytest
from sqlalchemy import event, make_url

from dagster_core.errors import DagsterError
from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.storage.runs import PipelineRun, PipelineRunStatus
from storage_backends.postgres import PostgresEventLogStorage, PostgresRunStorage
from storage_backends.sql import DagsterStorageConnectionError


def batch(run_id: str, start: int, count: int = 50) -> list[DagsterEvent]:
    return [
        DagsterEvent(DagsterEventType.ENGINE_EVENT, run_id, "pipe", message=str(i))
        for i in range(start, start + count)
    ]


def shown(error: BaseException) -> str:
    """What a traceback of the error prints but its code lines: its messages and its causes'."""
    printed = "".join(traceback.format_exception(error)).splitlines()
    return "\n".join(line for line in printed if not line.startswith(" "))


def terminate(admin_url: str, where: str) -> int:
    """End the backends matching `where` from a separate connection; how many there were."""
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            # The timeout makes the call wait until the backends are gone.
            cursor.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                f"WHERE {where} AND pid <> pg_backend_pid()"
            )
            return cursor.rowcount
    finally:
        connection.close()


@pytest.fixture
def storages(fresh_postgres_url):
    events = PostgresEventLogStorage(fresh_postgres_url)
    runs = PostgresRunStorage(fresh_postgres_url)
    yield runs, events
    events.dispose()
    runs.dispose()


def test_killed_connections_do_not_fail_writes_reads_or_watchers(
    storages, fresh_postgres_url, postgres_admin_url, wait_until
):
    runs, events = storages
    database = make_url(fresh_postgres_url).database
    runs.add_run(PipelineRun("r1", "pipe"))
    events.store_events(batch("r1", 0))
    received: list[DagsterEvent] = []
    events.watch("r1", -1, received.append)
    wait_until(lambda: len(received) == 50, what="the backlog")

    for round_start in (50, 100):
        # Pooled connections of both storages and the watcher's LISTEN connection.
        assert terminate(postgres_admin_url, f"datname = '{database}'") >= 2
        events.store_events(batch("r1", round_start))
        runs.update_run_status("r1", PipelineRunStatus.STARTED, f"after kill at {round_start}")
        assert runs.get_run_by_id("r1").status_message == f"after kill at {round_start}"
        assert len(events.get_logs_for_run("r1")) == round_start + 50
        # the per-step read (on a DBAPI connection of its own) after its pooled one was killed
        assert terminate(postgres_admin_url, f"datname = '{database}'") >= 1
        assert events.get_logs_for_step("r1", "s1") == []

    # Events stored while the watcher was reconnecting reach it all the same.
    wait_until(lambda: len(received) == 150, what="the watcher to catch up after reconnecting")
    assert [e.message for e in received] == [str(i) for i in range(150)]
    assert [e.message for e in events.get_logs_for_run("r1")] == [str(i) for i in range(150)]


def test_write_whose_connection_dies_midway_is_run_again(storages, postgres_admin_url):
    _, events = storages
    events.store_events(batch("r1", 0))
    killed: list[int] = []

    def kill_before_first_insert(connection, cursor, statement, *_):
        if statement.startswith("INSERT INTO event_logs") and not killed:
            pid = connection.connection.dbapi_connection.get_backend_pid()
            killed.append(terminate(postgres_admin_url, f"pid = {pid}"))

    event.listen(events.engine, "before_cursor_execute", kill_before_first_insert)
    events.store_events(batch("r1", 50))
    assert killed == [1]
    assert [e.message for e in events.get_logs_for_run("r1")] == [str(i) for i in range(100)]


def test_unreachable_server_gives_one_clear_error_without_the_password():
    url = "postgresql://dagster:s3cret-pw@127.0.0.1:1/dagster"
    with pytest.raises(DagsterStorageConnectionError) as caught:
        PostgresRunStorage(url)
    message = str(caught.value)
    assert isinstance(caught.value, DagsterError)
    assert "127.0.0.1:1" in message
    assert "pg_isready -h 127.0.0.1 -p 1" in message
    assert "dagster:***@127.0.0.1" in message
    assert "s3cret-pw" not in shown(caught.value)


def test_unreadable_url_error_hides_the_password():
    with pytest.raises(DagsterStorageConnectionError) as caught:
        PostgresEventLogStorage("not a url user:s3cret-pw@host")
    assert "s3cret-pw" not in shown(caught.value)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://postgres:p@ss-ZEBRA@127.0.0.1:5999/db", "unencoded '@' (write %40)"),
        ("postgresql//postgres:p-ZEBRA@127.0.0.1:5999/db", "it is not a URL"),
        ("postgresql://postgres:p-ZEBRA@127.0.0.1:abc/db", "its port 'abc' is not a number"),
        ("postgresql://127.0.0.1:5x/db?password=p-ZEBRA", "its port '5x' is not a number"),
    ],
)
def test_a_bad_url_is_named_redacted_with_what_is_wrong(url, problem):
    with pytest.raises(DagsterStorageConnectionError) as caught:
        PostgresRunStorage(url)
    message = str(caught.value)
    assert problem in message and "postgresql://USER:PASSWORD@HOST:PORT/DATABASE" in message
    assert "ZEBRA" not in shown(caught.value)
    assert "127.0.0.1" in message


def test_repr_hides_the_password(fresh_postgres_url):
    url = make_url(fresh_postgres_url).set(password="s3cret-pw")  # trust auth ignores it
    storage = PostgresEventLogStorage(url.render_as_string(hide_password=False))
    try:
        assert "s3cret-pw" not in repr(storage)
        assert ":***@" in repr(storage)
    finally:
        storage.dispose()
