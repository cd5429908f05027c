"""The `dagster` command line."""

from __future__ import annotations

import sys

import click

from dagster_core.cli.airflow import airflow_cli
from dagster_core.cli.dagit import dagit_cli
from dagster_core.cli.graphql import graphql_cli
from dagster_core.cli.instance import instance_cli
from dagster_core.cli.pipeline import pipeline_cli
from dagster_core.cli.run import run_cli
from dagster_core.cli.schedule import schedule_cli
from dagster_core.errors import DagsterError
from dagster_core.redact import redact_text


@click.group()
@click.version_option(package_name="dagster-core-dask")
def cli() -> None:
    """Define data pipelines once; run them in one process, many processes or on Dask."""


cli.add_command(pipeline_cli)
cli.add_command(run_cli)
cli.add_command(instance_cli)
cli.add_command(schedule_cli)
cli.add_command(airflow_cli)


def main() -> None:
    """Entry point of `dagster`."""
    _run(cli)


def graphql_main() -> None:
    """Entry point of `dagster-graphql`."""
    _run(graphql_cli)


def dagit_main() -> None:
    """Entry point of `dagit`."""
    _run(dagit_cli)


def _run(command: click.Command) -> None:
    """Framework errors about the user's input exit 2 with their message (secrets redacted, as
    in every message)."""
    try:
        command.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.message = redact_text(exc.message)
        exc.show()
        sys.exit(exc.exit_code)
    except DagsterError as exc:
        click.echo(f"Error: {redact_text(str(exc))}", err=True)
        sys.exit(2)
