"""A real `dagster-graphql serve` on 127.0.0.1 for the tests, with plain HTTP and websocket
clients; started per test with the code and instance the test gives, ended by its PID."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from waiting import wait_until

DAGSTER_GRAPHQL = os.path.join(os.path.dirname(sys.executable), "dagster-graphql")

# The pipelines most tests serve: `adder` (config, an input from config, two steps) and `fails`.
CODE = textwrap.dedent(
    """
    from dagster_core import Field, InputDefinition, Int, ModeDefinition, PresetDefinition
    from dagster_core import default_executors, lambda_solid, pipeline, solid
    from dagster_dask import dask_executor

    @solid(config={"offset": Field(Int, default_value=1)}, input_defs=[InputDefinition("x", Int)])
    def add(context, x):
        context.log.info(f"adding {context.solid_config['offset']} to {x}")
        return x + context.solid_config["offset"]

    @lambda_solid
    def double(value):
        return value * 2

    @pipeline(
        mode_defs=[ModeDefinition(executor_defs=[*default_executors, dask_executor])],
        preset_defs=[PresetDefinition("five", {"solids": {"add": {"inputs": {"x": 5}}}})],
        tags={"team": "graphql"},
    )
    def adder():
        "Adds, then doubles."
        double(add())

    @lambda_solid
    def boom():
        raise ValueError("boom")

    @pipeline
    def fails():
        boom()
    """
)


class Server:
    """A running `dagster-graphql serve` process."""

    def __init__(self, process: subprocess.Popen, url: str, log: Path):
        self.process = process
        self.url = url
        self.log = log

    def post(
        self, query: str, variables: dict | None = None, token: str | None = None
    ) -> tuple[int, dict]:
        """The HTTP status and JSON body of one operation."""
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(self.url + "/graphql", body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

    def query(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        """The `data` of an operation that must succeed."""
        status, body = self.post(query, variables, token)
        assert status == 200 and not body.get("errors"), body
        return body["data"]

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.load(response)


@pytest.fixture
def graphql_code(tmp_path) -> Path:
    path = tmp_path / "code.py"
    path.write_text(CODE)
    return path


@pytest.fixture
def dagster_home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def start_server(tmp_path, graphql_code, dagster_home) -> Iterator:
    """`start_server(*args, env=...)` starts a server on a free port and waits until it answers."""
    started: list[subprocess.Popen] = []

    def start(*args: str, env: dict | None = None, code: Path | None = None) -> Server:
        log = tmp_path / f"server-{len(started)}.log"
        environment = {**os.environ, "DAGSTER_HOME": str(dagster_home), **(env or {})}
        with open(log, "w") as out:
            process = subprocess.Popen(
                [DAGSTER_GRAPHQL, "serve", "-f", str(code or graphql_code), "--port", "0", *args],
                cwd=tmp_path,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(process)

        def address() -> str | None:
            assert process.poll() is None, f"the server exited:\n{log.read_text()}"
            found = re.search(r"http://127\.0\.0\.1:(\d+)/graphql", log.read_text())
            return found and f"http://127.0.0.1:{found[1]}"

        wait_until(address, 60, "the server to say where it listens")
        server = Server(process, address(), log)
        wait_until(lambda: _answers(server), 30, "the server to answer /dagit_info")
        return server

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def _answers(server: Server) -> bool:
    try:
        server.get("/dagit_info")
        return True
    except (urllib.error.URLError, ConnectionError):
        return False
