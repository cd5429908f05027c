"""Runs for the GraphQL run and subscription tests, made the way users make them (the Python API
or the `dagster` command) against the DAGSTER_HOME the server reads; and websocket clients
speaking both subscription protocols."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from waiting import wait_until
from websockets.sync.client import ClientConnection, connect

from dagster_core import DagsterInstance, execute_pipeline

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")

# `gated` prints, then waits for its gate file (when given) before it logs, materializes and
# outputs; `failing` fails with a Failure's description and metadata; `flaky` retries once.
CODE = textwrap.dedent(
    """
    import os, time
    from dagster_core import (EventMetadataEntry, ExpectationResult, Failure, Field, Int,
        InputDefinition, Materialization, Output, RetryRequested, String, lambda_solid,
        pipeline, solid)

    @solid(config={"gate": Field(String, default_value="")})
    def talk(context):
        print("first line", flush=True)
        gate = context.solid_config["gate"]
        while gate and not os.path.exists(gate):
            time.sleep(0.02)
        print("second line", flush=True)
        context.log.info("passed the gate")
        yield Materialization("table", "rows written",
                              metadata_entries=[EventMetadataEntry.text("5", "rows")])
        yield ExpectationResult(True, "positive")
        yield Output(5)

    @lambda_solid(input_defs=[InputDefinition("n", Int)])
    def double(n):
        return n * 2

    @lambda_solid(input_defs=[InputDefinition("n", Int)])
    def refuse(n):
        raise Failure("too big", metadata_entries=[EventMetadataEntry.text(str(n), "n")])

    @solid
    def flaky(context):
        if context.attempt < 2:
            raise RetryRequested(max_retries=1)
        return 1

    @pipeline
    def gated():
        double(talk())

    @pipeline
    def failing():
        refuse(talk())

    @pipeline
    def retrying():
        flaky()
    """
)


def postgres_home(home: Path) -> None:
    """Make `home` an instance whose runs and events live in Postgres, at the URL in the
    environment variable DAGSTER_PG_URL (which the caller sets)."""
    parts = {
        part: {
            "module": "storage_backends.postgres",
            "class": cls,
            "config": {"postgres_url": {"env": "DAGSTER_PG_URL"}},
        }
        for part, cls in (
            ("run_storage", "PostgresRunStorage"),
            ("event_log_storage", "PostgresEventLogStorage"),
        )
    }
    (home / "dagster.yaml").write_text(yaml.safe_dump(parts))


def load_code(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"code_{uuid.uuid4().hex}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_now(home: Path, code: Path, pipeline_name: str, **kwargs: Any) -> str:
    """Run a pipeline to its end with the Python API on the instance at `home`; its run id."""
    instance = DagsterInstance.from_home(str(home))
    try:
        pipeline = getattr(load_code(code), pipeline_name)
        return execute_pipeline(pipeline, instance=instance, raise_on_error=False, **kwargs).run_id
    finally:
        instance.dispose()


@contextmanager
def gated_run(home: Path, code: Path, tmp_path: Path, env: dict | None = None) -> Iterator[Any]:
    """A `gated` run started by `dagster pipeline execute` in another process, held at its
    gate: yields (run id, open the gate), and waits for the process to end."""
    gate = tmp_path / f"gate-{uuid.uuid4().hex}"
    config = tmp_path / f"gated-{gate.name}.yaml"
    config.write_text(yaml.safe_dump({"solids": {"talk": {"config": {"gate": str(gate)}}}}))
    tag = uuid.uuid4().hex
    process = subprocess.Popen(
        [DAGSTER, "pipeline", "execute", "-f", str(code), "-n", "gated", "-e", str(config),
         "--tags", json.dumps({"test": tag})],
        env={**os.environ, "DAGSTER_HOME": str(home), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    instance = DagsterInstance.from_home(str(home))
    try:
        from dagster_core.storage.runs import RunsFilter

        def started() -> str | None:
            assert process.poll() is None, "the run's process ended before its gate"
            runs = instance.get_runs(RunsFilter(tags={"test": tag}))
            if runs and instance.all_logs(runs[0].run_id):
                return runs[0].run_id
            return None

        wait_until(started, 60, "the gated run to start")
        yield started(), gate.touch
    finally:
        gate.touch()
        process.wait(timeout=120)
        instance.dispose()


# -- websocket clients -------------------------------------------------------------------------

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


class Subscription:
    """One subscription over its own websocket, in either protocol."""

    def __init__(self, url: str, protocol: str, query: str, variables: dict):
        self.protocol = protocol
        self.ws: ClientConnection = connect(
            url.replace("http://", "ws://") + "/graphql", subprotocols=[protocol], legacy=True
        )
        self._send({"type": "connection_init", "payload": {}})
        while self._receive()["type"] != "connection_ack":
            pass
        start = "subscribe" if protocol == TRANSPORT_WS else "start"
        self._send({"id": "1", "type": start, "payload": {"query": query, "variables": variables}})

    def _send(self, message: dict) -> None:
        self.ws.send(json.dumps(message))

    def _receive(self, timeout: float = 60) -> dict:
        return json.loads(self.ws.recv(timeout=timeout))

    def next(self, timeout: float = 60) -> dict | None:
        """The next payload's data; None once the server says the subscription is complete."""
        while True:
            message = self._receive(timeout)
            kind = message["type"]
            if kind in ("next", "data"):
                assert not message["payload"].get("errors"), message
                return message["payload"]["data"]
            if kind == "complete":
                return None
            assert kind in ("ka", "ping", "pong"), message

    def __iter__(self) -> Iterator[dict]:
        while (data := self.next()) is not None:
            yield data

    def close(self) -> None:
        self.ws.close()


RUN_LOGS = """
subscription RunLogs($runId: ID!, $after: Cursor) {
  pipelineRunLogs(runId: $runId, after: $after) {
    __typename
    ... on PipelineRunLogsSubscriptionSuccess {
      run { runId }
      messages { __typename ... on MessageEvent { message stepKey timestamp } }
    }
    ... on PipelineRunLogsSubscriptionFailure { message missingRunId }
  }
}
"""


def received_messages(subscription: Subscription) -> list[dict]:
    """Every event the subscription delivers until it completes."""
    return [message for data in subscription for message in data["pipelineRunLogs"]["messages"]]
