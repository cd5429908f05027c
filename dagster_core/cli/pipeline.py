"""`dagster pipeline list | execute`."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterable

import click

from dagster_core.cli.loading import load_pipeline, load_pipelines
from dagster_core.config.yaml_files import load_yaml_files
from dagster_core.events import (
    PIPELINE_END_EVENTS,
    STEP_END_EVENTS,
    DagsterEvent,
    DagsterEventType,
)
from dagster_core.execution import execute_pipeline_iterator, reexecute_pipeline_iterator
from dagster_core.instance import DagsterInstance

ORIGIN_FILE_TAG = "dagster/python_file"
ORIGIN_MODULE_TAG = "dagster/module"

_source_options = [
    click.option("-f", "--python-file", type=click.Path(), help="Python file defining pipelines."),
    click.option("-m", "--module", "module_name", help="Module defining pipelines."),
]


def _with_source(fn):  # type: ignore[no-untyped-def]
    for option in reversed(_source_options):
        fn = option(fn)
    return fn


@click.group(name="pipeline")
def pipeline_cli() -> None:
    """List and run pipelines."""


@pipeline_cli.command(name="list")
@_with_source
def list_command(python_file: str | None, module_name: str | None) -> None:
    """List the pipelines in a file or module, with their solids, modes and presets."""
    for name, p in sorted(load_pipelines(python_file, module_name).items()):
        click.echo(f"Pipeline: {name}")
        if p.description:
            click.echo(f"  Description: {p.description.splitlines()[0]}")
        click.echo(f"  Solids (in order): {', '.join(p.solid_order)}")
        click.echo(f"  Modes: {', '.join(m.name for m in p.mode_defs)}")
        if p.preset_defs:
            click.echo(f"  Presets: {', '.join(pr.name for pr in p.preset_defs)}")


def _parse_tags(tags: str | None) -> dict[str, str]:
    if not tags:
        return {}
    try:
        value = json.loads(tags)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"not valid JSON ({exc.msg}): {tags}", param_hint="--tags"
        ) from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise click.BadParameter(
            f'expected a JSON object of strings such as {{"team": "x"}}, got {tags}',
            param_hint="--tags",
        )
    return value


class _Progress:
    """Steps done of total, on one line that rewrites itself on a terminal."""

    def __init__(self, stream=sys.stderr):  # type: ignore[no-untyped-def]
        self.stream = stream
        self.total = 0
        self.done: dict[str, str] = {}
        self.tty = stream.isatty()

    def update(self, event: DagsterEvent) -> None:
        if event.event_type is DagsterEventType.PIPELINE_START:
            self.total = len(event.data.get("step_keys", ()))
        elif event.event_type in STEP_END_EVENTS and event.step_key:
            self.done[event.step_key] = event.event_type.value.removeprefix("STEP_").lower()
            line = f"[{len(self.done)}/{self.total} steps] {event.step_key} {self.done[event.step_key]}"
            if self.tty:
                self.stream.write("\r\033[K" + line)
                if len(self.done) == self.total:
                    self.stream.write("\n")
            else:
                self.stream.write(line + "\n")
            self.stream.flush()

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for status in self.done.values():
            counts[status] = counts.get(status, 0) + 1
        parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        return f"{len(self.done)}/{self.total} steps ({parts or 'none ran'})"


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"received {signal.Signals(signum).name}")


def _run(events: Iterable[DagsterEvent]) -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # a terminated run is canceled like Ctrl-C
    progress = _Progress()
    end: DagsterEvent | None = None
    run_id = ""
    try:
        for event in events:
            run_id = event.run_id
            progress.update(event)
            if event.event_type in PIPELINE_END_EVENTS:
                end = event
    except Exception as exc:  # the run is already marked FAILURE; say why and exit 1
        click.echo(f"Run {run_id} FAILURE: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
    ok = end is not None and end.event_type is DagsterEventType.PIPELINE_SUCCESS
    status = end.event_type.value.removeprefix("PIPELINE_") if end else "UNKNOWN"
    click.echo(f"Run {run_id} {status}: {progress.summary()}")
    if not ok:
        sys.exit(1)


@pipeline_cli.command(name="execute")
@_with_source
@click.option(
    "-n", "--name", "pipeline_name", help="Pipeline to run (needed if there are several)."
)
@click.option(
    "-e",
    "--env",
    "env_files",
    multiple=True,
    type=click.Path(),
    help="Run config YAML; several merge in order, later ones winning.",
)
@click.option("-p", "--preset", help="A preset of the pipeline instead of -e files.")
@click.option("--mode", help="Mode to run in (default: the pipeline's only or 'default' mode).")
@click.option("--tags", help='Run tags as a JSON object, e.g. \'{"team": "x"}\'.')
@click.option("--solid-subset", help="Comma-separated solids to run (others are left out).")
def execute_command(
    python_file: str | None,
    module_name: str | None,
    pipeline_name: str | None,
    env_files: tuple[str, ...],
    preset: str | None,
    mode: str | None,
    tags: str | None,
    solid_subset: str | None,
) -> None:
    """Run a pipeline, showing progress; exit 0 on success, 1 on a failed run, 2 on bad input."""
    if preset and env_files:
        raise click.UsageError("Use either -p/--preset or -e/--env files, not both")
    pipeline = load_pipeline(python_file, module_name, pipeline_name)
    environment_dict = load_yaml_files(env_files) if env_files else None
    origin = (
        {ORIGIN_FILE_TAG: os.path.abspath(python_file)}
        if python_file
        else {ORIGIN_MODULE_TAG: module_name or ""}
    )
    events = execute_pipeline_iterator(
        pipeline,
        environment_dict=environment_dict,
        mode=mode,
        preset=preset,
        tags={**_parse_tags(tags), **origin},
        instance=DagsterInstance.get(),
        solid_subset=solid_subset.split(",") if solid_subset else None,
    )
    _run(events)


@pipeline_cli.command(name="reexecute")
@click.argument("run_id")
@click.option("--step-keys", help="Comma-separated step keys to run again (default: all).")
@_with_source
def reexecute_command(
    run_id: str, step_keys: str | None, python_file: str | None, module_name: str | None
) -> None:
    """Run steps of an earlier run again, reading the other steps' outputs from its storage.

    The pipeline is loaded from where that run's was (-f/-m override it)."""
    instance = DagsterInstance.get()
    parent = instance.get_run_by_id(run_id)
    if parent is None:
        raise click.UsageError(f"No run {run_id} in the instance at {instance.source}")
    if not python_file and not module_name:
        python_file = parent.tags.get(ORIGIN_FILE_TAG)
        module_name = parent.tags.get(ORIGIN_MODULE_TAG)
        if not python_file and not module_name:
            raise click.UsageError(
                f"Run {run_id} was not started from the CLI: name its pipeline's code with -f/-m"
            )
    pipeline = load_pipeline(python_file, module_name, parent.pipeline_name)
    events = reexecute_pipeline_iterator(
        pipeline,
        run_id,
        step_keys_to_execute=step_keys.split(",") if step_keys else None,
        instance=instance,
    )
    _run(events)
