"""`dagster instance info | migrate`."""

from __future__ import annotations

import click

from dagster_core.instance import DagsterInstance


@click.group(name="instance")
def instance_cli() -> None:
    """Inspect and upgrade the instance ($DAGSTER_HOME)."""


@instance_cli.command(name="info")
def info_command() -> None:
    """Show where the instance keeps runs, events, logs and artifacts (secrets redacted)."""
    instance = DagsterInstance.get()
    click.echo(f"Instance: {instance.source}")
    for line in instance.describe():
        click.echo(f"  {line}")


@instance_cli.command(name="migrate")
def migrate_command() -> None:
    """Upgrade the instance's database schemas to this version, keeping every row."""
    instance = DagsterInstance.get()
    for name, storage in (
        ("run storage", instance.run_storage),
        ("event log", instance.event_storage),
        ("schedule storage", instance.schedule_storage),
    ):
        version = storage.upgrade()
        click.echo(f"{name}: {type(storage).__name__} at schema {version or 'n/a'}")
