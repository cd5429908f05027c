"""The GraphQL workload: a real `dagster-graphql serve` on 127.0.0.1 over an instance holding one
run of many events and many runs, measured as a client meets it: the `{ version }` round trip
(the floor), `pipelineRunOrError` of the big run with all its events, a page of runs from the
middle of the list, and the time from an event being stored to a `pipelineRunLogs` subscriber
receiving it.

Goals (issue 13): the run with 10,000 events in under 300 ms, a page of runs in under 50 ms,
subscription delivery under 200 ms on PostgreSQL.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import yaml
from websockets.sync.client import ClientConnection, connect

from benchmarks.events import step_batches
from dagster_core import DagsterInstance
from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.storage.runs import PipelineRun, PipelineRunStatus

DAGSTER_GRAPHQL = os.path.join(os.path.dirname(sys.executable), "dagster-graphql")
PAGE = 50
SUBSCRIBER_EVENTS = 20  # events timed one by one for the subscription figure
_CODE = textwrap.dedent(
    """
    from dagster_core import lambda_solid, pipeline

    @lambda_solid
    def one():
        return 1

    @pipeline
    def bench():
        one()
    """
)
RUN_QUERY = """
query Run($runId: String!) {
  pipelineRunOrError(runId: $runId) {
    ... on PipelineRun {
      runId status
      logs { nodes { __typename ... on MessageEvent { message timestamp level stepKey } } }
    }
  }
}
"""
PAGE_QUERY = """
query Page($cursor: String, $limit: Int) {
  pipelineRunsOrError(cursor: $cursor, limit: $limit) {
    ... on PipelineRuns {
      results { runId pipelineName status tags { key value } stats { stepsSucceeded } }
    }
  }
}
"""
SUBSCRIPTION = """
subscription Logs($runId: ID!) {
  pipelineRunLogs(runId: $runId) {
    ... on PipelineRunLogsSubscriptionSuccess { messages { ... on MessageEvent { message } } }
  }
}
"""


@dataclass(frozen=True)
class Populated:
    """What the server is measured on: the big run, and a cursor in the middle of the runs."""

    big_run_id: str
    middle_cursor: str


def populate(instance: DagsterInstance, events: int, runs: int) -> Populated:
    """One run of `events` events (written in step-sized batches), then `runs` more runs."""
    big = instance.create_run("bench", tags={"size": "big"})
    for batch in step_batches(big.run_id, events):
        instance.event_storage.store_events(batch)
    ids = []
    for i in range(runs):
        run = PipelineRun(
            run_id=f"bench-{i:06d}",
            pipeline_name="bench",
            tags={"team": f"t{i % 7}"},
            status=PipelineRunStatus.SUCCESS,
        )
        instance.run_storage.add_run(run)
        ids.append(run.run_id)
    return Populated(big.run_id, ids[len(ids) // 2])


@contextmanager
def instance_home(postgres_url: str | None) -> Iterator[str]:
    """A DAGSTER_HOME (with the code the server loads): SQLite, or runs and events in Postgres."""
    with tempfile.TemporaryDirectory(prefix="graphql-bench-") as home:
        if postgres_url is not None:
            parts = {
                f"{part}_storage": {
                    "module": "storage_backends.postgres",
                    "class": f"Postgres{cls}",
                    "config": {"postgres_url": postgres_url},
                }
                for part, cls in (("run", "RunStorage"), ("event_log", "EventLogStorage"))
            }
            with open(os.path.join(home, "dagster.yaml"), "w") as f:
                yaml.safe_dump(parts, f)
        with open(os.path.join(home, "code.py"), "w") as f:
            f.write(_CODE)
        yield home


class Client:
    """A keep-alive HTTP client and websocket subscriptions to one server."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self._http = http.client.HTTPConnection(host, port, timeout=120)

    def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}})
        self._http.request("POST", "/graphql", body, {"Content-Type": "application/json"})
        response = json.loads(self._http.getresponse().read())
        if response.get("errors"):
            raise RuntimeError(f"GraphQL errors: {response['errors']}")
        return response["data"]

    def subscribe(self, query: str, variables: dict[str, Any]) -> ClientConnection:
        ws = connect(
            f"ws://{self.host}:{self.port}/graphql",
            subprotocols=["graphql-transport-ws"],
            legacy=True,
        )
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=60))["type"] == "connection_ack"
        payload = {"query": query, "variables": variables}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        return ws

    def close(self) -> None:
        self._http.close()


@contextmanager
def served(command: list[str], home: str, announced: str) -> Iterator[str]:
    """A server process (`command` with `--port 0`, its instance at `home`) on a free port of
    127.0.0.1; its base URL (the `announced` group of its first line) once /dagit_info answers."""
    log_path = os.path.join(home, "server.log")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [*command, "--port", "0"],
            env={**os.environ, "DAGSTER_HOME": home},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(announced, _read(log_path))):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start:\n{_read(log_path)}")
            time.sleep(0.05)
        while True:
            try:
                with urllib.request.urlopen(found[1] + "/dagit_info", timeout=30):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield found[1]
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def server(home: str) -> Iterator[Client]:
    """`dagster-graphql serve` on a free port of 127.0.0.1, its code and instance at `home`."""
    command = [DAGSTER_GRAPHQL, "serve", "-f", os.path.join(home, "code.py")]
    with served(command, home, r"(http://127\.0\.0\.1:\d+)/graphql") as url:
        client = Client("127.0.0.1", int(url.rsplit(":", 1)[1]))
        try:
            yield client
        finally:
            client.close()


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


class Subscriber:
    """One `pipelineRunLogs` subscriber on a running run, timing each event from the moment
    `store` returns (the event committed) to the moment its message arrives."""

    def __init__(self, client: Client, instance: DagsterInstance):
        self.instance = instance
        self.run = instance.create_run("bench", tags={"size": "live"})
        instance.run_storage.update_run_status(self.run.run_id, PipelineRunStatus.STARTED)
        self.ws = client.subscribe(SUBSCRIPTION, {"runId": self.run.run_id})
        self.count = 0

    def one_event(self) -> None:
        """Store one event and wait until the subscriber has it."""
        self.count += 1
        message = f"live event {self.count}"
        self.instance.event_storage.store_events(
            [DagsterEvent(DagsterEventType.ENGINE_EVENT, self.run.run_id, "bench", message)]
        )
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply["type"] != "next":
                continue
            messages = reply["payload"]["data"]["pipelineRunLogs"]["messages"]
            if any(m["message"] == message for m in messages):
                return

    def close(self) -> None:
        self.instance.store_events(
            [DagsterEvent(DagsterEventType.PIPELINE_SUCCESS, self.run.run_id, "bench", "done")]
        )
        self.ws.close()


def check_big_run(client: Client, run_id: str, events: int) -> None:
    """Fetch the big run with all its events; fails unless all are there."""
    run = client.query(RUN_QUERY, {"runId": run_id})["pipelineRunOrError"]
    if len(run["logs"]["nodes"]) != events:
        raise RuntimeError(f"run {run_id} came back with {len(run['logs']['nodes'])} events")


def check_page(client: Client, cursor: str) -> None:
    """Fetch a page of runs after `cursor`; fails unless it is full."""
    page = client.query(PAGE_QUERY, {"cursor": cursor, "limit": PAGE})["pipelineRunsOrError"]
    if len(page["results"]) != PAGE:
        raise RuntimeError(f"a page after {cursor} had {len(page['results'])} runs")
