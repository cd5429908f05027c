"""The server as a client meets it: `/dagit_info`, `/graphql` over HTTP, bad queries answered as
GraphQL errors, where it binds, and the schema kept as SDL so every change to it shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dagster_core.graphql import SCHEMA

SDL = Path(__file__).parents[2] / "dagster_core" / "graphql" / "schema.graphql"
DAGSTER_GRAPHQL = os.path.join(os.path.dirname(sys.executable), "dagster-graphql")


def test_the_committed_sdl_is_the_schema():
    assert SDL.read_text() == str(SCHEMA) + "\n", (
        "dagster_core/graphql/schema.graphql differs from the schema: if the change is meant, "
        "write it with: python -c 'from dagster_core.graphql import SCHEMA; print(SCHEMA)' "
        "> dagster_core/graphql/schema.graphql"
    )


def test_version_and_info_over_http_on_loopback(start_server):
    server = start_server()
    assert server.url.startswith("http://127.0.0.1:")
    info = server.get("/dagit_info")
    assert server.query("{ version }") == {"version": info["dagster_graphql_version"]}


def test_a_bad_query_is_a_graphql_error_and_the_server_keeps_serving(start_server):
    server = start_server()
    status, body = server.post("{ version nope }")
    assert status == 200
    assert body["errors"][0]["message"] == "Cannot query field 'nope' on type 'Query'."
    status, body = server.post("{ version ")
    assert status == 200 and "Syntax Error" in body["errors"][0]["message"]
    assert server.query("{ version }")


def test_the_command_runs_a_query_in_process_and_on_a_server(start_server, graphql_code, tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}

    def run(*args):
        return subprocess.run(
            [DAGSTER_GRAPHQL, *args], capture_output=True, text=True, env=env, timeout=120
        )

    local = run("-f", str(graphql_code), "-t", "{ version }")
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout)["data"]["version"]
    query_file = tmp_path / "q.graphql"
    query_file.write_text("{ nope }")
    bad = run("-f", str(graphql_code), "--file", str(query_file))
    assert bad.returncode == 1 and "Cannot query field 'nope'" in bad.stdout

    server = start_server()
    remote = run("-r", server.url, "-t", "{ version }", "-o", str(tmp_path / "out.json"))
    assert remote.returncode == 0, remote.stderr
    assert json.loads((tmp_path / "out.json").read_text()) == {
        "data": {"version": local and json.loads(local.stdout)["data"]["version"]}
    }
    nobody = run("-r", "http://127.0.0.1:9", "-t", "{ version }")
    assert (
        nobody.returncode == 2
        and "No dagster GraphQL server at http://127.0.0.1:9" in nobody.stderr
    )
