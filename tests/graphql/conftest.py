"""A real `dagster-graphql serve` on 127.0.0.1 for the tests, with plain HTTP and websocket
clients; started per test with the code and instance the test gives, ended by its PID."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import Server, ServerStarter

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
    """`start_server(*args, env=..., code=...)` starts a server on a free port and waits until
    it answers."""
    starter = ServerStarter(tmp_path, {"DAGSTER_HOME": str(dagster_home)})

    def start(*args: str, env: dict | None = None, code: Path | None = None) -> Server:
        command = [DAGSTER_GRAPHQL, "serve", "-f", str(code or graphql_code)]
        return starter.start(command, r"(http://127\.0\.0\.1:\d+)/graphql", *args, env=env)

    yield start
    starter.stop_all()
