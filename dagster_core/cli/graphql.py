"""The `dagster-graphql` command: run one GraphQL operation against the user's code and the
instance, in this process or on a running server (`-r URL`), or serve the API (`serve`)."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

import click

from dagster_core.cli.loading import require_handle, with_handle
from dagster_core.cli.serving import serve
from dagster_core.definitions.handle import ExecutionTargetHandle
from dagster_core.graphql import GraphQLContext, Workspace, create_app, execute_query
from dagster_core.graphql.predefined import PREDEFINED
from dagster_core.graphql.server import GRAPHQL_PATH, INFO_PATH
from dagster_core.instance import DagsterInstance

TOKEN_ENV = "DAGSTER_GRAPHQL_TOKEN"
DEFAULT_PORT = 4000


def _query_text(text: str | None, query_file: str | None, predefined: str | None) -> str:
    if sum(given is not None for given in (text, query_file, predefined)) != 1:
        raise click.UsageError(
            "Give the operation with exactly one of -t/--text, --file and -p/--predefined"
        )
    if query_file is not None:
        with open(query_file) as f:
            return f.read()
    if predefined is not None:
        return PREDEFINED[predefined]
    assert text is not None
    return text


def _variables(variables: str | None) -> dict[str, Any]:
    if variables is None:
        return {}
    try:
        parsed = json.loads(variables)
    except json.JSONDecodeError as exc:
        raise click.UsageError(f"-v/--variables is not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise click.UsageError(f"-v/--variables must be a JSON object, got {variables}")
    return parsed


def _remote(url: str, query: str, variables: dict[str, Any], token: str | None) -> dict[str, Any]:
    """The response of a running server at `url`, checked to be one first (`/dagit_info`)."""
    base = url.rstrip("/")
    try:
        with urllib.request.urlopen(base + INFO_PATH, timeout=30) as response:
            json.load(response)
    except (urllib.error.URLError, ValueError, OSError) as exc:
        raise click.UsageError(f"No dagster GraphQL server at {url}: {exc}") from None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(base + GRAPHQL_PATH, body, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        return json.load(exc)


@click.group(invoke_without_command=True)
@with_handle
@click.option("-t", "--text", help="The GraphQL operation to run.")
@click.option("--file", "query_file", type=click.Path(exists=True), help="A file holding it.")
@click.option(
    "-p",
    "--predefined",
    type=click.Choice(sorted(PREDEFINED)),
    help="A predefined operation, its variables (executionParams) given with -v.",
)
@click.option("-v", "--variables", help="Its variables, as a JSON object.")
@click.option("-o", "--output", type=click.Path(), help="Write the JSON response here.")
@click.option("-r", "--remote", help="Send it to the server at this URL instead.")
@click.option("--token", envvar=TOKEN_ENV, help=f"The server's token (or ${TOKEN_ENV}).")
@click.option("--port", type=int, help="Serve the API on this port (as `serve --port`).")
@click.pass_context
def graphql_cli(
    ctx: click.Context,
    handle: ExecutionTargetHandle | None,
    text: str | None,
    query_file: str | None,
    predefined: str | None,
    variables: str | None,
    output: str | None,
    remote: str | None,
    token: str | None,
    port: int | None,
) -> None:
    """Run one GraphQL operation and print its JSON response: exit 0, or 1 when it has errors."""
    if ctx.invoked_subcommand is not None:
        return
    if port is not None:
        _serve(handle, "127.0.0.1", port, read_only=False, token=token)
        return
    query = _query_text(text, query_file, predefined)
    if remote is not None:
        response = _remote(remote, query, _variables(variables), token)
    else:
        context = GraphQLContext(DagsterInstance.get(), Workspace.load(require_handle(handle)))
        response = execute_query(context, query, _variables(variables))
    rendered = json.dumps(response, indent=2)
    if output is None:
        click.echo(rendered)
    else:
        with open(output, "w") as f:
            f.write(rendered + "\n")
    if response.get("errors"):
        sys.exit(1)


def _serve(
    handle: ExecutionTargetHandle | None, host: str, port: int, read_only: bool, token: str | None
) -> None:
    handle = require_handle(handle)
    app = create_app(DagsterInstance.get(), Workspace.load(handle), read_only, token)
    mode = "read-only" if read_only else ("mutations need the token" if token else "read-write")
    serve(app, host, port, f"Serving GraphQL for {handle.where} on {{url}}{GRAPHQL_PATH} ({mode})")


@graphql_cli.command(name="serve")
@with_handle
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, help="Port (0: any free one).")
@click.option("--read-only", is_flag=True, help="Refuse mutations.")
@click.option(
    "--token", envvar=TOKEN_ENV, help=f"Require this bearer token for mutations (or ${TOKEN_ENV})."
)
def serve_command(
    handle: ExecutionTargetHandle | None, host: str, port: int, read_only: bool, token: str | None
) -> None:
    """Serve the GraphQL API (HTTP and websockets at /graphql) until interrupted."""
    if os.environ.get(TOKEN_ENV) and not token:
        token = os.environ[TOKEN_ENV]
    _serve(handle, host, port, read_only, token)
