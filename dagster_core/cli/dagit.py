"""The `dagit` command: serve the web UI and the GraphQL API for the user's code and the
instance, at one origin."""

from __future__ import annotations

import click

from dagster_core.cli.graphql import TOKEN_ENV
from dagster_core.cli.loading import require_handle, with_handle
from dagster_core.cli.serving import serve
from dagster_core.definitions.handle import ExecutionTargetHandle
from dagster_core.graphql import Workspace
from dagster_core.instance import DagsterInstance
from dagster_core.webui import WebUISettings, create_webui_app
from dagster_core.webui.settings import normalize_path_prefix

DEFAULT_PORT = 3000


@click.command(name="dagit")
@with_handle
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, help="Port (0: any free one).")
@click.option("--read-only", is_flag=True, help="Hide every action and refuse every mutation.")
@click.option("--path-prefix", default="", help="Serve everything under this path, e.g. /dagit.")
@click.option(
    "--token", envvar=TOKEN_ENV, help=f"Require this bearer token for actions (or ${TOKEN_ENV})."
)
@click.option(
    "--no-intermediates",
    is_flag=True,
    help="Do not preview steps' stored outputs (the data can be sensitive).",
)
@click.version_option(package_name="dagster-core-dask")
def dagit_cli(
    handle: ExecutionTargetHandle | None,
    host: str,
    port: int,
    read_only: bool,
    path_prefix: str,
    token: str | None,
    no_intermediates: bool,
) -> None:
    """Serve the web UI (and the GraphQL API at <prefix>/graphql) until interrupted."""
    handle = require_handle(handle)
    settings = WebUISettings(
        path_prefix=normalize_path_prefix(path_prefix),
        read_only=read_only,
        token_required=bool(token) and not read_only,
        show_intermediates=not no_intermediates,
    )
    app = create_webui_app(DagsterInstance.get(), Workspace.load(handle), settings, token or None)
    mode = "read-only" if read_only else ("actions need the token" if token else "read-write")
    serve(app, host, port, f"Serving dagit for {handle.where} on {{url}}{settings.url('/')} ({mode})")
